/* cmd_sources.c - `mailtrove sources [--json]`: per source file, what the
 * last ingest of it read, stored, found already archived and rejected,
 * and what a store's folders promised (source_ledger.h). */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "json.h"
#include "source_ledger.h"

static void write_json(struct buf *out, const struct source_ledger_row *rows, size_t n)
{
    struct json_writer w;
    json_init(&w, out);
    json_array_begin(&w);
    for (size_t i = 0; i < n; i++) {
        const struct source_ledger_row *r = &rows[i];
        json_object_begin(&w);
        json_key(&w, "path");
        json_string(&w, r->path);
        json_key(&w, "kind");
        json_string(&w, r->kind);
        json_key(&w, "read");
        json_int(&w, (int64_t)r->read);
        json_key(&w, "stored");
        json_int(&w, (int64_t)r->stored);
        json_key(&w, "duplicates");
        json_int(&w, (int64_t)r->duplicates);
        json_key(&w, "rejected");
        json_int(&w, (int64_t)r->rejected);
        json_key(&w, "expected");
        if (r->expected >= 0)
            json_int(&w, r->expected);
        else
            json_null(&w);
        json_object_end(&w);
    }
    json_array_end(&w);
    buf_append_char(out, '\n');
}

static void write_text(struct buf *out, const struct source_ledger_row *rows, size_t n)
{
    if (n == 0) {
        buf_append_str(out, "no source files recorded (archives made before version 11 "
                            "list none until their sources are ingested again)\n");
        return;
    }
    buf_printf(out, "%8s %8s %8s %8s %8s  %-9s %s\n", "read", "stored", "dups", "rejected",
               "expected", "kind", "path");
    for (size_t i = 0; i < n; i++) {
        const struct source_ledger_row *r = &rows[i];
        char expected[24] = "-";
        if (r->expected >= 0)
            snprintf(expected, sizeof expected, "%lld", (long long)r->expected);
        buf_printf(out, "%8llu %8llu %8llu %8llu %8s  %-9s %s%s\n",
                   (unsigned long long)r->read, (unsigned long long)r->stored,
                   (unsigned long long)r->duplicates, (unsigned long long)r->rejected,
                   expected, r->kind, r->path,
                   r->expected > (int64_t)r->read ? "  (read fewer items than it promises)" : "");
    }
}

int cmd_sources(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "json", false } };
    const char *values[CLI_MAX_OPTIONS];
    int code = cli_parse_simple("sources", argc, argv, options, 1, values, NULL, NULL);
    if (code >= 0)
        return code;
    bool json = values[0] != NULL;
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    struct source_ledger_row *rows;
    size_t n;
    struct mt_error err = { 0 };
    mt_status status = source_ledger_list(st, false, 0, &rows, &n, &err);
    store_close(st);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    struct buf out = BUF_INIT;
    if (json)
        write_json(&out, rows, n);
    else
        write_text(&out, rows, n);
    source_ledger_free(rows, n);
    (json ? cli_write_stdout : cli_write_text)(out.data ? out.data : "", out.len);
    buf_free(&out);
    return EXIT_DONE;
}
