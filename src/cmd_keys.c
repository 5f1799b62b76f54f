/* cmd_keys.c - `mailtrove keys import|list|missing` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cli_options.h"
#include "json.h"
#include "verify.h"

static int keys_import(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "source", true } };
    const char *values[CLI_MAX_OPTIONS], *file;
    int code = cli_parse_simple("keys import", argc - 1, argv + 1, options, 1, values, &file,
                                "key record FILE");
    if (code >= 0)
        return code;
    const char *source = values[0];
    struct buf text = BUF_INIT;
    if (!cli_read_file(file, &text)) {
        buf_free(&text);
        return EXIT_FAILED;
    }
    struct store *st = cli_open_archive(cli, STORE_CREATE);
    if (!st) {
        buf_free(&text);
        return EXIT_FAILED;
    }
    struct buf problems = BUF_INIT;
    struct mt_error err = { 0 };
    int imported, duplicates;
    mt_status status = verify_import_keys(st, file, buf_cstr(&text), text.len, source,
                                          &imported, &duplicates, &problems, &err);
    store_close(st);
    buf_free(&text);
    if (problems.len) {
        /* Bad lines are reported and skipped; the rest still load. */
        const char *p = problems.data;
        while (*p) {
            const char *nl = strchr(p, '\n');
            fprintf(stderr, "mailtrove: %.*s\n", (int)(nl - p), p);
            p = nl + 1;
        }
    }
    buf_free(&problems);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    printf("imported %d key records (%d already held); run 'mailtrove verify' to"
           " check signatures with them\n", imported, duplicates);
    return EXIT_DONE;
}

static int keys_list(const struct cli *cli, bool json, bool missing)
{
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    const char *sql = missing
        ? verify_missing_keys_sql
        : "SELECT name, key_type, key_bits, source, imported_at, id FROM key"
          " ORDER BY name, id";
    sqlite3_stmt *s;
    struct mt_error err = { 0 };
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
        store_db_error(st, &err, "listing keys");
        store_close(st);
        return cli_fail_error(MT_EDB, &err);
    }
    struct buf out = BUF_INIT;
    struct json_writer w;
    json_init(&w, &out);
    if (json)
        json_array_begin(&w);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        if (missing) {
            if (json) {
                json_object_begin(&w);
                json_key(&w, "name");
                json_string(&w, name);
                json_key(&w, "messages");
                json_int(&w, sqlite3_column_int64(s, 1));
                json_object_end(&w);
            } else {
                long long n = sqlite3_column_int64(s, 1);
                buf_printf(&out, "%s\t%lld %s\n", name, n, cli_plural(n, "message", "messages"));
            }
        } else if (json) {
            json_object_begin(&w);
            json_key(&w, "id");
            json_int(&w, sqlite3_column_int64(s, 5));
            json_key(&w, "name");
            json_string(&w, name);
            json_key(&w, "type");
            json_string(&w, (const char *)sqlite3_column_text(s, 1));
            json_key(&w, "key_bits");
            json_int(&w, sqlite3_column_int64(s, 2));
            json_key(&w, "source");
            json_string(&w, (const char *)sqlite3_column_text(s, 3));
            json_key(&w, "imported_at");
            json_int(&w, sqlite3_column_int64(s, 4));
            json_object_end(&w);
        } else {
            int bits = sqlite3_column_int(s, 2);
            const char *source = (const char *)sqlite3_column_text(s, 3);
            buf_printf(&out, "%s\t%s\t", name, (const char *)sqlite3_column_text(s, 1));
            if (bits)
                buf_printf(&out, "%d bits", bits);
            else
                buf_append_str(&out, "revoked or unusable");
            buf_printf(&out, "\t%s\n", source ? source : "");
        }
    }
    sqlite3_finalize(s);
    store_close(st);
    if (json) {
        json_array_end(&w);
        buf_append_char(&out, '\n');
    }
    (json ? cli_write_stdout : cli_write_text)(out.data ? out.data : "", out.len);
    buf_free(&out);
    return EXIT_DONE;
}

int cmd_keys(const struct cli *cli, int argc, char **argv)
{
    const char *values[CLI_MAX_OPTIONS];
    if (argc >= 2 && !strcmp(argv[1], "--help"))
        return cli_parse_simple("keys", argc, argv, NULL, 0, values, NULL, NULL);
    if (argc < 2)
        return cli_usage("keys: import, list or missing?");
    if (!strcmp(argv[1], "import"))
        return keys_import(cli, argc, argv);
    bool missing = !strcmp(argv[1], "missing");
    if (!missing && strcmp(argv[1], "list"))
        return cli_usage("keys: unknown subcommand '%s'", argv[1]);
    static const struct cli_option options[] = { { "json", false } };
    int code = cli_parse_simple(missing ? "keys missing" : "keys list", argc - 1, argv + 1,
                                options, 1, values, NULL, NULL);
    if (code >= 0)
        return code;
    return keys_list(cli, values[0] != NULL, missing);
}
