/* cmd_show.c - `mailtrove show [--json|--raw] ID` */
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "json.h"
#include "report.h"

int cmd_show(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "json", false }, { "raw", false } };
    const char *values[CLI_MAX_OPTIONS], *id_arg;
    int code = cli_parse_simple("show", argc, argv, options, 2, values, &id_arg, "email id");
    if (code >= 0)
        return code;
    if (values[0] && values[1])
        return cli_usage("show: --json or --raw, not both");
    enum { TEXT, JSON, RAW } format = values[0] ? JSON : values[1] ? RAW : TEXT;
    int64_t id;
    if (!cli_parse_id(id_arg, &id))
        return cli_usage("show: '%s' is not an email id (a positive number)", id_arg);
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    struct buf out = BUF_INIT;
    struct mt_error err = { 0 };
    mt_status status;
    if (format == RAW) {
        status = store_get_raw(st, id, &out, &err);
    } else if (format == JSON) {
        struct json_writer w;
        json_init(&w, &out);
        status = report_email_json(st, id, &w, &err);
        buf_append_char(&out, '\n');
    } else {
        status = report_email_text(st, id, &out, &err);
    }
    code = EXIT_DONE;
    if (status != MT_OK)
        code = cli_fail_error(status, &err);
    else if (!(format == TEXT ? cli_write_text : cli_write_stdout)(out.data ? out.data : "",
                                                                  out.len))
        code = cli_fail("could not write the output");
    buf_free(&out);
    store_close(st);
    return code;
}
