/*
 * extract_pool.c - a long-lived extraction helper per ingest worker
 * (extract.h, struct extract_pool).  Starting a helper costs about 42 ms
 * (loading mailtrove-full's libraries); linux-mips has a thousand risky
 * attachments, so one process per document made ingest 20-37% slower
 * than without extraction.  Here one helper reads document after
 * document over a socket pair, and the isolation stays: before each
 * document the helper gives itself a CPU limit (its usage so far plus the
 * document's allowance), its address space is limited once, the parent
 * waits with a wall-clock deadline, and a helper that crashed, ran out of
 * time or went quiet is killed and replaced for the next document.  The
 * only helper protocol: a caller without a pool (the web's text route,
 * export) gets a helper for one document (extract.c).
 *
 * Request: 8 bytes of length (little-endian), 1 byte of flags (1: OCR),
 * the document.  Answer: the outcome byte, 4 bytes of reason length, the
 * reason, 8 bytes of text length, the text.
 */
#include "extract/extract_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"

/* A helper is replaced after this many documents, whatever the readers
 * may have kept of the earlier ones. */
#define POOL_DOCUMENTS_PER_HELPER 500

struct extract_pool {
    char *program;
    pid_t pid;              /* 0: none running */
    int fd;                 /* our end of the socket pair */
    unsigned served;
};

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

struct extract_pool *extract_pool_new(const char *program)
{
    struct extract_pool *p = calloc(1, sizeof *p);
    if (p && !(p->program = strdup(program))) {
        free(p);
        p = NULL;
    }
    if (p)
        p->fd = -1;
    return p;
}

/* Stop the helper: KILL it, or close its socket so it ends by itself.
 * Its wait status into *STATUS (may be NULL). */
static void pool_stop(struct extract_pool *p, bool kill_it, int *status)
{
    int st = 0;
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    if (p->pid > 0) {
        if (kill_it)
            kill(p->pid, SIGKILL);
        while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
            ;
    }
    p->pid = 0;
    p->served = 0;
    if (status)
        *status = st;
}

void extract_pool_free(struct extract_pool *p)
{
    if (!p)
        return;
    pool_stop(p, false, NULL);
    free(p->program);
    free(p);
}

static bool pool_start(struct extract_pool *p)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return false;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(sv[1], 0);
        dup2(sv[1], 1);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
#if !defined(__SANITIZE_ADDRESS__)
        struct rlimit mem = { EXTRACT_HELPER_MEMORY, EXTRACT_HELPER_MEMORY };
        setrlimit(RLIMIT_AS, &mem);
#endif
        char *argv[] = { p->program, (char *)"__extract", NULL };
        execv(p->program, argv);
        _exit(127);
    }
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        return false;
    }
    p->pid = pid;
    p->fd = sv[0];
    p->served = 0;
    return true;
}

/* All N bytes to the helper; false when it is gone (no SIGPIPE). */
static bool send_all(int fd, const void *data, size_t n)
{
    const char *c = data;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}

/* Exactly N bytes from the helper before DEADLINE (CLOCK_MONOTONIC
 * seconds); -1 at its end, -2 past the deadline. */
static int receive(int fd, void *data, size_t n, double deadline)
{
    char *c = data;
    while (n) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double left = deadline - ((double)now.tv_sec + now.tv_nsec / 1e9);
        if (left <= 0)
            return -2;
        struct pollfd pfd = { fd, POLLIN, 0 };
        int ready = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0)
            continue;           /* the clock decides */
        ssize_t got = read(fd, c, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        c += got;
        n -= (size_t)got;
    }
    return 0;
}

/* The answer after a request, into R; false when the helper failed (R
 * says how, and the helper is gone). */
static bool read_answer(struct extract_pool *p, double deadline, int seconds,
                        struct extract_result *r)
{
    unsigned char head[5];
    int rc = receive(p->fd, head, 5, deadline);
    uint64_t reason_len = rc == 0 ? get_le(head + 1, 4) : 0;
    char reason[sizeof r->reason];
    unsigned char size[8];
    if (rc == 0 && reason_len >= sizeof reason)
        rc = -1;
    if (rc == 0)
        rc = receive(p->fd, reason, (size_t)reason_len, deadline);
    if (rc == 0)
        rc = receive(p->fd, size, 8, deadline);
    uint64_t text_len = rc == 0 ? get_le(size, 8) : 0;
    if (rc == 0 && text_len > EXTRACT_MAX_TEXT_BYTES + 16)
        rc = -1;
    char *text = rc == 0 ? malloc(text_len + 1) : NULL;
    if (rc == 0 && !text)
        rc = -1;
    if (rc == 0)
        rc = receive(p->fd, text, (size_t)text_len, deadline);
    if (rc == 0) {
        reason[reason_len] = '\0';
        r->outcome = head[0] <= EXTRACT_LIMIT ? (enum extract_outcome)head[0] : EXTRACT_FAILED;
        snprintf(r->reason, sizeof r->reason, "%s", reason);
        extract_append(r, text, (size_t)text_len);
        free(text);
        return true;
    }
    free(text);
    int status;
    pool_stop(p, true, &status);
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (rc == -2 || sig == SIGXCPU)
        extract_set(r, EXTRACT_LIMIT, "the extractor ran out of its %d s of CPU time", seconds);
    else if (sig && sig != SIGKILL)
        extract_set(r, EXTRACT_FAILED, "the document made the extractor crash (signal %d)", sig);
    else
        extract_set(r, EXTRACT_FAILED, "the extractor gave no result (exit status %d%s)",
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                    WIFEXITED(status) && WEXITSTATUS(status) == 1 ? ", out of memory?" : "");
    return false;
}

void extract_in_pool(struct extract_pool *p, const unsigned char *d, size_t len, bool ocr,
                     struct extract_result *r)
{
    int seconds = ocr ? EXTRACT_OCR_HELPER_SECONDS : EXTRACT_HELPER_SECONDS;
    if (p->pid && p->served >= POOL_DOCUMENTS_PER_HELPER)
        pool_stop(p, false, NULL);
    if (!p->pid && !pool_start(p)) {
        extract_set(r, EXTRACT_FAILED, "could not start the extractor: %s", strerror(errno));
        return;
    }
    p->served++;
    unsigned char head[9];
    put_le(head, len, 8);
    head[8] = ocr ? 1 : 0;
    if (!send_all(p->fd, head, sizeof head) || !send_all(p->fd, d, len)) {
        /* it died between documents: once more with a new one */
        pool_stop(p, true, NULL);
        if (!pool_start(p) || !send_all(p->fd, head, sizeof head) || !send_all(p->fd, d, len)) {
            pool_stop(p, true, NULL);
            extract_set(r, EXTRACT_FAILED, "could not hand the document to the extractor");
            return;
        }
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    /* CPU time is the helper's own limit; the wall clock only catches a
     * helper that waits without working */
    double deadline = (double)now.tv_sec + now.tv_nsec / 1e9 + 3.0 * seconds + 30;
    read_answer(p, deadline, seconds, r);
}

/* --- the helper's side ------------------------------------------------ */

/* CPU time used so far, in whole seconds rounded up. */
static rlim_t cpu_used(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (rlim_t)(u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1);
}

int extract_helper_serve(int fd)
{
    struct buf data = BUF_INIT;
    for (;;) {
        unsigned char head[9];
        if (!fd_read_exact(fd, head, sizeof head))
            break;              /* the parent closed: done */
        uint64_t len = get_le(head, 8);
        bool ocr = head[8] & 1;
        buf_clear(&data);
        if (len > EXTRACT_MAX_INPUT_BYTES + 1 || buf_reserve(&data, (size_t)len + 1) != MT_OK)
            return 1;
        if (len && !fd_read_exact(fd, data.data, (size_t)len))
            return 1;
        data.len = (size_t)len;
        data.data[len] = '\0';
        /* this document's CPU allowance on top of what was used */
        rlim_t seconds = ocr ? EXTRACT_OCR_HELPER_SECONDS : EXTRACT_HELPER_SECONDS;
        struct rlimit cpu;
        getrlimit(RLIMIT_CPU, &cpu);
        cpu.rlim_cur = cpu_used() + seconds;
        if (cpu.rlim_max != RLIM_INFINITY && cpu.rlim_cur > cpu.rlim_max)
            cpu.rlim_cur = cpu.rlim_max;
        setrlimit(RLIMIT_CPU, &cpu);
        struct extract_options options = { .helper = NULL, .ocr = ocr };
        struct extract_result r;
        extract_text((const unsigned char *)data.data, data.len, NULL, NULL, NULL, &options, &r);
        unsigned char answer[5], size[8];
        size_t reason_len = strlen(r.reason);
        answer[0] = (unsigned char)r.outcome;
        put_le(answer + 1, reason_len, 4);
        put_le(size, r.text.len, 8);
        bool ok = fd_write_all(fd, answer, 5) && fd_write_all(fd, r.reason, reason_len)
                  && fd_write_all(fd, size, 8) && fd_write_all(fd, buf_cstr(&r.text), r.text.len);
        extract_result_free(&r);
        if (!ok)
            return 1;
    }
    buf_free(&data);
    return 0;
}
