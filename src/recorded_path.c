/* recorded_path.c - absolute paths of older archives made relative. */
#include "recorded_path.h"

#include <stdlib.h>
#include <string.h>

const char *recorded_path_file_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* Length of "/a/b" in "/a/b/c...": the group a path belongs to. */
static size_t group_length(const char *path)
{
    size_t slashes = 0, i = 0;
    for (; path[i]; i++)
        if (path[i] == '/' && ++slashes == 3)
            break;
    return i;
}

/* How many components the directory PATH[0..LEN) has ("/a/b" is 2). */
static int depth(const char *path, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len; i++)
        n += path[i] == '/';
    return n;
}

static char *relative_form(const char *path, size_t cut)
{
    return strdup(path + cut);
}

mt_status recorded_path_relativize(const char *const *paths, size_t count, char **out)
{
    for (size_t i = 0; i < count; i++)
        out[i] = NULL;
    size_t i = 0;
    while (i < count) {
        const char *first = paths[i];
        if (first[0] != '/') {
            /* relative: drop "./" and "../" at the front */
            size_t cut = 0;
            for (;;) {
                if (!strncmp(first + cut, "./", 2))
                    cut += 2;
                else if (!strncmp(first + cut, "../", 3))
                    cut += 3;
                else
                    break;
            }
            if (cut && first[cut] && !(out[i] = relative_form(first, cut)))
                goto nomem;
            i++;
            continue;
        }
        /* the group: paths sharing "/a/b" (sorted, so they are adjacent) */
        size_t glen = group_length(first), j = i + 1;
        while (j < count && paths[j][0] == '/' && group_length(paths[j]) == glen
               && !strncmp(paths[j], first, glen))
            j++;
        /* common prefix of the sorted group = that of its first and last,
         * cut back to a directory of every member */
        const char *last = paths[j - 1];
        size_t common = 0;
        while (first[common] && first[common] == last[common])
            common++;
        while (common > 0 && first[common - 1] != '/')
            common--;
        size_t dir = common ? common - 1 : 0;   /* "/home/alice/leaks" */
        size_t cut = common;                    /* everything up to the '/' */
        if (depth(first, dir) >= 3) {
            size_t name = dir;
            while (name > 0 && first[name - 1] != '/')
                name--;
            cut = name;                         /* keep "leaks/" */
        }
        for (size_t k = i; k < j; k++) {
            if (!paths[k][cut])
                continue;    /* nothing below the cut: leave as is (never) */
            if (!(out[k] = relative_form(paths[k], cut)))
                goto nomem;
        }
        i = j;
    }
    return MT_OK;
nomem:
    for (size_t k = 0; k < count; k++) {
        free(out[k]);
        out[k] = NULL;
    }
    return MT_ENOMEM;
}
