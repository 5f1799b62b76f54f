/* cmd_thread.c - `mailtrove thread [--json] ID` and `mailtrove corroborate` */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cli_options.h"
#include "corroborate.h"
#include "thread.h"
#include "json.h"
#include "report.h"

int cmd_thread(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "json", false } };
    const char *values[CLI_MAX_OPTIONS], *id_text;
    int code = cli_parse_simple("thread", argc, argv, options, 1, values, &id_text, "email id");
    if (code >= 0)
        return code;
    bool json = values[0] != NULL;
    int64_t id;
    if (!cli_parse_id(id_text, &id))
        return cli_usage("thread: give one email id (a positive number)");
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    struct buf out = BUF_INIT;
    struct mt_error err = { 0 };
    mt_status status;
    if (json) {
        struct json_writer w;
        json_init(&w, &out);
        status = report_thread_json(st, id, &w, &err);
        buf_append_char(&out, '\n');
    } else {
        status = report_thread_text(st, id, &out, &err);
    }
    store_close(st);
    bool written = status == MT_OK
                && (json ? cli_write_stdout : cli_write_text)(out.data, out.len);
    buf_free(&out);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    return written ? EXIT_DONE : EXIT_FAILED;
}

/* `mailtrove corroborate [--recompute]`: recompute conversations, then
 * which verified emails vouch for which text (ingest and verify do this
 * themselves); skipped when its inputs are those last computed from,
 * unless --recompute. */
int cmd_corroborate(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "recompute", false } };
    const char *values[CLI_MAX_OPTIONS];
    int code = cli_parse_simple("corroborate", argc, argv, options, 1, values, NULL, NULL);
    if (code >= 0)
        return code;
    bool recompute = values[0] != NULL;
    struct store *st = cli_open_archive(cli, STORE_READ_WRITE);
    if (!st)
        return EXIT_FAILED;
    struct thread_counts threads;
    struct corroborate_counts c;
    struct mt_error err = { 0 };
    mt_status status = recompute ? corroborate_forget_inputs(st, &err) : MT_OK;
    if (status == MT_OK)
        status = thread_rebuild(st, &threads, &err);
    if (status == MT_OK)
        status = corroborate_archive(st, cli->body_text_fallback, &c, &err);
    if (status == MT_OK && c.unchanged)
        status = corroborate_count_stored(st, &c, &err);
    store_close(st);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    printf("%lld %s (%lld joined by subject); %lld verified %s for %lld %s in %lld %s ",
           (long long)threads.threads, cli_plural(threads.threads, "conversation", "conversations"),
           (long long)threads.by_subject, (long long)c.verified,
           cli_plural(c.verified, "email vouches", "emails vouch"), (long long)c.spans,
           cli_plural(c.spans, "span", "spans"), (long long)c.emails,
           cli_plural(c.emails, "email", "emails"));
    if (c.unchanged)
        printf("(unchanged: same verified emails and conversations as last time)\n");
    else
        printf("(%lld emails examined)\n", (long long)c.examined);
    return EXIT_DONE;
}
