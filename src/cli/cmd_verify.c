/* cmd_verify.c - `mailtrove verify [--json] [--workers=N] [--dns[-server=ADDR]]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "corroborate.h"
#include "dns.h"
#include "json.h"
#include "text.h"
#include "verify.h"

/*
 * `verify --dns`: look up, once, each key that signatures name and the
 * archive lacks, and keep what DNS answers today as a key record whose
 * source says so, with the time it was seen (docs/dkim.md).
 */

/* verify --dns: each missing key name looked up, the answers as zone lines. */
struct dns_pass {
    const char *server;
    struct buf *zone, records;
    int looked_up, found, absent, failed;
};

static bool look_up_key(void *context, const char *name, int64_t messages)
{
    (void)messages;
    struct dns_pass *p = context;
    struct mt_error lookup_err = { 0 };
    buf_clear(&p->records);
    p->looked_up++;
    mt_status status = dns_lookup_txt(name, p->server, &p->records, &lookup_err);
    if (status == MT_ENOTFOUND) {
        p->absent++;
        return true;
    }
    if (status != MT_OK) {
        p->failed++;
        cli_fail("%s", lookup_err.message[0] ? lookup_err.message : mt_strerror(status));
        return true;
    }
    p->found++;
    /* as key-file lines, so they go through the same parser as files */
    char *save = NULL;
    for (char *line = strtok_r(p->records.data, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        buf_printf(p->zone, "%s TXT \"", name);
        for (const char *c = line; *c; c++) {
            if (*c == '"' || *c == '\\')
                buf_append_char(p->zone, '\\');
            buf_append_char(p->zone, *c);
        }
        buf_append_str(p->zone, "\"\n");
    }
    return true;
}

static int fetch_missing_keys(const struct cli *cli, const char *server)
{
    struct sockaddr_in checked;
    struct mt_error server_err = { 0 };
    if (server && dns_parse_server(server, &checked, &server_err) != MT_OK)
        return cli_bad_input(server_err.message);
    struct store *st = cli_open_archive(cli, STORE_READ_WRITE);
    if (!st)
        return EXIT_FAILED;
    struct mt_error err = { 0 };
    struct buf zone = BUF_INIT;
    struct dns_pass pass = { .server = server, .zone = &zone };
    mt_status listed = verify_each_missing_key(st, look_up_key, &pass, &err);
    buf_free(&pass.records);
    if (listed != MT_OK) {
        store_close(st);
        buf_free(&zone);
        return cli_fail_error(listed, &err);
    }
    int looked_up = pass.looked_up, found = pass.found, absent = pass.absent,
        failed = pass.failed;
    char when[40], source[80];
    text_format_date((int64_t)time(NULL), when, sizeof when);
    snprintf(source, sizeof source, "DNS, seen %s", when);
    int imported = 0, duplicates = 0;
    struct buf problems = BUF_INIT;
    const struct verify_key_facts facts = { .source = source };
    mt_status status = zone.len ? verify_import_keys(st, "DNS", buf_cstr(&zone), zone.len, &facts,
                                                     &imported, &duplicates, &problems, &err)
                                : MT_OK;
    store_close(st);
    if (problems.len)
        cli_fail("%s", buf_cstr(&problems));
    buf_free(&problems);
    buf_free(&zone);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    fprintf(stderr, "DNS: %d key names looked up: %d answered (%d new records), %d do not "
            "exist, %d unanswered\n", looked_up, found, imported, absent, failed);
    return EXIT_DONE;
}

int cli_verify_and_report(const struct cli *cli, bool json, bool quiet,
                          int workers)
{
    struct store *st = cli_open_archive(cli, STORE_READ_WRITE);
    if (!st)
        return EXIT_FAILED;
    if (!cli->finish_upgrade && store_upgrade_pending(st, NULL)) {
        /* mailtrove-verify: only mailtrove-full can finish the upgrade */
        store_close(st);
        return EXIT_HAND_OVER;
    }
    struct verify_counts c;
    struct mt_error err = { 0 };
    struct verify_options options = {
        .archive_path = cli->archive_path,
        .workers = workers,
        .now = (int64_t)time(NULL),
    };
    mt_status status = verify_archive(st, &options, &c, &err);
    /* New verdicts change who can vouch for what. */
    struct corroborate_counts corroboration;
    if (status == MT_OK)
        status = corroborate_archive(st, cli->body_text_fallback, &corroboration, &err);
    store_close(st);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    if (quiet)
        return EXIT_DONE;
    if (json) {
        struct buf out = BUF_INIT;
        struct json_writer w;
        json_init(&w, &out);
        json_object_begin(&w);
        json_key(&w, "verified");
        json_int(&w, (int64_t)c.verified);
        json_key(&w, "weak");
        json_int(&w, (int64_t)c.weak);
        json_key(&w, "failed");
        json_int(&w, (int64_t)c.failed);
        json_key(&w, "nokey");
        json_int(&w, (int64_t)c.nokey);
        json_key(&w, "unsigned");
        json_int(&w, (int64_t)c.unsigned_count);
        json_object_end(&w);
        buf_append_char(&out, '\n');
        cli_write_stdout(out.data, out.len);
        buf_free(&out);
    } else {
        printf("verified %llu, weak %llu, failed %llu, no key %llu, unsigned %llu\n",
               (unsigned long long)c.verified, (unsigned long long)c.weak,
               (unsigned long long)c.failed, (unsigned long long)c.nokey,
               (unsigned long long)c.unsigned_count);
        if (c.nokey)
            printf("see 'mailtrove keys missing' for the keys that would check more\n");
    }
    return EXIT_DONE;
}

int cmd_verify(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option options[] = {
        { "json", false }, { "dns", false }, { "dns-server", true }, { "workers", true },
    };
    const char *values[CLI_MAX_OPTIONS];
    int code = cli_parse_simple("verify", argc, argv, options, 4, values, NULL, NULL);
    if (code >= 0)
        return code;
    bool json = values[0] != NULL, dns = values[1] || values[2];
    const char *dns_server = values[2];
    int workers = 0;
    if (dns_server && !*dns_server)
        return cli_usage("verify: --dns-server needs IP[:PORT]");
    if (values[3] && (workers = atoi(values[3])) <= 0)
        return cli_usage("verify: --workers expects a positive number, not '%s'", values[3]);
    /* Live lookups are rare and slow anyway: mailtrove-verify leaves them
     * to mailtrove-full, so that an archive that must first be upgraded
     * is not asked about twice. */
    if (dns && !cli->finish_upgrade)
        return EXIT_HAND_OVER;
    if (dns && (code = fetch_missing_keys(cli, dns_server)) != EXIT_DONE)
        return code;
    return cli_verify_and_report(cli, json, false, workers);
}
