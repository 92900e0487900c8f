/* test_outtree.c - the atomic output tree in a scratch directory: fresh write, replace, the
 * refusal rules (foreign dir, foreign file, symlink, regular file), --force, unsafe paths, and a
 * failing commit that must leave the previous tree untouched and no temporary directory behind;
 * 1000 files in every sync mode (hashed duplicate check, one mkdir per directory); bad targets;
 * the streamed mode (each file written into the temporary directory as it is added, straight from
 * the caller's buffer; failure midway; refusals); directories larger than one getdents64 buffer. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "emit/outtree.h"

typedef struct Scratch {
    Arena *a;
    char root[64];
    char out[128];
} Scratch;

static int setup(void **state)
{
    Scratch *s = calloc(1, sizeof *s);
    s->a = arena_new();
    snprintf(s->root, sizeof s->root, "/tmp/goversec-outtree-XXXXXX");
    assert_non_null(mkdtemp(s->root));
    snprintf(s->out, sizeof s->out, "%s/out", s->root);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    Scratch *s = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->root);
    assert_int_equal(system(cmd), 0);
    arena_free(s->a);
    free(s);
    return 0;
}

static char *slurp(Arena *a, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = arena_alloc(a, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char *at(Scratch *s, const char *rel) { return arena_printf(s->a, "%s/%s", s->out, rel); }

static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
    closedir(d);
    return n;
}

static OutTree tree_v(Scratch *s, const char *version)
{
    OutTree t;
    outtree_init(&t, s->a);
    assert_true(outtree_add(&t, "manifests/a.yaml", version, strlen(version)));
    assert_true(outtree_add(&t, "manifests/nodes/b.yaml", "b: 1\n", 5));
    assert_true(outtree_add(&t, "README.md", "hi\n", 3));
    return t;
}

static void test_fresh_and_replace(void **state)
{
    Scratch *s = *state;
    char err[256];
    OutTree t = tree_v(s, "v1\n");
    assert_int_equal(t.count, 3);
    assert_non_null(outtree_find(&t, "README.md"));
    assert_int_equal(outtree_commit(&t, s->out, false, err, sizeof err), 0);
    assert_string_equal(slurp(s->a, at(s, "manifests/a.yaml")), "v1\n");
    assert_string_equal(slurp(s->a, at(s, "manifests/nodes/b.yaml")), "b: 1\n");
    assert_string_equal(slurp(s->a, at(s, ".goversec-tree")),
                        "# written by goversec; every file of this tree:\nmanifests/a.yaml\n"
                        "manifests/nodes/b.yaml\nREADME.md\n");
    /* Replace: new content, and a file dropped from the tree disappears. */
    OutTree t2;
    outtree_init(&t2, s->a);
    assert_true(outtree_add(&t2, "manifests/a.yaml", "v2\n", 3));
    assert_int_equal(outtree_commit(&t2, s->out, false, err, sizeof err), 0);
    assert_string_equal(slurp(s->a, at(s, "manifests/a.yaml")), "v2\n");
    assert_null(slurp(s->a, at(s, "README.md")));
    /* Only the output directory remains: no temp or aside directories. */
    assert_int_equal(entries(s->root), 1);
}

static void test_empty_dir_is_replaced(void **state)
{
    Scratch *s = *state;
    char err[256];
    assert_int_equal(mkdir(s->out, 0755), 0);
    OutTree t = tree_v(s, "v1\n");
    assert_int_equal(outtree_commit(&t, s->out, false, err, sizeof err), 0);
    assert_string_equal(slurp(s->a, at(s, "manifests/a.yaml")), "v1\n");
}

static void test_refuse_foreign(void **state)
{
    Scratch *s = *state;
    char err[256];
    assert_int_equal(mkdir(s->out, 0755), 0);
    put_file(at(s, "precious.txt"), "mine\n");
    OutTree t = tree_v(s, "v1\n");
    assert_int_equal(outtree_commit(&t, s->out, false, err, sizeof err), -1);
    assert_string_equal(err, arena_printf(s->a, "refusing to replace '%s': it was not created by goversec "
                                                "(use --force)", s->out));
    assert_string_equal(slurp(s->a, at(s, "precious.txt")), "mine\n");
    assert_int_equal(entries(s->root), 1);
    /* --force replaces it. */
    assert_int_equal(outtree_commit(&t, s->out, true, err, sizeof err), 0);
    assert_null(slurp(s->a, at(s, "precious.txt")));
    assert_string_equal(slurp(s->a, at(s, "manifests/a.yaml")), "v1\n");
}

static void test_refuse_foreign_file_inside(void **state)
{
    Scratch *s = *state;
    char err[256];
    OutTree t = tree_v(s, "v1\n");
    assert_int_equal(outtree_commit(&t, s->out, false, err, sizeof err), 0);
    put_file(at(s, "manifests/nodes/notes.txt"), "mine\n");
    assert_int_equal(outtree_commit(&t, s->out, false, err, sizeof err), -1);
    assert_non_null(strstr(err, "'manifests/nodes/notes.txt'"));
    assert_non_null(strstr(err, "--force"));
    assert_string_equal(slurp(s->a, at(s, "manifests/nodes/notes.txt")), "mine\n");
}

/* A directory of the old tree that cannot be opened may hold anything: refused, not skipped. A
 * mode-000 directory would not stage it for root (CI may run as root), so the process runs out of
 * descriptors instead: the walk keeps one open per level, and a deep old tree exhausts them. */
static void test_refuse_unreadable_dir(void **state)
{
    Scratch *s = *state;
    char err[512];
    OutTree t = tree_v(s, "v1\n");
    assert_int_equal(outtree_commit(&t, s->out, false, err, sizeof err), 0);
    const char *deep = at(s, "manifests");
    for (int i = 0; i < 12; i++) {
        deep = arena_printf(s->a, "%s/d%d", deep, i);
        assert_int_equal(mkdir(deep, 0755), 0);
    }
    put_file(arena_printf(s->a, "%s/precious.txt", deep), "mine\n");
    int next_fd = dup(0);
    assert_true(next_fd >= 0);
    close(next_fd);
    struct rlimit old, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    low = old;
    low.rlim_cur = (rlim_t)next_fd + 6;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    int rc = outtree_commit(&t, s->out, false, err, sizeof err);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "cannot read 'manifests/d"));
    assert_string_equal(slurp(s->a, arena_printf(s->a, "%s/precious.txt", deep)), "mine\n");
}

static void test_refuse_symlink_and_file(void **state)
{
    Scratch *s = *state;
    char err[256];
    OutTree t = tree_v(s, "v1\n");
    char *real = arena_printf(s->a, "%s/real", s->root);
    assert_int_equal(mkdir(real, 0755), 0);
    assert_int_equal(symlink(real, s->out), 0);
    assert_int_equal(outtree_commit(&t, s->out, true, err, sizeof err), -1);
    assert_non_null(strstr(err, "symbolic link"));
    assert_int_equal(unlink(s->out), 0);
    put_file(s->out, "x");
    assert_int_equal(outtree_commit(&t, s->out, true, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a directory"));
    /* Missing parent. */
    assert_int_equal(outtree_commit(&t, arena_printf(s->a, "%s/nope/out", s->root), false, err, sizeof err), -1);
    assert_non_null(strstr(err, "does not exist"));
}

static void test_bad_paths(void **state)
{
    Scratch *s = *state;
    OutTree t;
    outtree_init(&t, s->a);
    static const char *const bad[] = {"../x", "/abs", "a//b", "", "a/", "./a", "a/../b", "a/.",
                                      ".goversec-tree"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (outtree_add(&t, bad[i], "x", 1))
            fail_msg("accepted '%s'", bad[i]);
    assert_true(outtree_add(&t, "a/b.yaml", "x", 1));
    assert_false(outtree_add(&t, "a/b.yaml", "y", 1)); /* duplicate */
    assert_true(outtree_add(&t, "..a/.b", "x", 1));     /* dots inside names are fine */
    assert_int_equal(t.count, 2);
}

static void test_failure_keeps_old_tree(void **state)
{
    Scratch *s = *state;
    char err[256];
    OutTree t = tree_v(s, "v1\n");
    assert_int_equal(outtree_commit(&t, s->out, false, err, sizeof err), 0);
    /* "x" is a file, so "x/y" cannot be created: the commit fails midway. */
    OutTree bad;
    outtree_init(&bad, s->a);
    assert_true(outtree_add(&bad, "manifests/a.yaml", "v2\n", 3));
    assert_true(outtree_add(&bad, "x", "file", 4));
    assert_true(outtree_add(&bad, "x/y", "nested", 6));
    assert_int_equal(outtree_commit(&bad, s->out, false, err, sizeof err), -1);
    assert_non_null(strstr(err, "x/y"));
    assert_string_equal(slurp(s->a, at(s, "manifests/a.yaml")), "v1\n");
    assert_string_equal(slurp(s->a, at(s, "README.md")), "hi\n");
    assert_int_equal(entries(s->root), 1);
}

/* 1000 files over 300 directories, every sync mode: all land, duplicates are still caught
 * (hashed lookup), the marker lists them in insertion order, and a replace keeps nothing stale. */
static void test_many_files_and_sync_modes(void **state)
{
    Scratch *s = *state;
    char err[256];
    static const OutSync modes[] = {OUTTREE_SYNC_NONE, OUTTREE_SYNC_FS, OUTTREE_SYNC_EACH};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        OutTree t;
        outtree_init(&t, s->a);
        assert_int_equal(t.sync, OUTTREE_SYNC_FS); /* durable by default */
        t.sync = modes[m];
        size_t nfiles = modes[m] == OUTTREE_SYNC_NONE ? 1000 : 20; /* syncs wait for the disk: few files */
        for (size_t i = 0; i < nfiles; i++) {
            const char *p = arena_printf(s->a, "c%zu/d%zu/f%zu.yaml", i % 7, i % 300, i);
            assert_true(outtree_add(&t, p, p, strlen(p)));
            assert_false(outtree_add(&t, p, "dup", 3));
        }
        assert_int_equal(t.count, nfiles);
        assert_non_null(outtree_find(&t, "c0/d0/f0.yaml"));
        assert_null(outtree_find(&t, "c0/d0/f1.yaml"));
        assert_int_equal(outtree_commit(&t, s->out, false, err, sizeof err), 0);
        const char *last = arena_printf(s->a, "c%zu/d%zu/f%zu.yaml", (nfiles - 1) % 7, (nfiles - 1) % 300, nfiles - 1);
        assert_string_equal(slurp(s->a, at(s, last)), last);
        assert_int_equal(entries(s->root), 1);
    }
    /* Later commits (20 files) replaced the 1000-file tree: f900 is gone. */
    assert_null(slurp(s->a, at(s, "c4/d0/f900.yaml")));
}

/* A bad output location fails cleanly before anything is written. */
static void test_bad_targets(void **state)
{
    Scratch *s = *state;
    char err[256];
    OutTree t = tree_v(s, "v1\n");
    assert_int_equal(outtree_commit(&t, ".", false, err, sizeof err), -1);
    assert_int_equal(outtree_commit(&t, "/", false, err, sizeof err), -1);
    assert_int_equal(outtree_commit(&t, "", false, err, sizeof err), -1);
    assert_int_equal(outtree_commit(&t, arena_printf(s->a, "%s/..", s->root), false, err, sizeof err), -1);
    assert_int_equal(entries(s->root), 0);
}

/* Streamed mode: each file goes into the temporary directory as it is added, its text not kept;
 * the target shows the old tree until outtree_finish, then exactly the new one with a marker
 * listing every file of every batch; duplicates across batches are still refused. */
static void test_stream_incremental(void **state)
{
    Scratch *s = *state;
    char err[256];
    OutTree old = tree_v(s, "v1\n");
    assert_int_equal(outtree_commit(&old, s->out, false, err, sizeof err), 0);
    OutTree t;
    outtree_init(&t, s->a);
    t.sync = OUTTREE_SYNC_NONE;
    assert_int_equal(outtree_begin(&t, s->out, false, err, sizeof err), 0);
    assert_int_equal(entries(s->root), 2); /* the target and the temporary directory */
    for (int batch = 0; batch < 3; batch++) {
        for (int i = 0; i < 50; i++) {
            const char *p = arena_printf(s->a, "c%d/d%d/f%d.yaml", batch, i % 4, i);
            assert_true(outtree_add(&t, p, p, strlen(p)));
        }
        assert_int_equal(outtree_flush(&t, err, sizeof err), 0);
        assert_null(outtree_find(&t, "c0/d0/f0.yaml")->data); /* written, text not kept */
        assert_false(outtree_add(&t, "c0/d0/f0.yaml", "dup", 3));
        assert_string_equal(slurp(s->a, at(s, "manifests/a.yaml")), "v1\n"); /* not swapped yet */
    }
    assert_true(outtree_add(&t, "last.yaml", "end\n", 4)); /* after the last flush */
    assert_int_equal(outtree_flush(&t, err, sizeof err), 0);
    assert_int_equal(outtree_flush(&t, err, sizeof err), 0); /* an empty batch is fine */
    assert_int_equal(outtree_finish(&t, err, sizeof err), 0);
    assert_int_equal(t.count, 151);
    assert_null(slurp(s->a, at(s, "manifests/a.yaml")));
    assert_string_equal(slurp(s->a, at(s, "c2/d1/f49.yaml")), "c2/d1/f49.yaml");
    assert_string_equal(slurp(s->a, at(s, "last.yaml")), "end\n");
    const char *marker = slurp(s->a, at(s, ".goversec-tree"));
    assert_non_null(strstr(marker, "\nc0/d0/f0.yaml\n"));
    assert_non_null(strstr(marker, "\nlast.yaml\n"));
    assert_int_equal(entries(s->root), 1);
    outtree_abort(&t); /* after finish: nothing to do */
    /* The streamed tree is a goversec tree: the in-memory mode may replace it. */
    OutTree again = tree_v(s, "v3\n");
    assert_int_equal(outtree_commit(&again, s->out, false, err, sizeof err), 0);
    assert_string_equal(slurp(s->a, at(s, "manifests/a.yaml")), "v3\n");
}

/* A write failing in the second batch, and an abort after a successful batch: the old tree is
 * untouched and no temporary directory remains. */
static void test_stream_failure_midway(void **state)
{
    Scratch *s = *state;
    char err[256];
    OutTree old = tree_v(s, "v1\n");
    assert_int_equal(outtree_commit(&old, s->out, false, err, sizeof err), 0);
    OutTree t;
    outtree_init(&t, s->a);
    assert_int_equal(outtree_begin(&t, s->out, false, err, sizeof err), 0);
    assert_true(outtree_add(&t, "manifests/a.yaml", "v2\n", 3));
    assert_true(outtree_add(&t, "x", "file", 4));
    assert_int_equal(outtree_flush(&t, err, sizeof err), 0);
    assert_true(outtree_add(&t, "x/y", "nested", 6)); /* "x" is a file: cannot be created */
    assert_int_equal(outtree_flush(&t, err, sizeof err), -1);
    assert_non_null(strstr(err, "x/y"));
    outtree_abort(&t);
    outtree_abort(&t); /* twice is harmless */
    assert_string_equal(slurp(s->a, at(s, "manifests/a.yaml")), "v1\n");
    assert_string_equal(slurp(s->a, at(s, "README.md")), "hi\n");
    assert_int_equal(entries(s->root), 1);
    /* The same failure surfacing in outtree_finish cleans up by itself. */
    OutTree f;
    outtree_init(&f, s->a);
    assert_int_equal(outtree_begin(&f, s->out, false, err, sizeof err), 0);
    assert_true(outtree_add(&f, "x", "file", 4));
    assert_true(outtree_add(&f, "x/y", "nested", 6));
    assert_int_equal(outtree_finish(&f, err, sizeof err), -1);
    assert_string_equal(slurp(s->a, at(s, "manifests/a.yaml")), "v1\n");
    assert_int_equal(entries(s->root), 1);
    /* An abort after a good batch discards it. */
    OutTree g;
    outtree_init(&g, s->a);
    assert_int_equal(outtree_begin(&g, s->out, false, err, sizeof err), 0);
    assert_true(outtree_add(&g, "manifests/a.yaml", "v2\n", 3));
    assert_int_equal(outtree_flush(&g, err, sizeof err), 0);
    outtree_abort(&g);
    assert_string_equal(slurp(s->a, at(s, "manifests/a.yaml")), "v1\n");
    assert_int_equal(entries(s->root), 1);
}

/* The one temporary directory next to the target (streamed mode, between begin and finish). */
static const char *tmp_dir(Scratch *s)
{
    DIR *d = opendir(s->root);
    const char *found = NULL;
    for (struct dirent *e; (e = readdir(d));)
        if (strncmp(e->d_name, ".out.tmp-", 9) == 0)
            found = arena_printf(s->a, "%s/%s", s->root, e->d_name);
    closedir(d);
    return found;
}

/* Streamed mode writes each file when it is added, from the caller's buffer (no copy is kept, so
 * the caller may reuse it at once); after a failed write nothing more is written, and the failure
 * (path and reason) surfaces at the next flush. */
static void test_stream_writes_at_add(void **state)
{
    Scratch *s = *state;
    char err[256];
    OutTree t;
    outtree_init(&t, s->a);
    t.sync = OUTTREE_SYNC_NONE;
    assert_int_equal(outtree_begin(&t, s->out, false, err, sizeof err), 0);
    const char *tmp = tmp_dir(s);
    assert_non_null(tmp);
    char buf[16];
    strcpy(buf, "first\n");
    assert_true(outtree_add(&t, "a/b.yaml", buf, strlen(buf)));
    strcpy(buf, "XXXXXX\n"); /* reused by the caller: the file keeps what was added */
    assert_string_equal(slurp(s->a, arena_printf(s->a, "%s/a/b.yaml", tmp)), "first\n");
    assert_null(outtree_find(&t, "a/b.yaml")->data);
    assert_int_equal(outtree_flush(&t, err, sizeof err), 0);
    assert_true(outtree_add(&t, "x", "file", 4));
    assert_true(outtree_add(&t, "x/y", "nested", 6)); /* fails on disk: reported by the flush */
    assert_true(outtree_add(&t, "z.yaml", "z\n", 2));
    assert_null(slurp(s->a, arena_printf(s->a, "%s/z.yaml", tmp))); /* nothing after a failure */
    assert_int_equal(outtree_flush(&t, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot write 'x/y': "));
    assert_int_equal(outtree_finish(&t, err, sizeof err), -1); /* still failed; cleans up */
    assert_int_equal(entries(s->root), 0);
}

/* Directories whose entries need several getdents64 reads (long names, 300 per directory): the
 * foreign-file walk still sees the last entry, and the old tree is removed completely. */
static void test_large_directories(void **state)
{
    Scratch *s = *state;
    char err[256];
    static const char pad[] = "a-rather-long-file-name-to-fill-the-directory-buffer-quickly";
    OutTree t;
    outtree_init(&t, s->a);
    t.sync = OUTTREE_SYNC_NONE;
    for (int i = 0; i < 300; i++) {
        assert_true(outtree_add(&t, arena_printf(s->a, "big/%s-%03d.yaml", pad, i), "x\n", 2));
        assert_true(outtree_add(&t, arena_printf(s->a, "big/sub/%s-%03d", pad, i), "y\n", 2));
    }
    assert_int_equal(outtree_commit(&t, s->out, false, err, sizeof err), 0);
    put_file(at(s, arena_printf(s->a, "big/sub/%s-zzz", pad)), "mine\n");
    assert_int_equal(outtree_commit(&t, s->out, false, err, sizeof err), -1);
    assert_non_null(strstr(err, "-zzz'"));
    assert_int_equal(unlink(at(s, arena_printf(s->a, "big/sub/%s-zzz", pad))), 0);
    OutTree small = tree_v(s, "v1\n");
    small.sync = OUTTREE_SYNC_NONE;
    assert_int_equal(outtree_commit(&small, s->out, false, err, sizeof err), 0);
    assert_null(slurp(s->a, at(s, arena_printf(s->a, "big/%s-299.yaml", pad))));
    assert_int_equal(entries(s->out), 3); /* manifests, README.md, the marker */
    assert_int_equal(entries(s->root), 1);  /* the old tree is gone entirely */
}

/* The refusal rules apply at outtree_begin, before anything is emitted or written. */
static void test_stream_refusals(void **state)
{
    Scratch *s = *state;
    char err[256];
    assert_int_equal(mkdir(s->out, 0755), 0);
    put_file(at(s, "mine.txt"), "user data\n");
    OutTree t;
    outtree_init(&t, s->a);
    assert_int_equal(outtree_begin(&t, s->out, false, err, sizeof err), -1);
    assert_non_null(strstr(err, "not created by goversec"));
    outtree_abort(&t); /* safe after a failed begin */
    assert_int_equal(entries(s->root), 1);
    assert_string_equal(slurp(s->a, at(s, "mine.txt")), "user data\n");
    assert_int_equal(outtree_begin(&t, ".", false, err, sizeof err), -1);
    assert_int_equal(outtree_begin(&t, arena_printf(s->a, "%s/nope/out", s->root), false, err, sizeof err), -1);
    assert_int_equal(entries(s->root), 1);
    /* --force: replaced at finish. */
    assert_int_equal(outtree_begin(&t, s->out, true, err, sizeof err), 0);
    assert_int_equal(outtree_begin(&t, s->out, true, err, sizeof err), -1); /* already begun */
    assert_true(outtree_add(&t, "a.yaml", "a\n", 2));
    assert_int_equal(outtree_finish(&t, err, sizeof err), 0);
    assert_null(slurp(s->a, at(s, "mine.txt")));
    assert_string_equal(slurp(s->a, at(s, "a.yaml")), "a\n");
    assert_int_equal(entries(s->root), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fresh_and_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_dir_is_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_foreign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_foreign_file_inside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_unreadable_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_symlink_and_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_keeps_old_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_files_and_sync_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_targets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_incremental, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_failure_midway, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_writes_at_add, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_directories, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
