/* cmd_stats.c - `mailtrove stats [--json]` */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "json.h"
#include "report.h"

/* The human form: the same facts, read back from the JSON document so the
 * two can never disagree. */
static void print_human(const char *archive, const struct buf *json)
{
    static const char *const keys[][2] = {
        { "emails", "emails" }, { "attachments", "attachments" },
        { "unique_senders", "unique_senders" }, { "date_first", "date_first" },
        { "date_last", "date_last" }, { "rejected", "rejected" },
        { "verified", "verified" }, { "weak", "weak" }, { "failed", "failed" },
        { "altered", "  altered since signed" }, { "unchecked", "  could not be checked" },
        { "nokey", "nokey" }, { "unsigned", "unsigned" }, { "affiliated", "affiliated" },
    };
    printf("%-24s %s\n", "archive:", archive);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char value[256];
        if (report_stats_value(json->data, keys[i][0], value, sizeof value))
            printf("%-24s %s\n", keys[i][1], value);
    }
}

int cmd_stats(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "json", false } };
    const char *values[CLI_MAX_OPTIONS];
    int code = cli_parse_simple("stats", argc, argv, options, 1, values, NULL, NULL);
    if (code >= 0)
        return code;
    bool json = values[0] != NULL;
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    struct buf out = BUF_INIT;
    struct json_writer w;
    struct mt_error err = { 0 };
    json_init(&w, &out);
    mt_status status = report_stats_json(st, &w, &err);
    store_close(st);
    if (status != MT_OK) {
        buf_free(&out);
        return cli_fail_error(status, &err);
    }
    if (json) {
        buf_append_char(&out, '\n');
        cli_write_stdout(out.data, out.len);
    } else {
        print_human(cli->archive_path, &out);
    }
    buf_free(&out);
    return EXIT_DONE;
}
