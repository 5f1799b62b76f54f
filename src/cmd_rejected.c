/* cmd_rejected.c - `mailtrove rejected [--json]` */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cli_options.h"
#include "json.h"

int cmd_rejected(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "json", false } };
    const char *values[CLI_MAX_OPTIONS];
    int code = cli_parse_simple("rejected", argc, argv, options, 1, values, NULL, NULL);
    if (code >= 0)
        return code;
    bool json = values[0] != NULL;
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    sqlite3_stmt *s;
    struct mt_error err = { 0 };
    if (sqlite3_prepare_v2(store_db(st), "SELECT path, offset, member, reason"
                           " FROM rejected ORDER BY id", -1, &s, NULL) != SQLITE_OK) {
        store_db_error(st, &err, "listing rejections");
        store_close(st);
        return cli_fail_error(MT_EDB, &err);
    }
    struct buf out = BUF_INIT;
    struct json_writer w;
    json_init(&w, &out);
    if (json)
        json_array_begin(&w);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(s, 0);
        const char *member = (const char *)sqlite3_column_text(s, 2);
        const char *reason = (const char *)sqlite3_column_text(s, 3);
        bool has_offset = sqlite3_column_type(s, 1) != SQLITE_NULL;
        long long offset = sqlite3_column_int64(s, 1);
        if (json) {
            json_object_begin(&w);
            json_key(&w, "source");
            json_string(&w, path);
            json_key(&w, "offset");
            if (has_offset)
                json_int(&w, offset);
            else
                json_null(&w);
            json_key(&w, "member");
            json_string(&w, member);
            json_key(&w, "reason");
            json_string(&w, reason);
            json_object_end(&w);
        } else {
            buf_append_str(&out, path);
            if (member)
                buf_printf(&out, " [%s]", member);
            if (has_offset)
                buf_printf(&out, " at byte %lld", offset);
            buf_printf(&out, ": %s\n", reason);
        }
        if (out.len > (1 << 16)) {
            (json ? cli_write_stdout : cli_write_text)(out.data, out.len);
            buf_clear(&out);
        }
    }
    sqlite3_finalize(s);
    if (json) {
        json_array_end(&w);
        buf_append_char(&out, '\n');
    }
    code = EXIT_DONE;
    if (rc != SQLITE_DONE) {
        store_db_error(st, &err, "listing rejections");
        code = cli_fail_error(MT_EDB, &err);
    } else {
        (json ? cli_write_stdout : cli_write_text)(out.data ? out.data : "", out.len);
    }
    buf_free(&out);
    store_close(st);
    return code;
}
