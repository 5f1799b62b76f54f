/* cmd_reindex.c - `mailtrove reindex` */
#include <stdio.h>

#include "cli.h"
#include "index.h"

int cmd_reindex(const struct cli *cli, int argc, char **argv)
{
    if (argc > 1)
        return cli_usage("reindex: unknown argument '%s'", argv[1]);
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
    printf("reindexed %lld emails\n", (long long)count);
    return EXIT_DONE;
}
