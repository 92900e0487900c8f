/* kubectl.c - runs the user's kubectl without a shell (posix_spawnp, argv passed as is) and
 * captures its stdout and stderr through pipes drained together with poll(), so a large `get`
 * cannot dead-lock on a full stderr pipe. Only read-only verbs are ever passed (see diff.c). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drift.h"

extern char **environ;

typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p)
            abort();
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void drain(int out_fd, int err_fd, Buf *out, Buf *err)
{
    struct pollfd fds[2] = {{.fd = out_fd, .events = POLLIN}, {.fd = err_fd, .events = POLLIN}};
    Buf *bufs[2] = {out, err};
    int open_fds = 2;
    char chunk[65536];
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
            if (n > 0) {
                buf_add(bufs[i], chunk, (size_t)n);
            } else if (n == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
}

static const char *to_arena(Arena *a, Buf *b, size_t *len)
{
    *len = b->len;
    const char *s = arena_strndup(a, b->data ? b->data : "", b->len);
    free(b->data);
    return s;
}

void kubectl_run(Arena *a, const char *program, const char *const *argv, KubectlResult *res)
{
    memset(res, 0, sizeof *res);
    res->status = -1;
    res->out = res->err = "";
    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) != 0)
        return;
    if (pipe(err_pipe) != 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        return;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&fa, out_pipe[0]);
    posix_spawn_file_actions_addclose(&fa, err_pipe[0]);
    pid_t pid;
    int rc = posix_spawnp(&pid, program, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        res->not_found = rc == ENOENT;
        res->err = arena_strdup(a, strerror(rc));
        res->err_len = strlen(res->err);
        return;
    }
    Buf out = {0}, err = {0};
    drain(out_pipe[0], err_pipe[0], &out, &err);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    res->out = to_arena(a, &out, &res->out_len);
    res->err = to_arena(a, &err, &res->err_len);
    res->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + (WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
    /* glibc's posix_spawnp reports a missing program as exit 127 of the child. */
    res->not_found = res->status == 127 && res->out_len == 0 && res->err_len == 0;
}

const char *kubectl_resource_name(Arena *a, const char *group, const char *kind)
{
    size_t n = strlen(kind);
    char *lower = arena_strdup(a, kind);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    const char *plural;
    if (n > 1 && lower[n - 1] == 'y' && !strchr("aeiou", lower[n - 2]))
        plural = arena_printf(a, "%.*sies", (int)(n - 1), lower);
    else if (n > 0 && lower[n - 1] == 's')
        plural = arena_printf(a, "%ses", lower);
    else
        plural = arena_printf(a, "%ss", lower);
    return group && *group ? arena_printf(a, "%s.%s", plural, group) : plural;
}
