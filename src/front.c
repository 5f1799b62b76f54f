/*
 * front.c - `mailtrove`, the light program: search and count run here,
 * linked against SQLite and zstd only, so a query does not pay for
 * loading GMime, GLib, libxml2, libarchive, libmicrohttpd and OpenSSL
 * (about 20 ms of dynamic linking per process here, docs/search.md).
 * Every other command, and queries on an archive whose upgrade is still
 * pending, are handed to mailtrove-full with the same arguments.
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
 * else where `make install` puts it.  Returns only on failure. */
static int hand_over(char **argv)
{
    char self[PATH_MAX], candidate[PATH_MAX + sizeof FULL_PROGRAM + 1];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    int first_errno = ENOENT;
    if (len > 0) {
        self[len] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(candidate, sizeof candidate, "%s/%s", self, FULL_PROGRAM);
            execv(candidate, argv);
            first_errno = errno;
        }
    }
    snprintf(candidate, sizeof candidate, "%s/%s", MAILTROVE_LIBEXECDIR, FULL_PROGRAM);
    execv(candidate, argv);
    if (errno == ENOENT)
        errno = first_errno;
    return cli_fail("cannot run %s (next to this program, or in %s): %s; "
                    "is mailtrove installed completely?", FULL_PROGRAM,
                    MAILTROVE_LIBEXECDIR, strerror(errno));
}

/* Whether this program can answer: the archive exists at the current
 * schema with nothing left to upgrade.  Anything else (a missing file, an
 * older schema, a damaged file) is mailtrove-full's to handle and report. */
static bool can_answer(const struct cli *cli)
{
    struct store *st = NULL;
    if (access(cli->archive_path, F_OK) != 0
        || store_open(cli->archive_path, STORE_READ_ONLY, &st, NULL) != MT_OK)
        return false;
    sqlite3_stmt *s;
    int version = -1;
    if (sqlite3_prepare_v2(store_db(st), "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            version = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    bool ready = version == STORE_SCHEMA_VERSION && !store_upgrade_pending(st, "body text");
    store_close(st);
    return ready;
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
    if (!strcmp(command, "search") && can_answer(&cli))
        return cli_run(&cli, cmd_search, argc - i, argv + i);
    if (!strcmp(command, "count") && can_answer(&cli))
        return cli_run(&cli, cmd_count, argc - i, argv + i);
    return hand_over(argv);
}
