/* cmd_reindex.c - `mailtrove reindex` */
#include <stdio.h>

#include "cli.h"
#include "cli_options.h"
#include "index.h"

int cmd_reindex(const struct cli *cli, int argc, char **argv)
{
    const char *values[CLI_MAX_OPTIONS];
    int code = cli_parse_simple("reindex", argc, argv, NULL, 0, values, NULL, NULL);
    if (code >= 0)
        return code;
    /* the rebuild stores every body text itself: no upgrade first */
    struct cli plain = *cli;
    plain.finish_upgrade = NULL;
    struct store *st = cli_open_archive(&plain, STORE_READ_WRITE);
    if (!st)
        return EXIT_FAILED;
    int64_t count;
    struct mt_error err = { 0 };
    mt_status status = index_rebuild(st, &count, &err);
    store_close(st);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    printf("reindexed %lld %s\n", (long long)count, cli_plural(count, "email", "emails"));
    return EXIT_DONE;
}
