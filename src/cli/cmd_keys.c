/* cmd_keys.c - `mailtrove keys import|list|missing` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "json.h"
#include "text.h"
#include "verify.h"

/* Whether TEXT (N bytes) is a date text_parse_date reads. */
static bool is_date(const char *text, size_t n)
{
    int64_t from, to;
    return text_parse_date(text, n, &from, &to);
}

/* --seen FROM..TO into FACTS (SPEC's ends copied into FROM and TO, each
 * 16 bytes); a usage code on a bad one, else -1. */
static int parse_seen(const char *spec, struct verify_key_facts *facts, char from[16],
                      char to[16])
{
    const char *dots = strstr(spec, "..");
    size_t from_len = dots ? (size_t)(dots - spec) : 0;
    size_t to_len = dots ? strlen(dots + 2) : 0;
    if (!dots || (!from_len && !to_len) || from_len >= 16 || to_len >= 16
        || (from_len && !is_date(spec, from_len)) || (to_len && !is_date(dots + 2, to_len)))
        return cli_usage("keys import: --seen takes FROM..TO, dates as YYYY-MM-DD (either end"
                         " may be empty: 2016-01-01.. or ..2017-06-30), not '%s'", spec);
    memcpy(from, spec, from_len);
    from[from_len] = '\0';
    memcpy(to, dots + 2, to_len);
    to[to_len] = '\0';
    facts->seen_given = true;
    facts->seen_from = from_len ? from : NULL;
    facts->seen_to = to_len ? to : NULL;
    return -1;
}

static int keys_import(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = { { "source", true }, { "seen", true },
                                                 { "private-published", true } };
    const char *values[CLI_MAX_OPTIONS], *file;
    int code = cli_parse_simple("keys import", argc - 1, argv + 1, options, 3, values, &file,
                                "key record FILE");
    if (code >= 0)
        return code;
    struct verify_key_facts facts = { .source = values[0], .private_published = values[2] };
    char seen_from[16], seen_to[16];
    if (values[1] && (code = parse_seen(values[1], &facts, seen_from, seen_to)) >= 0)
        return code;
    if (values[2] && !is_date(values[2], strlen(values[2])))
        return cli_usage("keys import: --private-published takes a date (YYYY-MM-DD), not '%s'",
                         values[2]);
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
    mt_status status = verify_import_keys(st, file, buf_cstr(&text), text.len, &facts,
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

struct key_listing {
    struct json_writer w;
    struct buf *out;
    bool json;
};

static bool list_missing(void *context, const char *name, int64_t messages)
{
    struct key_listing *l = context;
    if (l->json) {
        json_object_begin(&l->w);
        json_key(&l->w, "name");
        json_string(&l->w, name);
        json_key(&l->w, "messages");
        json_int(&l->w, messages);
        json_object_end(&l->w);
    } else {
        buf_printf(l->out, "%s\t%lld %s\n", name, (long long)messages,
                   cli_plural(messages, "message", "messages"));
    }
    return true;
}

static bool list_key(void *context, const struct verify_key_info *k)
{
    struct key_listing *l = context;
    if (l->json) {
        struct json_writer *w = &l->w;
        json_object_begin(w);
        json_key(w, "id");
        json_int(w, k->id);
        json_key(w, "name");
        json_string(w, k->name);
        json_key(w, "type");
        json_string(w, k->type);
        json_key(w, "key_bits");
        json_int(w, k->bits);
        json_key(w, "source");
        json_string(w, k->source);
        json_key(w, "imported_at");
        json_int(w, k->imported_at);
        json_key(w, "seen_from");
        json_string(w, k->seen_from);
        json_key(w, "seen_to");
        json_string(w, k->seen_to);
        json_key(w, "private_published");
        json_string(w, k->private_published);
        json_object_end(w);
        return true;
    }
    buf_printf(l->out, "%s\t%s\t", k->name, k->type);
    if (k->bits)
        buf_printf(l->out, "%d bits", k->bits);
    else
        buf_append_str(l->out, "revoked or unusable");
    buf_printf(l->out, "\t%s", k->source ? k->source : "");
    if (k->seen_from || k->seen_to)
        buf_printf(l->out, "\tseen %s..%s", k->seen_from ? k->seen_from : "",
                   k->seen_to ? k->seen_to : "");
    if (k->private_published)
        buf_printf(l->out, "\tprivate key published %s", k->private_published);
    buf_append_char(l->out, '\n');
    return true;
}

static int keys_list(const struct cli *cli, bool json, bool missing)
{
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    struct buf out = BUF_INIT;
    struct key_listing l = { .out = &out, .json = json };
    struct mt_error err = { 0 };
    json_init(&l.w, &out);
    if (json)
        json_array_begin(&l.w);
    mt_status status = missing ? verify_each_missing_key(st, list_missing, &l, &err)
                               : verify_each_key(st, list_key, &l, &err);
    store_close(st);
    if (status != MT_OK) {
        buf_free(&out);
        return cli_fail_error(status, &err);
    }
    if (json) {
        json_array_end(&l.w);
        buf_append_char(&out, '\n');
    }
    (json ? cli_write_stdout : cli_write_text)(out.data ? out.data : "", out.len);
    buf_free(&out);
    return EXIT_DONE;
}

static void recovery_json(const struct verify_recovery *r, size_t count, struct buf *out)
{
    struct json_writer w;
    json_init(&w, out);
    json_array_begin(&w);
    for (size_t i = 0; i < count; i++) {
        json_object_begin(&w);
        json_key(&w, "name");
        json_string(&w, r[i].name);
        json_key(&w, "signatures");
        json_int(&w, (int64_t)r[i].signatures);
        json_key(&w, "recovered");
        json_bool(&w, r[i].recovered);
        json_key(&w, "key_bits");
        if (r[i].recovered)
            json_int(&w, r[i].key_bits);
        else
            json_null(&w);
        json_key(&w, "verified");
        json_int(&w, (int64_t)r[i].verified);
        json_object_end(&w);
    }
    json_array_end(&w);
    buf_append_char(out, '\n');
}

static void recovery_text(const struct verify_recovery *r, size_t count, struct buf *out)
{
    if (!count)
        buf_append_str(out, "no RSA signature lacks a key: nothing to recover\n");
    for (size_t i = 0; i < count; i++) {
        if (r[i].recovered)
            buf_printf(out, "%s: recovered %s%d-bit key%s from %zu %s; %zu now verify\n",
                       r[i].name, r[i].keys > 1 ? "" : "a ", r[i].key_bits,
                       r[i].keys > 1 ? "s (the largest)" : "", r[i].signatures,
                       cli_plural((long long)r[i].signatures, "signature", "signatures"),
                       r[i].verified);
        else
            buf_printf(out, "%s: nothing recovered from %zu %s: %s\n", r[i].name,
                       r[i].signatures,
                       cli_plural((long long)r[i].signatures, "signature", "signatures"),
                       r[i].why);
    }
}

/* keys recover: at most this many GCDs per name (each some seconds for
 * 2048-bit signatures; two good signatures need one) */
#define RECOVER_MAX_GCDS 8

static int keys_recover(const struct cli *cli, bool json)
{
    struct store *st = cli_open_archive(cli, STORE_READ_WRITE);
    if (!st)
        return EXIT_FAILED;
    struct verify_recovery *results;
    size_t count;
    struct mt_error err = { 0 };
    mt_status status = verify_recover_keys(st, RECOVER_MAX_GCDS, &results, &count, &err);
    store_close(st);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    bool any = false;
    for (size_t i = 0; i < count; i++)
        any |= results[i].recovered;
    /* the recovered keys decide verdicts only once verify has run */
    int code = any ? cli_verify_and_report(cli, false, true, 0) : EXIT_DONE;
    if (code == EXIT_DONE && (st = cli_open_archive(cli, STORE_READ_ONLY))) {
        status = verify_recovery_count_passing(st, results, count, &err);
        store_close(st);
        if (status != MT_OK)
            code = cli_fail_error(status, &err);
    } else if (code == EXIT_DONE) {
        code = EXIT_FAILED;
    }
    if (code == EXIT_DONE) {
        struct buf out = BUF_INIT;
        (json ? recovery_json : recovery_text)(results, count, &out);
        (json ? cli_write_stdout : cli_write_text)(out.data, out.len);
        buf_free(&out);
    }
    verify_recoveries_free(results, count);
    return code;
}

int cmd_keys(const struct cli *cli, int argc, char **argv)
{
    const char *values[CLI_MAX_OPTIONS];
    if (argc >= 2 && !strcmp(argv[1], "--help"))
        return cli_parse_simple("keys", argc, argv, NULL, 0, values, NULL, NULL);
    if (argc < 2)
        return cli_usage("keys: import, list, missing or recover?");
    if (!strcmp(argv[1], "import"))
        return keys_import(cli, argc, argv);
    bool missing = !strcmp(argv[1], "missing"), recover = !strcmp(argv[1], "recover");
    if (!missing && !recover && strcmp(argv[1], "list"))
        return cli_usage("keys: unknown subcommand '%s'", argv[1]);
    static const struct cli_option options[] = { { "json", false } };
    int code = cli_parse_simple(missing ? "keys missing" : recover ? "keys recover" : "keys list",
                                argc - 1, argv + 1, options, 1, values, NULL, NULL);
    if (code >= 0)
        return code;
    if (recover)
        return keys_recover(cli, values[0] != NULL);
    return keys_list(cli, values[0] != NULL, missing);
}
