/* cmd_stats.c - `mailtrove stats [--json]` */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "json.h"
#include "report.h"

int cmd_stats(const struct cli *cli, int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else
            return cli_usage("stats: unknown argument '%s'", argv[i]);
    }
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
        /* The human form is the same facts, one per line. */
        const char *p = out.data;
        printf("archive: %s\n", cli->archive_path);
        for (; *p; p++) {
            if (*p == '{' || *p == '}' || *p == '"')
                continue;
            if (*p == ',') {
                putchar('\n');
                continue;
            }
            if (*p == ':' && p[1] != '/' && !(p[-1] >= '0' && p[-1] <= '9'))
                fputs(": ", stdout);
            else
                putchar(*p);
        }
        putchar('\n');
    }
    buf_free(&out);
    return EXIT_DONE;
}
