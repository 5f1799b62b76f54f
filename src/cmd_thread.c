/* cmd_thread.c - `mailtrove thread [--json] ID` and `mailtrove corroborate` */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "corroborate.h"
#include "thread.h"
#include "json.h"
#include "report.h"

int cmd_thread(const struct cli *cli, int argc, char **argv)
{
    bool json = false;
    const char *id_text = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (!id_text && argv[i][0] != '-')
            id_text = argv[i];
        else
            return cli_usage("thread: unknown argument '%s'", argv[i]);
    }
    int64_t id;
    if (!id_text || !cli_parse_id(id_text, &id))
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
    bool recompute = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--recompute"))
            recompute = true;
        else
            return cli_usage("corroborate: unknown argument '%s'", argv[i]);
    }
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
    printf("%lld conversations (%lld joined by subject); %lld verified emails vouch for "
           "%lld spans in %lld emails ", (long long)threads.threads,
           (long long)threads.by_subject, (long long)c.verified, (long long)c.spans,
           (long long)c.emails);
    if (c.unchanged)
        printf("(unchanged: same verified emails and conversations as last time)\n");
    else
        printf("(%lld emails examined)\n", (long long)c.examined);
    return EXIT_DONE;
}
