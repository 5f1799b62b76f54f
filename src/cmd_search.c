/* cmd_search.c - `mailtrove search`, `count` and `reindex` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "json.h"
#include "search.h"

/* The query is every remaining argument joined by spaces, as a shell
 * user expects (`search from:alice budget`). */
static void join_query(int argc, char **argv, int first, struct buf *out)
{
    for (int i = first; i < argc; i++) {
        if (i > first)
            buf_append_char(out, ' ');
        buf_append_str(out, argv[i]);
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

int cmd_search(const struct cli *cli, int argc, char **argv)
{
    bool json = false;
    int64_t limit = 20, offset = 0;
    enum search_sort sort = SEARCH_SORT_DEFAULT;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--json"))
            json = true;
        else if (!strcmp(arg, "--limit") && i + 1 < argc) {
            if (!parse_count(argv[++i], &limit))
                return cli_usage("search: --limit expects a number, not '%s'", argv[i]);
        } else if (!strcmp(arg, "--offset") && i + 1 < argc) {
            if (!parse_count(argv[++i], &offset))
                return cli_usage("search: --offset expects a number, not '%s'", argv[i]);
        } else if (!strcmp(arg, "--sort") && i + 1 < argc) {
            if (!search_parse_sort(argv[++i], &sort))
                return cli_usage("search: --sort expects date, -date or relevance");
        } else if (!strcmp(arg, "--")) {
            i++;
            break;
        } else {
            return cli_usage("search: unknown option '%s'", arg);
        }
    }
    struct buf query = BUF_INIT;
    join_query(argc, argv, i, &query);
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st) {
        buf_free(&query);
        return EXIT_FAILED;
    }
    store_keep_small_cache(st);
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
    if (status == MT_EPARSE)
        return cli_bad_input(err.message);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
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
            if (r->snippet && *r->snippet)
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
    int i = 1;
    if (i < argc && !strcmp(argv[i], "--"))
        i++;
    else if (i < argc && argv[i][0] == '-' && argv[i][1] == '-')
        return cli_usage("count: unknown option '%s'", argv[i]);
    struct buf query = BUF_INIT;
    join_query(argc, argv, i, &query);
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
    if (status == MT_EPARSE)
        return cli_bad_input(err.message);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    printf("%lld\n", (long long)total);
    return EXIT_DONE;
}
