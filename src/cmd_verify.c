/* cmd_verify.c - `mailtrove verify [--json]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "json.h"
#include "corroborate.h"
#include "verify.h"

int cli_verify_and_report(const struct cli *cli, bool json, bool quiet,
                          int workers)
{
    struct store *st = cli_open_archive(cli, STORE_READ_WRITE);
    if (!st)
        return EXIT_FAILED;
    struct verify_counts c;
    struct mt_error err = { 0 };
    struct verify_options options = {
        .archive_path = cli->archive_path,
        .workers = workers,
        .now = (int64_t)time(NULL),
    };
    mt_status status = verify_archive(st, &options, &c, &err);
    /* New verdicts change who can vouch for what. */
    struct corroborate_counts corroboration;
    if (status == MT_OK)
        status = corroborate_archive(st, &corroboration, &err);
    store_close(st);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    if (quiet)
        return EXIT_DONE;
    if (json) {
        struct buf out = BUF_INIT;
        struct json_writer w;
        json_init(&w, &out);
        json_object_begin(&w);
        json_key(&w, "verified");
        json_int(&w, (int64_t)c.verified);
        json_key(&w, "weak");
        json_int(&w, (int64_t)c.weak);
        json_key(&w, "failed");
        json_int(&w, (int64_t)c.failed);
        json_key(&w, "nokey");
        json_int(&w, (int64_t)c.nokey);
        json_key(&w, "unsigned");
        json_int(&w, (int64_t)c.unsigned_count);
        json_object_end(&w);
        buf_append_char(&out, '\n');
        cli_write_stdout(out.data, out.len);
        buf_free(&out);
    } else {
        printf("verified %llu, weak %llu, failed %llu, no key %llu, unsigned %llu\n",
               (unsigned long long)c.verified, (unsigned long long)c.weak,
               (unsigned long long)c.failed, (unsigned long long)c.nokey,
               (unsigned long long)c.unsigned_count);
        if (c.nokey)
            printf("see 'mailtrove keys missing' for the keys that would check more\n");
    }
    return EXIT_DONE;
}

int cmd_verify(const struct cli *cli, int argc, char **argv)
{
    bool json = false;
    int workers = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (!strncmp(argv[i], "--workers=", 10) && atoi(argv[i] + 10) > 0)
            workers = atoi(argv[i] + 10);
        else
            return cli_usage("verify: unknown argument '%s'", argv[i]);
    }
    return cli_verify_and_report(cli, json, false, workers);
}
