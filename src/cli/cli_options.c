/* cli_options.c - every command's options and usage, parsed one way. */
#include "cli_options.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

/* Each command's synopsis and what it does: the global usage and
 * COMMAND --help are both printed from here. */
static const struct {
    const char *command, *synopsis, *summary;
} commands[] = {
    { "ingest", "ingest [--json] [--keys FILE] [--max-message SIZE] [--attached-inside] "
                "[--language fr|en|none] [--ocr] SOURCE...",
      "read mail (files, mboxes, Maildirs, directories, tar/zip, compressed)" },
    { "keys import", "keys import [--source TEXT] [--seen FROM..TO] [--private-published DATE] FILE",
      "load DKIM key records (zone lines), when they were seen published" },
    { "keys list", "keys list [--json]", "the key records held" },
    { "keys missing", "keys missing [--json]", "keys that signatures in the archive lack" },
    { "verify", "verify [--json] [--workers=N] [--dns | --dns-server=IP[:PORT]]",
      "check every DKIM signature (--dns: first fetch missing keys from live DNS)" },
    { "search", "search [--json] [--limit N] [--offset N] [--sort date|-date|relevance] QUERY...",
      "find emails (see 'man mailtrove')" },
    { "count", "count QUERY...", "how many emails match" },
    { "reindex", "reindex [--language fr|en|none] [--ocr]",
      "rebuild the search index (--language: and one of word forms, for stem:)" },
    { "thread", "thread [--json] ID", "the conversation of an email" },
    { "serve", "serve [--listen ADDR:PORT] [--threads N]",
      "the web archive (default 127.0.0.1:8080)" },
    { "corroborate", "corroborate [--recompute]", "recompute threads and corroborated text" },
    { "show", "show [--json|--raw] ID", "one email" },
    { "stats", "stats [--json]", "counts, dates, verdicts" },
    { "export", "export [--format mbox|jsonl|site|opensearch] [--search-url URL] [QUERY...|DIR]",
      "matching emails (all) on stdout; site, opensearch: the web archive as static files,"
      " or OpenSearch bulk files, in DIR" },
    { "rejected", "rejected [--json]", "what ingest read and did not store" },
    { "sources", "sources [--json]",
      "per source file: read, stored, duplicates, rejected; what a store promised" },
    { "root", "root [--json]", "the archive's Merkle root (RFC 6962) over every email's SHA-256" },
    { "prove", "prove [--json] ID", "the audit path proving an email is under the root" },
    { "evidence", "evidence ID [-o FILE]",
      "a zip anyone can re-verify offline: the email, its keys, the report, how" },
    { "publish", "publish -o FILE",
      "a compacted read-only copy to serve, with its root inside and FILE.sha256" },
    { "keys recover", "keys recover [--json]",
      "recover missing RSA keys from two or more signatures each, then verify" },
    { "org add", "org add DOMAIN...", "the organization's domains: its verified mail is affiliated" },
    { "org remove", "org remove DOMAIN...", "no longer an org domain" },
    { "org list", "org list [--json]", "the org domains, with the emails each vouches for" },
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

const char *cli_command_usage(const char *command)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (!strcmp(commands[i].command, command))
            return commands[i].synopsis;
    return NULL;
}

bool cli_command_usage_known(const char *command)
{
    size_t n = strlen(command);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (!strncmp(commands[i].command, command, n)
            && (commands[i].command[n] == '\0' || commands[i].command[n] == ' '))
            return true;
    return false;
}

void cli_print_usage(FILE *file)
{
    fputs("usage: mailtrove [--archive PATH] COMMAND [OPTIONS] [ARGS]\n\ncommands:\n", file);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(file, "  %s\n      %s\n", commands[i].synopsis, commands[i].summary);
    fputs("\nOptions may come anywhere before '--'; 'mailtrove COMMAND --help' shows one\n"
          "command.  The archive is PATH, else $MAILTROVE_ARCHIVE, else ./mailtrove.db.\n", file);
}

static void print_command_help(const char *command, FILE *file)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        /* "keys" alone: all its subcommands */
        size_t n = strlen(command);
        if (!strcmp(commands[i].command, command)
            || (!strncmp(commands[i].command, command, n) && commands[i].command[n] == ' '))
            fprintf(file, "usage: mailtrove [--archive PATH] %s\n    %s\n", commands[i].synopsis,
                    commands[i].summary);
    }
    fprintf(file, "Options may come anywhere before '--'; see 'man mailtrove'.\n");
}

/* A usage error in COMMAND's arguments: the message, then that command's
 * usage alone (not every command's), on stderr. */
__attribute__((format(printf, 2, 3)))
static int command_usage_error(const char *command, const char *format, ...)
{
    char message[512];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    cli_fail("%s", message);
    fputc('\n', stderr);
    print_command_help(command, stderr);
    return EXIT_USAGE;
}

void cli_parsed_free(struct cli_parsed *parsed)
{
    free(parsed->operands);
    parsed->operands = NULL;
    parsed->operand_count = 0;
}

int cli_parse_command(const char *command, int argc, char **argv,
                      const struct cli_option *options, size_t count,
                      struct cli_parsed *out)
{
    memset(out, 0, sizeof *out);
    out->operands = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *out->operands);
    if (!out->operands)
        return cli_fail("out of memory");
    bool only_operands = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        /* "-o FILE": a one-letter option is written with one dash (a
         * search's "-word" stays a word: no search option has one) */
        if (!only_operands && arg[0] == '-' && arg[1] && arg[1] != '-' && !arg[2]) {
            size_t k = 0;
            while (k < count && !(options[k].name[0] == arg[1] && !options[k].name[1]))
                k++;
            if (k < count && options[k].takes_value) {
                if (i + 1 >= argc) {
                    cli_parsed_free(out);
                    return command_usage_error(command, "%s: -%c needs a value", command,
                                               arg[1]);
                }
                out->values[k] = argv[++i];
                continue;
            }
        }
        if (only_operands || arg[0] != '-' || arg[1] != '-') {
            out->operands[out->operand_count++] = argv[i];
            continue;
        }
        if (!arg[2]) {                 /* "--": the rest are operands */
            only_operands = true;
            continue;
        }
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        if (name_len == 4 && !strncmp(name, "help", 4)) {
            print_command_help(command, stdout);
            cli_parsed_free(out);
            return EXIT_DONE;
        }
        size_t k = 0;
        while (k < count && !(strlen(options[k].name) == name_len
                              && !strncmp(options[k].name, name, name_len)))
            k++;
        if (k == count) {
            cli_parsed_free(out);
            return command_usage_error(command, "%s: unknown option '%.*s' (see 'mailtrove %s --help'; "
                             "after '--' it is a word to search)", command,
                             (int)(name_len + 2), arg, command);
        }
        if (!options[k].takes_value) {
            if (eq) {
                cli_parsed_free(out);
                return command_usage_error(command, "%s: --%s takes no value", command, options[k].name);
            }
            out->values[k] = "";
        } else if (eq) {
            out->values[k] = eq + 1;
        } else if (i + 1 < argc) {
            out->values[k] = argv[++i];
        } else {
            cli_parsed_free(out);
            return command_usage_error(command, "%s: --%s needs a value", command, options[k].name);
        }
    }
    return -1;
}

int cli_parse_simple(const char *command, int argc, char **argv,
                     const struct cli_option *options, size_t count,
                     const char **values, const char **operand, const char *missing)
{
    struct cli_parsed parsed;
    int code = cli_parse_command(command, argc, argv, options, count, &parsed);
    if (code >= 0)
        return code;
    memcpy(values, parsed.values, sizeof parsed.values);
    if (!operand && parsed.operand_count)
        code = command_usage_error(command, "%s: unexpected argument '%s'", command, parsed.operands[0]);
    else if (operand && parsed.operand_count > 1)
        code = command_usage_error(command, "%s: one %s only, not '%s' too", command, missing ? missing : "argument",
                         parsed.operands[1]);
    else if (operand && !parsed.operand_count && missing)
        code = command_usage_error(command, "%s: which %s? (see 'mailtrove %s --help')", command, missing, command);
    else if (operand)
        *operand = parsed.operand_count ? parsed.operands[0] : NULL;
    cli_parsed_free(&parsed);
    return code;
}
