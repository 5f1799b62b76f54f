/* cmd_root.c - `mailtrove root [--json]` and `prove ID [--json]`: the
 * archive's RFC 6962 Merkle root, and one email's inclusion proof. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "json.h"
#include "merkle.h"
#include "text.h"

/* a 32-byte hash in hex */
static void hex(const unsigned char bytes[32], char out[65])
{
    text_hex(bytes, 32, out);
}

int cmd_root(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "json", false } };
    const char *values[CLI_MAX_OPTIONS];
    int code = cli_parse_simple("root", argc, argv, options, 1, values, NULL, NULL);
    if (code >= 0)
        return code;
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    struct mt_error err = { 0 };
    unsigned char root[32];
    uint64_t count;
    mt_status status = merkle_archive_root(st, root, &count, &err);
    store_close(st);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    char root_hex[65];
    hex(root, root_hex);
    if (values[0])
        printf("{\"count\":%llu,\"root\":\"%s\"}\n", (unsigned long long)count, root_hex);
    else
        printf("%llu %s, root %s\n", (unsigned long long)count,
               cli_plural((long long)count, "email", "emails"), root_hex);
    return EXIT_DONE;
}

/* The leaves' data in id order, and where email ID stands among them. */
struct leaves {
    unsigned char (*data)[32];
    uint64_t count, capacity;
    int64_t id;
    uint64_t index;
    bool found, failed;
};

static bool collect_leaf(void *context, int64_t id, const unsigned char *sha256)
{
    struct leaves *l = context;
    if (l->count == l->capacity) {
        uint64_t grown = l->capacity ? l->capacity * 2 : 4096;
        unsigned char (*bigger)[32] = realloc(l->data, grown * 32);
        if (!bigger) {
            l->failed = true;
            return false;
        }
        l->data = bigger;
        l->capacity = grown;
    }
    if (id == l->id) {
        l->index = l->count;
        l->found = true;
    }
    memcpy(l->data[l->count++], sha256, 32);
    return true;
}

int cmd_prove(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "json", false } };
    const char *values[CLI_MAX_OPTIONS], *id_text;
    int code = cli_parse_simple("prove", argc, argv, options, 1, values, &id_text, "email id");
    if (code >= 0)
        return code;
    int64_t id;
    if (!cli_parse_id(id_text, &id))
        return cli_usage("prove: '%s' is not an email id (a positive number)", id_text);
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    struct leaves l = { .id = id };
    struct mt_error err = { 0 };
    mt_status status = store_each_sha256(st, collect_leaf, &l, &err);
    store_close(st);
    if (status == MT_OK && l.failed)
        status = MT_ENOMEM;
    if (status == MT_OK && !l.found)
        status = mt_error_set(&err, MT_ENOTFOUND, "no email with id %lld", (long long)id);
    unsigned char path[64][32], root[32], leaf[32];
    size_t length = 0;
    if (status == MT_OK)
        status = merkle_audit_path((const unsigned char (*)[32])l.data, l.count, l.index,
                                   path, &length);
    if (status != MT_OK) {
        free(l.data);
        return cli_fail_error(status, &err);
    }
    struct merkle_root m;
    merkle_root_init(&m);
    for (uint64_t i = 0; i < l.count; i++)
        merkle_root_add(&m, l.data[i]);
    merkle_root_final(&m, root);
    merkle_root_free(&m);
    merkle_leaf_hash(l.data[l.index], leaf);
    free(l.data);
    char h[65];
    struct buf out = BUF_INIT;
    struct json_writer w;
    json_init(&w, &out);
    json_object_begin(&w);
    json_key(&w, "id");
    json_int(&w, id);
    json_key(&w, "index");
    json_int(&w, (int64_t)l.index);
    json_key(&w, "count");
    json_int(&w, (int64_t)l.count);
    hex(root, h);
    json_key(&w, "root");
    json_string(&w, h);
    hex(leaf, h);
    json_key(&w, "leaf");
    json_string(&w, h);
    json_key(&w, "path");
    json_array_begin(&w);
    for (size_t i = 0; i < length; i++) {
        hex(path[i], h);
        json_string(&w, h);
    }
    json_array_end(&w);
    json_object_end(&w);
    buf_append_char(&out, '\n');
    if (!values[0]) {
        /* for people: the same facts, one a line */
        buf_clear(&out);
        hex(root, h);
        buf_printf(&out, "email %lld is leaf %llu of %llu under root %s\n", (long long)id,
                   (unsigned long long)l.index, (unsigned long long)l.count, h);
        hex(leaf, h);
        buf_printf(&out, "leaf hash %s\naudit path (deepest first):\n", h);
        for (size_t i = 0; i < length; i++) {
            hex(path[i], h);
            buf_printf(&out, "  %s\n", h);
        }
    }
    bool written = cli_write_stdout(out.data, out.len);
    buf_free(&out);
    return written ? EXIT_DONE : EXIT_FAILED;
}
