/* cmd_org.c - `mailtrove org add|remove DOMAIN...`, `org list [--json]` */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "json.h"
#include "org.h"

static void print_line(void *context, const char *domain, int64_t affiliated)
{
    struct buf *out = context;
    buf_printf(out, "%s\t%lld %s verified as sent through it\n", domain, (long long)affiliated,
               cli_plural(affiliated, "email", "emails"));
}

static void json_entry(void *context, const char *domain, int64_t affiliated)
{
    struct json_writer *w = context;
    json_object_begin(w);
    json_key(w, "domain");
    json_string(w, domain);
    json_key(w, "affiliated");
    json_int(w, affiliated);
    json_object_end(w);
}

static int org_list(const struct cli *cli, bool json)
{
    struct store *st = cli_open_archive(cli, STORE_READ_ONLY);
    if (!st)
        return EXIT_FAILED;
    struct buf out = BUF_INIT;
    struct json_writer w;
    struct mt_error err = { 0 };
    json_init(&w, &out);
    if (json)
        json_array_begin(&w);
    mt_status status = json ? org_each(st, json_entry, &w, &err)
                            : org_each(st, print_line, &out, &err);
    if (json) {
        json_array_end(&w);
        buf_append_char(&out, '\n');
    }
    store_close(st);
    if (status != MT_OK) {
        buf_free(&out);
        return cli_fail_error(status, &err);
    }
    bool written = cli_write_stdout(out.data ? out.data : "", out.len);
    buf_free(&out);
    return written ? EXIT_DONE : EXIT_FAILED;
}

static int org_change(const struct cli *cli, bool remove, const struct cli_parsed *parsed)
{
    if (!parsed->operand_count)
        return cli_usage("org %s: name at least one DOMAIN", remove ? "remove" : "add");
    struct store *st = cli_open_archive(cli, STORE_READ_WRITE);
    if (!st)
        return EXIT_FAILED;
    struct mt_error err = { 0 };
    mt_status status = MT_OK;
    for (int i = 0; i < parsed->operand_count && status == MT_OK; i++) {
        char *domain = strdup(parsed->operands[i]);
        if (!domain) {
            status = MT_ENOMEM;
            break;
        }
        for (char *c = domain; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        size_t n = strlen(domain);
        if (n && domain[n - 1] == '.')
            domain[n - 1] = '\0';          /* a trailing dot names the same domain */
        bool changed;
        status = org_update(st, domain, remove, &changed, &err);
        if (status == MT_OK)
            printf("%s %s%s\n", remove ? "removed" : "added", domain,
                   changed ? "" : remove ? " (was not an org domain)" : " (already one)");
        free(domain);
    }
    store_close(st);
    if (status == MT_EINVAL)
        return cli_bad_input(err.message);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    return EXIT_DONE;
}

int cmd_org(const struct cli *cli, int argc, char **argv)
{
    const char *values[CLI_MAX_OPTIONS];
    if (argc >= 2 && !strcmp(argv[1], "--help"))
        return cli_parse_simple("org", argc, argv, NULL, 0, values, NULL, NULL);
    if (argc < 2)
        return cli_usage("org: add, remove or list?");
    const char *sub = argv[1];
    if (!strcmp(sub, "list")) {
        static const struct cli_option options[] = { { "json", false } };
        int code = cli_parse_simple("org list", argc - 1, argv + 1, options, 1, values, NULL,
                                    NULL);
        return code >= 0 ? code : org_list(cli, values[0] != NULL);
    }
    if (strcmp(sub, "add") && strcmp(sub, "remove"))
        return cli_usage("org: unknown subcommand '%s'", sub);
    struct cli_parsed parsed;
    int code = cli_parse_command(!strcmp(sub, "add") ? "org add" : "org remove", argc - 1,
                                 argv + 1, NULL, 0, &parsed);
    if (code >= 0)
        return code;
    code = org_change(cli, !strcmp(sub, "remove"), &parsed);
    cli_parsed_free(&parsed);
    return code;
}
