/* cmd_export.c - `mailtrove export [--format mbox|jsonl] [QUERY...]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
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

/* One export (mbox or jsonl) under way. */
struct export_run {
    struct store *st;
    bool jsonl, filtered;
    int64_t *selected;       /* the query's ids, sorted, when filtered */
    size_t selected_count;
    struct buf raw, out;
    int code;
    struct mt_error *err;
};

/* Email E written to stdout as mboxrd or a show --json line. */
static bool export_one(void *context, const struct store_envelope *e)
{
    struct export_run *run = context;
    if (run->filtered && !contains_id(run->selected, run->selected_count, e->id))
        return true;
    mt_status status;
    struct buf *out = &run->out;
    buf_clear(out);
    if (run->jsonl) {
        struct json_writer w;
        json_init(&w, out);
        status = report_email_json(run->st, e->id, &w, run->err);
        buf_append_char(out, '\n');
    } else {
        status = store_get_raw(run->st, e->id, &run->raw, run->err);
        if (status == MT_OK) {
            if (e->separator) {
                buf_printf(out, "%s\n", e->separator);
            } else {
                /* No envelope was recorded: make the usual one. */
                char date[64] = "Thu Jan  1 00:00:00 1970";
                if (e->has_date) {
                    time_t t = (time_t)e->date;
                    struct tm tm;
                    if (gmtime_r(&t, &tm))
                        strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
                }
                const char *from = e->from_addr;
                buf_printf(out, "From %s %s\n",
                           from && *from && !strchr(from, ' ') ? from : "MAILER-DAEMON", date);
            }
            status = append_mboxrd(out, run->raw.data ? run->raw.data : "", run->raw.len);
        }
    }
    if (status != MT_OK) {
        run->code = cli_fail_error(status, run->err);
        return false;
    }
    if (!cli_write_stdout(out->data, out->len)) {
        run->code = cli_fail("could not write the output");
        return false;
    }
    return true;
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
    struct mt_error err = { 0 };
    struct export_run run = { .st = st, .jsonl = jsonl, .code = EXIT_DONE, .err = &err };
    if (query.len) {
        mt_status status = search_all_ids(st, buf_cstr(&query), &run.selected,
                                          &run.selected_count, &err);
        buf_free(&query);
        if (status != MT_OK) {
            store_close(st);
            return status == MT_EPARSE ? cli_bad_input(err.message) : cli_fail_error(status, &err);
        }
        run.filtered = true;
    }
    mt_status status = store_each_envelope(st, export_one, &run, &err);
    if (status != MT_OK && run.code == EXIT_DONE)
        run.code = cli_fail_error(status, &err);
    free(run.selected);
    buf_free(&query);
    buf_free(&run.raw);
    buf_free(&run.out);
    store_close(st);
    return run.code;
}
