/* cmd_ingest.c - `mailtrove ingest [--json] SOURCE...` */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive_upkeep.h"
#include "attachment_text.h"
#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "cli_options.h"
#include "index.h"
#include "ingest.h"
#include "json.h"
#include "source_ledger.h"
#include "stem.h"
#include "corroborate.h"
#include "thread.h"
#include "verify.h"

struct progress {
    bool on_terminal;
    struct timespec start;
    uint64_t total_bytes;     /* of the input, when known; else 0 */
};

/* Add the bytes of the regular files at PATH (walking directories, not
 * following links to them) to *TOTAL: what ingest reads from disk, an
 * archive or compressed file by its own size (ingest_counts.disk_read). */
static void add_input_bytes(const char *path, bool named, uint64_t *total)
{
    struct stat info;
    if ((named ? stat(path, &info) : lstat(path, &info)) != 0)
        return;
    if (S_ISREG(info.st_mode)) {
        *total += (uint64_t)info.st_size;
        return;
    }
    if (!S_ISDIR(info.st_mode))
        return;
    DIR *dir = opendir(path);
    if (!dir)
        return;
    struct dirent *entry;
    struct buf child = BUF_INIT;
    while ((entry = readdir(dir))) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
            continue;
        buf_clear(&child);
        if (buf_printf(&child, "%s/%s", path, entry->d_name) != MT_OK)
            break;
        add_input_bytes(child.data, false, total);
    }
    buf_free(&child);
    closedir(dir);
}

/* The bytes ingest will read from disk for SOURCES, for a share and an
 * ETA (a compressed file's too: its own bytes are counted as read). */
static uint64_t input_total(char **sources, int count)
{
    uint64_t total = 0;
    for (int i = 0; i < count; i++)
        add_input_bytes(sources[i], true, &total);
    return total;
}

static double elapsed(const struct progress *p)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - p->start.tv_sec)
           + (double)(now.tv_nsec - p->start.tv_nsec) / 1e9;
}

static void show_progress(void *context, const struct ingest_counts *c,
                          bool final)
{
    struct progress *p = context;
    if (!p->on_terminal)
        return;
    double seconds = elapsed(p);
    double mb = (double)c->input_bytes / 1e6;
    char share[64] = "";
    /* a share and an ETA only while they can be true (a file that grew
     * since it was measured) */
    if (p->total_bytes && c->disk_read <= p->total_bytes && !final) {
        double done = (double)c->disk_read / (double)p->total_bytes;
        double left = done > 0.001 ? seconds * (1 - done) / done : -1;
        if (left >= 0)
            snprintf(share, sizeof share, "%.0f%%, ETA %d:%02d, ", done * 100,
                     (int)(left / 60), (int)left % 60);
    }
    fprintf(stderr, "\r%s%llu %s, %.1f MB, %.0f msgs/s, %.1f MB/s"
            " (%llu new, %llu duplicate, %llu rejected)%s", share,
            (unsigned long long)c->read, cli_plural((long long)c->read, "message", "messages"), mb,
            seconds > 0 ? (double)c->read / seconds : 0.0,
            seconds > 0 ? mb / seconds : 0.0,
            (unsigned long long)c->stored, (unsigned long long)c->duplicates,
            (unsigned long long)c->rejected, final ? "\n" : "   ");
    fflush(stderr);
}

/* ingest once the command line is read: SOURCES (COUNT) as operands. */
/* Set by SIGINT/SIGTERM during ingest: a signal handler can only reach
 * state like this, so it lives here, in the command, not in the library
 * (which gets a pointer to it). */
static volatile sig_atomic_t ingest_interrupted;

static void on_interrupt(int signal_number)
{
    (void)signal_number;
    ingest_interrupted = 1;
}

/* Ctrl-C stops ingest between messages, with what it wrote committed;
 * a second Ctrl-C ends it at once (SA_RESETHAND), as users expect. */
static void catch_interrupts(struct sigaction *old_int, struct sigaction *old_term)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    ingest_interrupted = 0;
    sigaction(SIGINT, &action, old_int);
    sigaction(SIGTERM, &action, old_term);
}

/* "4096", "64K", "512M", "2G" into *OUT bytes (at least 1 KiB). */
static bool parse_size(const char *text, size_t *out)
{
    char *end;
    unsigned long long n = strtoull(text, &end, 10);
    if (end == text)
        return false;
    unsigned shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20
                   : *end == 'G' || *end == 'g' ? 30 : 0;
    if (shift)
        end++;
    if (*end || n == 0 || n > (~0ull >> 1 >> shift))
        return false;
    *out = (size_t)(n << shift);
    return *out >= 1024;
}

/* Name each store this ingest read fewer items from than its folders
 * promise: items the store holds and libpst did not give back. */
static void warn_short_stores(struct store *st, int64_t since)
{
    struct source_ledger_row *rows;
    size_t n;
    if (source_ledger_list(st, true, since, &rows, &n, NULL) != MT_OK)
        return;
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "mailtrove: %s: its folders promise %lld items, %llu were read "
                        "(see 'mailtrove sources')\n", rows[i].path,
                (long long)rows[i].expected, (unsigned long long)rows[i].read);
    source_ledger_free(rows, n);
}

static int ingest_sources(const struct cli *cli, bool json, const char *keys_file,
                          int workers, size_t max_message, bool attached_inside,
                          const char *language, bool ocr, char **sources, int count)
{
    struct store *st = cli_open_archive(cli, STORE_CREATE);
    if (!st)
        return EXIT_FAILED;
    struct mt_error err = { 0 };
    mt_status status = MT_OK;
    int imported = 0;
    int64_t reindexed;
    /* --language: set before reading; the emails already held are
     * indexed again with their word forms */
    /* --ocr: the archive reads images and scans by OCR from now on */
    if (ocr && (status = attachment_text_use_ocr(st, &err)) != MT_OK) {
        store_close(st);
        return cli_fail_error(status, &err);
    }
    if (language && (status = stem_change_language(st, language, index_rebuild, &reindexed,
                                                   &err)) != MT_OK) {
        store_close(st);
        return cli_fail_error(status, &err);
    }
    int64_t emails_before = store_count_emails(st);
    if (keys_file) {
        /* --keys: import first, so new mail is verified as it is read. */
        struct buf text = BUF_INIT, problems = BUF_INIT;
        int duplicates;
        if (!cli_read_file(keys_file, &text)) {
            buf_free(&text);
            store_close(st);
            return EXIT_FAILED;
        }
        status = verify_import_keys(st, keys_file, buf_cstr(&text), text.len, NULL,
                                    &imported, &duplicates, &problems, &err);
        if (problems.len)
            fprintf(stderr, "%s", problems.data);
        buf_free(&text);
        buf_free(&problems);
    }
    struct verify_keyring *ring = NULL;
    if (status == MT_OK)
        status = verify_keyring_load(st, &ring, &err);
    struct progress progress = { .on_terminal = isatty(STDERR_FILENO) };
    if (progress.on_terminal)
        progress.total_bytes = input_total(sources, count);
    clock_gettime(CLOCK_MONOTONIC, &progress.start);
    struct ingest_options options = {
        .archive_path = cli->archive_path,
        .workers = workers,
        .progress = show_progress,
        .progress_context = &progress,
        .keys = ring ? verify_keyring_keys(ring) : NULL,
        .now = (int64_t)time(NULL),
        .interrupted = &ingest_interrupted,
        .max_message_bytes = max_message,
        .attached_inside = attached_inside,
        .ocr = attachment_text_ocr(st),
        .while_index_merges = archive_while_index_merges,
    };
    struct ingest_counts counts;
    memset(&counts, 0, sizeof counts);
    struct sigaction old_int, old_term;
    catch_interrupts(&old_int, &old_term);
    if (status == MT_OK)
        status = ingest_run(st, (const char *const *)sources, count, &options, &counts,
                            &err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (status == MT_EINTR) {
        verify_keyring_free(ring);
        store_close(st);
        if (progress.on_terminal)
            fputc('\n', stderr);
        cli_fail("interrupted: %llu %s committed (%llu read); run the same command again "
                 "to continue", (unsigned long long)counts.stored,
                 counts.stored == 1 ? "email" : "emails", (unsigned long long)counts.read);
        return 128 + SIGINT;
    }
    verify_keyring_free(ring);
    /* New keys may decide mail that was archived before: verify it all
     * again below, which corroborates after; else corroborate here. */
    bool reverify = imported > 0 && emails_before > 0;
    if (status == MT_OK)
        status = archive_after_ingest(st, counts.stored, reverify, cli->body_text_fallback, &err);
    if (status == MT_OK)
        warn_short_stores(st, options.now);
    store_close(st);
    if (status != MT_OK)
        return cli_fail_error(status, &err);
    if (reverify && cli_verify_and_report(cli, false, true, workers) != EXIT_DONE)
        return EXIT_FAILED;
    if (json) {
        struct buf out = BUF_INIT;
        struct json_writer w;
        json_init(&w, &out);
        json_object_begin(&w);
        json_key(&w, "read");
        json_int(&w, (int64_t)counts.read);
        json_key(&w, "stored");
        json_int(&w, (int64_t)counts.stored);
        json_key(&w, "duplicates");
        json_int(&w, (int64_t)counts.duplicates);
        json_key(&w, "rejected");
        json_int(&w, (int64_t)counts.rejected);
        json_object_end(&w);
        buf_append_char(&out, '\n');
        cli_write_stdout(out.data, out.len);
        buf_free(&out);
    } else {
        printf("read %llu, stored %llu new, %llu %s, %llu rejected\n",
               (unsigned long long)counts.read, (unsigned long long)counts.stored,
               (unsigned long long)counts.duplicates,
               cli_plural((long long)counts.duplicates, "duplicate", "duplicates"),
               (unsigned long long)counts.rejected);
        if (counts.rejected)
            printf("see 'mailtrove rejected' for what was not stored and why\n");
    }
    return EXIT_DONE;
}

int cmd_ingest(const struct cli *cli, int argc, char **argv)
{
    static const struct cli_option known[] = {
        { "json", false }, { "keys", true }, { "workers", true }, { "max-message", true },
        { "attached-inside", false }, { "language", true }, { "ocr", false },
    };
    struct cli_parsed parsed;
    int code = cli_parse_command("ingest", argc, argv, known, 7, &parsed);
    if (code >= 0)
        return code;
    bool json = parsed.values[0] != NULL;
    const char *keys_file = parsed.values[1];
    int workers = parsed.values[2] ? atoi(parsed.values[2]) : 0;
    if (parsed.values[2] && workers <= 0)
        code = cli_usage("ingest: --workers expects a positive number, not '%s'",
                         parsed.values[2]);
    else if (!parsed.operand_count)
        code = cli_usage("ingest: name at least one SOURCE");
    size_t max_message = 0;
    if (code < 0 && parsed.values[3] && !parse_size(parsed.values[3], &max_message))
        code = cli_usage("ingest: --max-message expects a size such as 512M or 2G, not '%s'",
                         parsed.values[3]);
    if (code < 0 && parsed.values[5] && !stem_language_known(parsed.values[5]))
        code = cli_usage("ingest: --language is fr, en or none, not '%s'", parsed.values[5]);
    if (code >= 0) {
        cli_parsed_free(&parsed);
        return code;
    }
    code = ingest_sources(cli, json, keys_file, workers, max_message, parsed.values[4] != NULL,
                          parsed.values[5], parsed.values[6] != NULL,
                          parsed.operands,
                          parsed.operand_count);
    cli_parsed_free(&parsed);
    return code;
}
