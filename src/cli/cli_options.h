/*
 * cli_options.h - one parser for every command's options, as notmuch, git
 * and coreutils read them: options ("--name", "--name VALUE",
 * "--name=VALUE") anywhere before "--", everything else (and everything
 * after "--") an operand; "--help" prints the command's usage; an unknown
 * option is a usage error.  Words with one dash ("-draft") are operands:
 * the query language's negation.  Part of the command-line layer: prints
 * and chooses exit codes.  No state; thread-safe.
 */
#ifndef MT_CLI_OPTIONS_H
#define MT_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CLI_MAX_OPTIONS 8

struct cli_option {
    const char *name;    /* without the dashes: "limit" */
    bool takes_value;
};

struct cli_parsed {
    /* Per option, in the order given to cli_parse_command: NULL when
     * absent; the value given; "" for a flag given. */
    const char *values[CLI_MAX_OPTIONS];
    char **operands;     /* malloc'd array of pointers into ARGV */
    int operand_count;
};

/*
 * Parse ARGV[1..ARGC) of the command ARGV[0] (a subcommand's words come
 * first: "keys list" passes ARGV from "list" with COMMAND "keys list").
 * Returns -1 when the command is to run (OUT filled; free it with
 * cli_parsed_free), else an exit code, having printed: the command's
 * usage on stdout for --help (EXIT_DONE), a usage error on stderr
 * (EXIT_USAGE), or out of memory (EXIT_FAILED).
 */
int cli_parse_command(const char *command, int argc, char **argv,
                      const struct cli_option *options, size_t count,
                      struct cli_parsed *out);
void cli_parsed_free(struct cli_parsed *parsed);

/*
 * cli_parse_command for a command with at most one operand: VALUES
 * (CLI_MAX_OPTIONS entries) gets the options as cli_parsed's values.
 * OPERAND NULL: no operand is allowed; else *OPERAND gets it (NULL when
 * none), and MISSING, when not NULL, names what must be given ("email
 * id").  Returns as cli_parse_command; nothing to free.
 */
int cli_parse_simple(const char *command, int argc, char **argv,
                     const struct cli_option *options, size_t count,
                     const char **values, const char **operand, const char *missing);

/* The usage of COMMAND ("search", "keys import"): its synopsis lines, or
 * NULL for an unknown command. */
const char *cli_command_usage(const char *command);

/* Whether COMMAND names a command or a family of them ("keys"). */
bool cli_command_usage_known(const char *command);

/* Print the usage of every command (the global --help) on F. */
void cli_print_usage(FILE *file);

#endif
