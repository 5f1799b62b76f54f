/*
 * cli.h - what the command files share: the parsed global options, the
 * exit codes of the contract, and error printing.  Only the programs' entry points and cmd_*.c
 * print or choose exit codes.
 */
#ifndef MT_CLI_H
#define MT_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "search.h"
#include "status.h"
#include "store.h"

enum { EXIT_DONE = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };
/* Not an exit code: a command in a lighter program saying mailtrove-full
 * must run it (mailtrove.c, mailtrove_verify.c). */
enum { EXIT_HAND_OVER = -1 };

/* The programs (docs/architecture.md): `mailtrove` runs search and count
 * and hands the rest over; verify runs in mailtrove-verify, everything
 * else in mailtrove-full. */
#define CLI_FULL_PROGRAM "mailtrove-full"
#define CLI_VERIFY_PROGRAM "mailtrove-verify"

/*
 * Run PROGRAM (one of the above) in our place with ARGV: from next to
 * this program (a build tree), from ../libexec/mailtrove beside it
 * (installed under any prefix), else from where this build was
 * configured to install it.  Returns only on failure, with EXIT_FAILED
 * after printing why.
 */
int cli_hand_over(char **argv, const char *program);

/*
 * Process-wide settings for the programs that work on many emails,
 * made once before any thread or connection (see cli.c).
 */
void cli_tune_process(void);

struct cli {
    const char *archive_path; /* from --archive, $MAILTROVE_ARCHIVE or default */
    /* What only the full program (with MIME parsing) can do; NULL in the
     * light one (docs/architecture.md): snippets of an archive whose
     * upgrade is pending, and finishing that upgrade when opening it for
     * writing. */
    search_text_loader body_text_fallback;
    mt_status (*finish_upgrade)(struct store *st, struct mt_error *err);
    /* Extensions a connection of this program has (the stemming
     * tokenizer, stem.h), run on every archive opened; may be NULL. */
    mt_status (*prepare_connection)(struct store *st, struct mt_error *err);
};

/*
 * The global options before the command (--archive, --version, --help):
 * fills CLI's archive path.  Returns -1 with *NEXT the command's index in
 * ARGV when a command is to run, else the exit code (help, version and
 * usage errors are handled here).
 */
int cli_parse_global_options(int argc, char **argv, struct cli *cli, int *next);
/* Run a command and check that its output was written. */
int cli_run(const struct cli *cli, int (*run)(const struct cli *, int, char **),
            int argc, char **argv);

/* Print "mailtrove: MESSAGE" on stderr; returns EXIT_FAILED. */
int cli_fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Print a usage error; returns EXIT_USAGE. */
int cli_usage(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Print MESSAGE alone (no usage text, e.g. a bad query); returns
 * EXIT_USAGE. */
int cli_bad_input(const char *message);
/* Print ERR (or the status name) as a failure; returns EXIT_FAILED. */
int cli_fail_error(mt_status status, const struct mt_error *err);

/* Open the archive or print why not; NULL on failure.  Opening for
 * writing runs CLI's finish_upgrade first, when it has one. */
struct store *cli_open_archive(const struct cli *cli, enum store_mode mode);

/* ONE when N is 1, else MANY: "1 message", "2 messages". */
const char *cli_plural(long long n, const char *one, const char *many);

/* Parse a positive email id; false if ARG is not one. */
bool cli_parse_id(const char *arg, int64_t *id);

/* Read the whole file PATH into OUT; false (after printing why) if not. */
bool cli_read_file(const char *path, struct buf *out);

/* Write LEN bytes to stdout fully; false on error. */
bool cli_write_stdout(const void *data, size_t len);
/* Text for people: like cli_write_stdout, with control characters and
 * bidirectional overrides from the mail escaped (text_escape_controls). */
bool cli_write_text(const void *data, size_t len);

#endif
