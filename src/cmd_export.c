/* cmd_export.c - `mailtrove export [--format mbox|jsonl] [QUERY...]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "cli_options.h"
#include "web.h"
#include "json.h"
#include "report.h"
#include "search.h"

static bool contains_id(const int64_t *ids, size_t count, int64_t id)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < count && ids[lo] == id;
}

/* mboxrd (CONTRACT.md): every line matching ^>*From gains one '>', so
 * the export splits back into exactly the stored messages. */
static mt_status append_mboxrd(struct buf *out, const char *data, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t line_len = nl ? (size_t)(nl - (data + i)) + 1 : len - i;
        size_t k = i;
        while (k < i + line_len && data[k] == '>')
            k++;
        if (i + line_len - k >= 5 && !memcmp(data + k, "From ", 5)
            && buf_append_char(out, '>') != MT_OK)
            return MT_ENOMEM;
        if (buf_append(out, data + i, line_len) != MT_OK)
            return MT_ENOMEM;
        i += line_len;
    }
    if (len && data[len - 1] != '\n' && buf_append_char(out, '\n') != MT_OK)
        return MT_ENOMEM;
    return buf_append_char(out, '\n');
}

/* export --format site DIR [--search-url URL] (web.h). */
static int export_site(const struct cli *cli, const char *dir, const char *search_url)
{
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);   /* its errors, worded */
    if (!st)
        return EXIT_FAILED;
    store_close(st);
    struct web_site_options options = { .archive_path = cli->archive_path, .dir = dir,
                                        .search_url = search_url };
    struct web_site_counts counts;
    struct mt_error err = { 0 };
    mt_status status = web_export_site(&options, &counts, &err);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    printf("exported %llu %s to %s: %llu pages, %llu files, %llu bytes\n",
           (unsigned long long)counts.emails, cli_plural((long long)counts.emails, "email",
                                                         "emails"),
           dir, (unsigned long long)counts.pages, (unsigned long long)counts.files,
           (unsigned long long)counts.bytes);
    return EXIT_DONE;
}

int cmd_export(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "format", true }, { "search-url", true } };
    struct cli_parsed parsed;
    int code = cli_parse_command("export", argc, argv, options, 2, &parsed);
    if (code >= 0)
        return code;
    const char *format = parsed.values[0] ? parsed.values[0] : "mbox";
    bool jsonl = !strcmp(format, "jsonl"), site = !strcmp(format, "site");
    bool opensearch = !strcmp(format, "opensearch");
    if (!jsonl && !site && !opensearch && strcmp(format, "mbox")) {
        cli_parsed_free(&parsed);
        return cli_usage("export: --format is mbox, jsonl, site or opensearch, not '%s'",
                         format);
    }
    if (opensearch) {
        const char *dir = parsed.operand_count == 1 ? parsed.operands[0] : NULL;
        cli_parsed_free(&parsed);
        if (!dir)
            return cli_usage("export --format opensearch: give one DIR to write into");
        return cli_export_opensearch(cli, dir);
    }
    if (parsed.values[1] && !site) {
        cli_parsed_free(&parsed);
        return cli_usage("export: --search-url is for --format site");
    }
    if (site) {
        const char *dir = parsed.operand_count == 1 ? parsed.operands[0] : NULL;
        const char *search_url = parsed.values[1];
        cli_parsed_free(&parsed);
        if (!dir)
            return cli_usage("export --format site: give one DIR to write the site into");
        return export_site(cli, dir, search_url);
    }
    /* the operands are the query, as for search */
    struct buf query = BUF_INIT;
    for (int i = 0; i < parsed.operand_count; i++) {
        if (query.len)
            buf_append_char(&query, ' ');
        buf_append_str(&query, parsed.operands[i]);
    }
    cli_parsed_free(&parsed);
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st) {
        buf_free(&query);
        return EXIT_FAILED;
    }
    sqlite3_stmt *s;
    struct mt_error err = { 0 };
    code = EXIT_DONE;
    int64_t *selected = NULL;
    size_t selected_count = 0;
    bool filtered = query.len > 0;
    if (filtered) {
        mt_status status = search_all_ids(st, buf_cstr(&query), &selected, &selected_count, &err);
        buf_free(&query);
        if (status != MT_OK) {
            store_close(st);
            return status == MT_EPARSE ? cli_bad_input(err.message) : cli_fail_error(status, &err);
        }
    }
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT e.id, e.date, e.from_addr,"
                           " (SELECT separator FROM source WHERE email_id = e.id"
                           "  AND separator IS NOT NULL ORDER BY id LIMIT 1)"
                           " FROM email e ORDER BY e.id", -1, &s, NULL) != SQLITE_OK) {
        store_db_error(st, &err, "exporting");
        store_close(st);
        return cli_fail_error(MT_EDB, &err);
    }
    struct buf raw = BUF_INIT, out = BUF_INIT;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        if (filtered && !contains_id(selected, selected_count, id))
            continue;
        mt_status status;
        buf_clear(&out);
        if (jsonl) {
            struct json_writer w;
            json_init(&w, &out);
            status = report_email_json(st, id, &w, &err);
            buf_append_char(&out, '\n');
        } else {
            status = store_get_raw(st, id, &raw, &err);
            if (status == MT_OK) {
                const char *separator = (const char *)sqlite3_column_text(s, 3);
                if (separator) {
                    buf_printf(&out, "%s\n", separator);
                } else {
                    /* No envelope was recorded: make the usual one. */
                    char date[64] = "Thu Jan  1 00:00:00 1970";
                    if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
                        time_t t = (time_t)sqlite3_column_int64(s, 1);
                        struct tm tm;
                        if (gmtime_r(&t, &tm))
                            strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
                    }
                    const char *from = (const char *)sqlite3_column_text(s, 2);
                    buf_printf(&out, "From %s %s\n",
                               from && *from && !strchr(from, ' ') ? from
                                                                   : "MAILER-DAEMON",
                               date);
                }
                status = append_mboxrd(&out, raw.data ? raw.data : "", raw.len);
            }
        }
        if (status != MT_OK) {
            code = cli_fail_error(status, &err);
            break;
        }
        if (!cli_write_stdout(out.data, out.len)) {
            code = cli_fail("could not write the output");
            break;
        }
    }
    if (code == EXIT_DONE && rc != SQLITE_DONE) {
        store_db_error(st, &err, "exporting");
        code = cli_fail_error(MT_EDB, &err);
    }
    sqlite3_finalize(s);
    free(selected);
    buf_free(&query);
    buf_free(&raw);
    buf_free(&out);
    store_close(st);
    return code;
}
