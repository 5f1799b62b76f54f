/* outlook_store.c - the parent's side of outlook_store.h: starting the
 * helper, reading its frames, and telling how it ended. */
#include "outlook/outlook_store.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"

#define MAX_MEMBER_BYTES (64u << 10)

const char *outlook_store_kind(const unsigned char *d, size_t len)
{
    if (len < 12 || memcmp(d, "!BDN", 4) != 0)
        return NULL;
    if (d[8] == 'S' && d[9] == 'O')
        return "ost";
    if (d[8] == 'S' && d[9] == 'M')
        return "pst";
    return NULL;
}

/* The CPU time a store may take: generous (libpst reads a few MB/s at
 * worst), but a helper stuck in a loop on a damaged store ends. */
static rlim_t cpu_budget(const char *file)
{
    struct stat st;
    rlim_t seconds = 120;
    if (stat(file, &st) == 0)
        seconds += (rlim_t)(st.st_size >> 20); /* a second a MiB */
    return seconds;
}

static pid_t start_helper(const char *helper, const char *file,
                          size_t max_bytes, int *read_fd)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    char limit[32];
    snprintf(limit, sizeof limit, "%zu", max_bytes);
    rlim_t cpu = cpu_budget(file);
    pid_t pid = fork();
    if (pid == 0) {
        /* Only async-signal-safe calls until exec. */
        dup2(p[1], 1);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 2); /* libpst prints to stderr on some errors */
        }
        struct rlimit rl = { cpu, cpu + 5 };
        setrlimit(RLIMIT_CPU, &rl);
        signal(SIGPIPE, SIG_DFL);
        char *argv[] = { (char *)helper, (char *)"__outlook-store", (char *)file,
                         limit, NULL };
        execv(helper, argv);
        _exit(127);
    }
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -1;
    }
    *read_fd = p[0];
    return pid;
}

static void describe_end(int wstatus, uint64_t items, bool complete,
                         struct outlook_store_result *r)
{
    if (WIFSIGNALED(wstatus)) {
        int sig = WTERMSIG(wstatus);
        snprintf(r->failure, sizeof r->failure,
                 "reading the store stopped after %llu items: libpst %s (signal %d)",
                 (unsigned long long)items,
                 sig == SIGXCPU || sig == SIGKILL ? "ran out of its CPU time"
                                                  : "crashed", sig);
    } else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127) {
        snprintf(r->failure, sizeof r->failure,
                 "the Outlook store reader could not be started");
    } else if (!complete) {
        snprintf(r->failure, sizeof r->failure,
                 "reading the store stopped after %llu items: libpst gave up "
                 "(exit status %d)", (unsigned long long)items,
                 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
    }
}

/* Read frames until the end of the stream; returns EMIT's status or OK. */
static mt_status read_frames(int fd, outlook_store_item_fn emit, void *context,
                             struct outlook_store_result *r, bool *complete)
{
    struct buf member = BUF_INIT, payload = BUF_INIT;
    mt_status status = MT_OK;
    for (;;) {
        unsigned char head[5], len8[8];
        if (!fd_read_exact(fd, head, 5))
            break;
        uint32_t ml = (uint32_t)head[1] | (uint32_t)head[2] << 8 |
                      (uint32_t)head[3] << 16 | (uint32_t)head[4] << 24;
        if (ml > MAX_MEMBER_BYTES)
            break;
        buf_clear(&member);
        if ((status = buf_reserve(&member, ml)) != MT_OK)
            break;
        if (!fd_read_exact(fd, member.data, ml))
            break;
        member.len = ml;
        member.data[ml] = '\0';
        if (!fd_read_exact(fd, len8, 8))
            break;
        uint64_t n = 0;
        for (int i = 7; i >= 0; i--)
            n = n << 8 | len8[i];
        if (n > ((uint64_t)2 << 30))
            break;
        buf_clear(&payload);
        if ((status = buf_reserve(&payload, (size_t)n)) != MT_OK)
            break;
        if (!fd_read_exact(fd, payload.data, (size_t)n))
            break;
        payload.len = (size_t)n;
        payload.data[n] = '\0';
        switch (head[0]) {
        case 'M':
            r->items++;
            status = emit(context, member.data, &payload, NULL);
            break;
        case 'R':
            r->items++;
            status = emit(context, member.data, NULL, payload.data);
            break;
        case 'X':
            r->expected = strtoll(payload.data, NULL, 10);
            *complete = true;
            break;
        case 'F':
            snprintf(r->failure, sizeof r->failure, "%s", payload.data);
            *complete = true;
            break;
        default:
            break;
        }
        if (status != MT_OK || head[0] == 'X' || head[0] == 'F')
            break;
    }
    buf_free(&member);
    buf_free(&payload);
    return status;
}

mt_status outlook_store_read(const char *helper, const char *file,
                             size_t max_bytes, outlook_store_item_fn emit,
                             void *context, struct outlook_store_result *r,
                             struct mt_error *err)
{
    memset(r, 0, sizeof *r);
    r->expected = -1;
    int fd;
    pid_t pid = start_helper(helper, file, max_bytes, &fd);
    if (pid < 0)
        return mt_error_set(err, MT_EIO, "cannot start the Outlook store reader: %s",
                            strerror(errno));
    bool complete = false;
    mt_status status = read_frames(fd, emit, context, r, &complete);
    if (status != MT_OK)
        kill(pid, SIGKILL); /* we stop; so does it */
    close(fd);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    if (status == MT_OK)
        describe_end(wstatus, r->items, complete, r);
    if (status == MT_ENOMEM)
        mt_error_set(err, status, "out of memory reading an Outlook store");
    return status;
}
