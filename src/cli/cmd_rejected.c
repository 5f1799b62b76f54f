/* cmd_rejected.c - `mailtrove rejected [--json]` */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "json.h"

struct rejection_listing {
    struct json_writer w;
    struct buf out;
    bool json;
};

static bool list_rejection(void *context, const struct store_rejection *r)
{
    struct rejection_listing *l = context;
    if (l->json) {
        json_object_begin(&l->w);
        json_key(&l->w, "source");
        json_string(&l->w, r->path);
        json_key(&l->w, "offset");
        if (r->has_offset)
            json_int(&l->w, r->offset);
        else
            json_null(&l->w);
        json_key(&l->w, "member");
        json_string(&l->w, r->member);
        json_key(&l->w, "reason");
        json_string(&l->w, r->reason);
        json_object_end(&l->w);
    } else {
        buf_append_str(&l->out, r->path);
        if (r->member)
            buf_printf(&l->out, " [%s]", r->member);
        if (r->has_offset)
            buf_printf(&l->out, " at byte %lld", (long long)r->offset);
        buf_printf(&l->out, ": %s\n", r->reason);
    }
    /* written as it goes: a hostile dump can have millions */
    if (l->out.len > (1 << 16)) {
        (l->json ? cli_write_stdout : cli_write_text)(l->out.data, l->out.len);
        buf_clear(&l->out);
    }
    return true;
}

int cmd_rejected(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "json", false } };
    const char *values[CLI_MAX_OPTIONS];
    int code = cli_parse_simple("rejected", argc, argv, options, 1, values, NULL, NULL);
    if (code >= 0)
        return code;
    struct rejection_listing l = { .out = BUF_INIT, .json = values[0] != NULL };
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    struct mt_error err = { 0 };
    json_init(&l.w, &l.out);
    if (l.json)
        json_array_begin(&l.w);
    mt_status status = store_each_rejection(st, list_rejection, &l, &err);
    store_close(st);
    if (l.json) {
        json_array_end(&l.w);
        buf_append_char(&l.out, '\n');
    }
    code = EXIT_DONE;
    if (status != MT_OK)
        code = cli_fail_error(status, &err);
    else
        (l.json ? cli_write_stdout : cli_write_text)(l.out.data ? l.out.data : "", l.out.len);
    buf_free(&l.out);
    return code;
}
