/* cmd_thread.c - `mailtrove thread [--json] ID` */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "json.h"
#include "report.h"

int cmd_thread(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "json", false } };
    const char *values[CLI_MAX_OPTIONS], *id_text;
    int code = cli_parse_simple("thread", argc, argv, options, 1, values, &id_text, "email id");
    if (code >= 0)
        return code;
    bool json = values[0] != NULL;
    int64_t id;
    if (!cli_parse_id(id_text, &id))
        return cli_usage("thread: give one email id (a positive number)");
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    struct buf out = BUF_INIT;
    struct mt_error err = { 0 };
    mt_status status;
    if (json) {
        struct json_writer w;
        json_init(&w, &out);
        status = report_thread_json(st, id, &w, &err);
        buf_append_char(&out, '\n');
    } else {
        status = report_thread_text(st, id, &out, &err);
    }
    store_close(st);
    bool written = status == MT_OK
                && (json ? cli_write_stdout : cli_write_text)(out.data, out.len);
    buf_free(&out);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    return written ? EXIT_DONE : EXIT_FAILED;
}
