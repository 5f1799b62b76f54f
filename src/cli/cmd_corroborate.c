/* cmd_corroborate.c - `mailtrove corroborate [--recompute]` */
#include <stdio.h>

#include "archive_upkeep.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"

/* `mailtrove corroborate [--recompute]`: recompute conversations, then
 * which verified emails vouch for which text (ingest and verify do this
 * themselves); skipped when its inputs are those last computed from,
 * unless --recompute. */
int cmd_corroborate(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "recompute", false } };
    const char *values[CLI_MAX_OPTIONS];
    int code = cli_parse_simple("corroborate", argc, argv, options, 1, values, NULL, NULL);
    if (code >= 0)
        return code;
    bool recompute = values[0] != NULL;
    struct store *st = cli_open_archive(cli, STORE_READ_WRITE);
    if (!st)
        return EXIT_FAILED;
    struct thread_counts threads;
    struct corroborate_counts c;
    struct mt_error err = { 0 };
    mt_status status = archive_recorroborate(st, recompute, cli->body_text_fallback, &threads,
                                             &c, &err);
    store_close(st);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    printf("%lld %s (%lld joined by subject); %lld verified %s for %lld %s in %lld %s ",
           (long long)threads.threads, cli_plural(threads.threads, "conversation", "conversations"),
           (long long)threads.by_subject, (long long)c.verified,
           cli_plural(c.verified, "email vouches", "emails vouch"), (long long)c.spans,
           cli_plural(c.spans, "span", "spans"), (long long)c.emails,
           cli_plural(c.emails, "email", "emails"));
    if (c.unchanged)
        printf("(unchanged: same verified emails and conversations as last time)\n");
    else
        printf("(%lld emails examined)\n", (long long)c.examined);
    return EXIT_DONE;
}
