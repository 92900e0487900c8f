/* floor.c - the file-creation floor of the benchmarks (bench/startup.sh, bench/targets.sh): creates
 * the files listed in LIST ("SIZE PATH" lines, paths relative, sorted by path: `LC_ALL=C sort -k2`)
 * below a new directory DIR as goversec's commit does - each directory once (mkdirat), files
 * O_EXCL relative to the root's descriptor, one write each from memory - then, when SYNC is 1,
 * syncfs + fsync of the parent. Nothing else: no compiling, no YAML. Sorted input keeps every
 * directory's subtree contiguous, so directories are made by comparing with the previous path.
 * Usage: floor DIR LIST SYNC */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Makes the directories of `path` (up to its last '/') not shared with `prev`'s. */
static int make_dirs(int root, char *path, const char *prev)
{
    size_t common = 0; /* length of the shared directory prefix, at a '/' boundary */
    for (size_t i = 0; path[i] && path[i] == prev[i]; i++)
        if (path[i] == '/')
            common = i + 1;
    for (char *s = strchr(path + common, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        int r = mkdirat(root, path, 0755);
        *s = '/';
        if (r != 0 && errno != EEXIST)
            return perror(path), -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return fprintf(stderr, "usage: floor DIR LIST SYNC\n"), 2;
    FILE *list = fopen(argv[2], "r");
    if (!list || mkdir(argv[1], 0755) != 0)
        return perror(argv[1]), 1;
    int root = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    static char line[8192], prev[8192];
    size_t max = 1; /* the text comes from memory, as goversec's: one buffer of the largest size */
    while (fgets(line, sizeof line, list))
        if (strtoul(line, NULL, 10) > max)
            max = strtoul(line, NULL, 10);
    rewind(list);
    char *text = malloc(max);
    if (!text)
        return 1;
    memset(text, 'x', max);
    while (fgets(line, sizeof line, list)) {
        size_t size = strtoul(line, NULL, 10);
        char *path = strchr(line, ' ') + 1;
        path[strcspn(path, "\n")] = '\0';
        if (make_dirs(root, path, prev) != 0)
            return 1;
        int fd = openat(root, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, text, size) != (ssize_t)size || close(fd) != 0)
            return perror(path), 1;
        char *slash = strrchr(path, '/');
        size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
        memcpy(prev, path, dlen);
        prev[dlen] = '\0';
    }
    if (argv[3][0] == '1') {
        if (syncfs(root) != 0)
            return perror("syncfs"), 1;
        char *parent = dirname(strdup(argv[1]));
        int pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0 || fsync(pfd) != 0)
            return perror(parent), 1;
        close(pfd);
    }
    close(root);
    return 0;
}
