/* cli.c - what the programs share: global options, error printing,
 * opening the archive, reading and writing for commands, handing over. */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "store.h"
#include "text.h"

#ifndef MAILTROVE_VERSION
#define MAILTROVE_VERSION "0.1.0"
#endif

/* Messages name files and members from the dump: escaped like text. */
static void print_error(const char *format, va_list args)
{
    struct buf message = BUF_INIT, safe = BUF_INIT;
    fputs("mailtrove: ", stderr);
    if (buf_vprintf(&message, format, args) == MT_OK
        && text_escape_controls(message.data, message.len, &safe) == MT_OK)
        fwrite(safe.data ? safe.data : "", 1, safe.len, stderr);
    else
        fputs("out of memory", stderr);
    buf_free(&message);
    buf_free(&safe);
}

int cli_fail(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    print_error(format, args);
    va_end(args);
    fputc('\n', stderr);
    return EXIT_FAILED;
}

int cli_usage(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    print_error(format, args);
    va_end(args);
    fputs("\n\n", stderr);
    cli_print_usage(stderr);
    return EXIT_USAGE;
}

int cli_bad_input(const char *message)
{
    cli_fail("%s", message);
    return EXIT_USAGE;
}

int cli_fail_error(mt_status status, const struct mt_error *err)
{
    if (err && err->message[0])
        return cli_fail("%s", err->message);
    return cli_fail("%s", mt_strerror(status));
}

struct store *cli_open_archive(const struct cli *cli, enum store_mode mode)
{
    struct store *st = NULL;
    struct mt_error err = { 0 };
    mt_status status = store_open(cli->archive_path, mode, &st, &err);
    if (status == MT_OK && cli->prepare_connection)
        status = cli->prepare_connection(st, &err);
    if (status == MT_OK && mode != STORE_READ_ONLY && cli->finish_upgrade)
        status = cli->finish_upgrade(st, &err);
    if (status != MT_OK) {
        store_close(st);
        cli_fail_error(status, &err);
        return NULL;
    }
    return st;
}

const char *cli_plural(long long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

bool cli_parse_id(const char *arg, int64_t *id)
{
    char *end;
    if (!arg || !*arg || *arg == '-' || *arg == '+')
        return false;
    long long value = strtoll(arg, &end, 10);
    if (*end || value <= 0)
        return false;
    *id = value;
    return true;
}

bool cli_read_file(const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;
    if (!f) {
        cli_fail("%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf_append(out, chunk, n) != MT_OK) {
            fclose(f);
            cli_fail("%s: out of memory", path);
            return false;
        }
    }
    bool ok = !ferror(f);
    fclose(f);
    if (!ok)
        cli_fail("%s: read error", path);
    return ok;
}

bool cli_write_stdout(const void *data, size_t len)
{
    return fwrite(data, 1, len, stdout) == len;
}

bool cli_write_text(const void *data, size_t len)
{
    struct buf safe = BUF_INIT;
    bool written = text_escape_controls(data, len, &safe) == MT_OK
                && cli_write_stdout(safe.data ? safe.data : "", safe.len);
    buf_free(&safe);
    return written;
}


int cli_parse_global_options(int argc, char **argv, struct cli *cli, int *next)
{
    int i = 1;
    cli->archive_path = getenv("MAILTROVE_ARCHIVE");
    if (!cli->archive_path || !*cli->archive_path)
        cli->archive_path = "mailtrove.db";
    while (i < argc && argv[i][0] == '-') {
        if (!strcmp(argv[i], "--archive")) {
            if (i + 1 >= argc)
                return cli_usage("--archive needs a path");
            cli->archive_path = argv[i + 1];
            i += 2;
        } else if (!strncmp(argv[i], "--archive=", 10)) {
            cli->archive_path = argv[i] + 10;
            i++;
        } else if (!strcmp(argv[i], "--version")) {
            printf("mailtrove %s\n", MAILTROVE_VERSION);
            return EXIT_DONE;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cli_print_usage(stdout);
            return EXIT_DONE;
        } else {
            return cli_usage("unknown option '%s'", argv[i]);
        }
    }
    if (i >= argc)
        return cli_usage("no command given");
    if (!strcmp(argv[i], "help")) {
        /* "help COMMAND" is "COMMAND --help" */
        if (i + 1 < argc && cli_command_usage_known(argv[i + 1])) {
            char *help_argv[] = { argv[i + 1], "--help", NULL };
            return cli_parse_simple(argv[i + 1], 2, help_argv, NULL, 0,
                                    (const char *[CLI_MAX_OPTIONS]){ NULL }, NULL, NULL);
        }
        cli_print_usage(stdout);
        return EXIT_DONE;
    }
    *next = i;
    return -1;
}

int cli_run(const struct cli *cli, int (*run)(const struct cli *, int, char **),
            int argc, char **argv)
{
    /* A closed pipe (`export | head`) ends the command quietly, as it
     * ends coreutils: by SIGPIPE, even when the parent ignored it (Python
     * passes SIGPIPE ignored to its children) or a library did (GLib's
     * initialization, run by mime_init).  serve keeps what it has: a
     * client going away must not stop it. */
    if (strcmp(argv[0], "serve"))
        signal(SIGPIPE, SIG_DFL);
    int code = run(cli, argc, argv);
    if (fflush(stdout) != 0 && code == EXIT_DONE)
        code = cli_fail("could not write the output");
    return code;
}

#ifndef MAILTROVE_LIBEXECDIR
#define MAILTROVE_LIBEXECDIR "/usr/local/libexec/mailtrove"
#endif

/* execv PROGRAM from each place cli_hand_over names; returns on failure. */
static void exec_program(char **argv, const char *program)
{
    char self[PATH_MAX], candidate[PATH_MAX + 64];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len > 0) {
        self[len] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(candidate, sizeof candidate, "%s/%s", self, program);
            execv(candidate, argv);
            snprintf(candidate, sizeof candidate, "%s/../libexec/mailtrove/%s", self, program);
            execv(candidate, argv);
        }
    }
    snprintf(candidate, sizeof candidate, "%s/%s", MAILTROVE_LIBEXECDIR, program);
    execv(candidate, argv);
}

int cli_hand_over(char **argv, const char *program)
{
    exec_program(argv, program);
    /* mailtrove-full runs every command: the one to fall back on */
    if (strcmp(program, CLI_FULL_PROGRAM)) {
        program = CLI_FULL_PROGRAM;
        exec_program(argv, program);
    }
    return cli_fail("cannot run %s (looked next to this program, in ../libexec/mailtrove"
                    " beside it, and in %s): %s; is mailtrove installed completely?",
                    program, MAILTROVE_LIBEXECDIR, strerror(errno));
}

/*
 * - glibc gives freed memory back to the kernel as soon as 128 KB sit
 *   free at the top of the heap, so a loop that mallocs and frees a
 *   message-sized buffer per email faults the same pages in again and
 *   again (a third of verify's time went to page faults).  Keep up to
 *   64 MB instead; it is returned at exit.
 * - the store's process-wide tuning (store_tune_process).
 */
void cli_tune_process(void)
{
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 1 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
    store_tune_process();
}
