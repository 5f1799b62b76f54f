/*
 * mailtrove_verify.c - mailtrove-verify: `verify` alone, linked against
 * SQLite, zstd and OpenSSL only (statically when it can be), because a
 * rerun after each key import should not pay mailtrove-full's ~20 ms of
 * loading GMime, GLib, libxml2, libarchive and libmicrohttpd (5% of a
 * 20,000-email rerun, docs/dkim.md).  The light `mailtrove` hands verify
 * here; this program hands to mailtrove-full what it cannot do: another
 * command, or an archive whose upgrade is pending (filling its body texts
 * needs MIME parsing).
 */
#include <signal.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

int main(int argc, char **argv)
{
    /* No body_text_fallback and no finish_upgrade: what needs them is
     * handed over (cli_verify_and_report). */
    struct cli cli = { 0 };
    int i = 0;
    signal(SIGXFSZ, SIG_IGN);
    cli_tune_process();
    int code = cli_parse_global_options(argc, argv, &cli, &i);
    if (code >= 0)
        return code;
    if (!strcmp(argv[i], "verify"))
        code = cli_run(&cli, cmd_verify, argc - i, argv + i);
    else if (!strcmp(argv[i], "root"))
        code = cli_run(&cli, cmd_root, argc - i, argv + i);
    else if (!strcmp(argv[i], "prove"))
        code = cli_run(&cli, cmd_prove, argc - i, argv + i);
    else
        code = EXIT_HAND_OVER;
    return code == EXIT_HAND_OVER ? cli_hand_over(argv, CLI_FULL_PROGRAM) : code;
}
