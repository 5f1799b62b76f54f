/*
 * mailtrove.c - `mailtrove`, the light program: search and count run here,
 * linked against SQLite and zstd only, so a query does not pay for
 * loading GMime, GLib, libxml2, libarchive, libmicrohttpd and OpenSSL
 * (about 20 ms of dynamic linking per process here, docs/search.md).
 * verify, root and prove are handed to mailtrove-verify
 * (mailtrove_verify.c); every other
 * command, and a search of an archive whose upgrade is still pending (its
 * snippets need MIME parsing), to mailtrove-full, with the same
 * arguments.
 */
#include <signal.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

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
    else if (!strcmp(command, "verify") || !strcmp(command, "root") || !strcmp(command, "prove"))
        return cli_hand_over(argv, CLI_VERIFY_PROGRAM);
    else
        code = EXIT_HAND_OVER;
    return code == EXIT_HAND_OVER ? cli_hand_over(argv, CLI_FULL_PROGRAM) : code;
}
