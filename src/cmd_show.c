/* cmd_show.c - `mailtrove show [--json|--raw] ID` */
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "json.h"
#include "report.h"

int cmd_show(const struct cli *cli, int argc, char **argv)
{
    enum { TEXT, JSON, RAW } format = TEXT;
    const char *id_arg = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            format = JSON;
        else if (!strcmp(argv[i], "--raw"))
            format = RAW;
        else if (argv[i][0] == '-')
            return cli_usage("show: unknown option '%s'", argv[i]);
        else if (id_arg)
            return cli_usage("show: one ID only");
        else
            id_arg = argv[i];
    }
    int64_t id;
    if (!id_arg)
        return cli_usage("show: which email? give its ID");
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
    int code = EXIT_DONE;
    if (status != MT_OK)
        code = cli_fail_error(status, &err);
    else if (!(format == TEXT ? cli_write_text : cli_write_stdout)(out.data ? out.data : "",
                                                                  out.len))
        code = cli_fail("could not write the output");
    buf_free(&out);
    store_close(st);
    return code;
}
