/* cmd_search.c - `mailtrove search`, `count` and `reindex` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "json.h"
#include "search.h"

/* The query is every operand joined by spaces, as a shell user expects
 * (`search from:alice budget`). */
static void join_query(const struct cli_parsed *parsed, struct buf *out)
{
    for (int i = 0; i < parsed->operand_count; i++) {
        if (i)
            buf_append_char(out, ' ');
        buf_append_str(out, parsed->operands[i]);
    }
}

static bool parse_count(const char *text, int64_t *out)
{
    char *end;
    long long n = strtoll(text, &end, 10);
    if (!*text || *end || n < 0)
        return false;
    *out = n;
    return true;
}

/* Word forms need the stemming tokenizer, which only mailtrove-full
 * links (stem.h): the light program hands such a query over. */
static bool needs_full_program(const struct cli *cli, const struct buf *query)
{
    return !cli->prepare_connection && strstr(buf_cstr(query), "stem:") != NULL;
}

/* A search or count that failed, said the way a user can act on. */
static int query_failed(mt_status status, const struct mt_error *err)
{
    if (status == MT_EPARSE)
        return cli_bad_input(err->message);
    if (status == MT_EDB && strstr(err->message, "email_stem"))
        return cli_fail("this archive has no index of word forms: run 'mailtrove reindex "
                        "--language fr' (or en) once to make one");
    return cli_fail_error(status, err);
}

int cmd_search(const struct cli *cli, int argc, char **argv)
{
    bool json = false;
    int64_t limit = 20, offset = 0;
    enum search_sort sort = SEARCH_SORT_DEFAULT;
    static const struct cli_option options[] = {
        { "json", false }, { "limit", true }, { "offset", true }, { "sort", true },
    };
    struct cli_parsed parsed;
    int code = cli_parse_command("search", argc, argv, options, 4, &parsed);
    if (code >= 0)
        return code;
    json = parsed.values[0] != NULL;
    if (parsed.values[1] && !parse_count(parsed.values[1], &limit))
        code = cli_usage("search: --limit expects a number, not '%s'", parsed.values[1]);
    else if (parsed.values[2] && !parse_count(parsed.values[2], &offset))
        code = cli_usage("search: --offset expects a number, not '%s'", parsed.values[2]);
    else if (parsed.values[3] && !search_parse_sort(parsed.values[3], &sort))
        code = cli_usage("search: --sort expects date, -date or relevance");
    struct buf query = BUF_INIT;
    join_query(&parsed, &query);
    cli_parsed_free(&parsed);
    if (code >= 0 || needs_full_program(cli, &query)) {
        buf_free(&query);
        return code >= 0 ? code : EXIT_HAND_OVER;
    }
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st) {
        buf_free(&query);
        return EXIT_FAILED;
    }
    store_keep_small_cache(st);
    if (store_upgrade_pending(st, "index")) {
        /* migration 11 emptied the index and its rebuild was cut short,
         * or the first ingest into the archive is running or was stopped
         * before its index was copied in (index_side.h) */
        buf_free(&query);
        store_close(st);
        return cli_fail("the archive's search index is being rebuilt: it is ready when the "
                        "ingest into this new archive ends; if none is running, run "
                        "'mailtrove reindex' (or any writing command) once to finish it");
    }
    if (!cli->body_text_fallback && store_upgrade_pending(st, "body text")) {
        /* older archive, upgrade pending: only mailtrove-full can make
         * its snippets */
        buf_free(&query);
        store_close(st);
        return EXIT_HAND_OVER;
    }
    struct search_page page;
    struct mt_error err = { 0 };
    mt_status status = search_run(st, buf_cstr(&query), sort, limit, offset, true,
                                  cli->body_text_fallback, &page, &err);
    buf_free(&query);
    store_close(st);
    if (status != MT_OK)
        return query_failed(status, &err);
    struct buf out = BUF_INIT;
    if (json) {
        struct json_writer w;
        json_init(&w, &out);
        search_page_json(&page, &w);
        buf_append_char(&out, '\n');
    } else {
        for (size_t k = 0; k < page.count; k++) {
            const struct search_result *r = &page.results[k];
            buf_printf(&out, "%-7lld %-20s %-11s %s\n        %s\n", (long long)r->id,
                       r->date ? r->date : "(no date)", r->verdict,
                       r->subject ? r->subject : "(no subject)", r->from);
            if (r->snippet && *r->snippet && r->snippet_attachment)
                buf_printf(&out, "        in attachment %d%s%s: %s\n", r->snippet_attachment,
                           r->snippet_attachment_name ? ", " : "",
                           r->snippet_attachment_name ? r->snippet_attachment_name : "",
                           r->snippet);
            else if (r->snippet && *r->snippet)
                buf_printf(&out, "        %s\n", r->snippet);
        }
        buf_printf(&out, "%lld %s", (long long)page.total,
                   page.total == 1 ? "email matches" : "emails match");
        if (page.count)
            buf_printf(&out, "; shown %lld-%lld", (long long)offset + 1,
                       (long long)offset + (long long)page.count);
        buf_append_char(&out, '\n');
    }
    bool written = (json ? cli_write_stdout : cli_write_text)(out.data, out.len);
    buf_free(&out);
    search_page_free(&page);
    return written ? EXIT_DONE : EXIT_FAILED;
}

int cmd_count(const struct cli *cli, int argc, char **argv)
{
    struct cli_parsed parsed;
    int code = cli_parse_command("count", argc, argv, NULL, 0, &parsed);
    if (code >= 0)
        return code;
    struct buf query = BUF_INIT;
    join_query(&parsed, &query);
    cli_parsed_free(&parsed);
    if (needs_full_program(cli, &query)) {
        buf_free(&query);
        return EXIT_HAND_OVER;
    }
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st) {
        buf_free(&query);
        return EXIT_FAILED;
    }
    store_keep_small_cache(st);
    int64_t total;
    struct mt_error err = { 0 };
    mt_status status = search_count(st, buf_cstr(&query), &total, &err);
    buf_free(&query);
    store_close(st);
    if (status != MT_OK)
        return query_failed(status, &err);
    printf("%lld\n", (long long)total);
    return EXIT_DONE;
}
