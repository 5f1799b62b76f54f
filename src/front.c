/*
 * front.c - `mailtrove`, the light program: search and count run here,
 * linked against SQLite and zstd only, so a query does not pay for
 * loading GMime, GLib, libxml2, libarchive, libmicrohttpd and OpenSSL
 * (about 20 ms of dynamic linking per process here, docs/search.md).
 * Every other command, and a search of an archive whose upgrade is still
 * pending (its snippets need MIME parsing), are handed to mailtrove-full
 * with the same arguments.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef MAILTROVE_LIBEXECDIR
#define MAILTROVE_LIBEXECDIR "/usr/local/libexec/mailtrove"
#endif
#define FULL_PROGRAM "mailtrove-full"

/* Run mailtrove-full in our place: next to this program (a build tree),
 * in ../libexec/mailtrove beside it (installed under any prefix), else
 * where this build was configured to install it.  Returns only on
 * failure. */
static int hand_over(char **argv)
{
    char self[PATH_MAX], candidate[PATH_MAX + 64];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len > 0) {
        self[len] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(candidate, sizeof candidate, "%s/%s", self, FULL_PROGRAM);
            execv(candidate, argv);
            snprintf(candidate, sizeof candidate, "%s/../libexec/mailtrove/%s", self,
                     FULL_PROGRAM);
            execv(candidate, argv);
        }
    }
    snprintf(candidate, sizeof candidate, "%s/%s", MAILTROVE_LIBEXECDIR, FULL_PROGRAM);
    execv(candidate, argv);
    return cli_fail("cannot run %s (looked next to this program, in ../libexec/mailtrove"
                    " beside it, and in %s): %s; is mailtrove installed completely?",
                    FULL_PROGRAM, MAILTROVE_LIBEXECDIR, strerror(errno));
}

int main(int argc, char **argv)
{
    struct cli cli = { 0 };
    int i = 0;
    signal(SIGXFSZ, SIG_IGN);
    int code = cli_parse_global_options(argc, argv, &cli, &i);
    if (code >= 0)
        return code;
    const char *command = argv[i];
    if (!strcmp(command, "search"))
        code = cli_run(&cli, cmd_search, argc - i, argv + i);
    else if (!strcmp(command, "count"))
        code = cli_run(&cli, cmd_count, argc - i, argv + i);
    else
        code = EXIT_HAND_OVER;
    return code == EXIT_HAND_OVER ? hand_over(argv) : code;
}
