/* web_site.c - `export --format site DIR`: the web archive as static
 * files with relative links (web.h; docs/web.md, "Static site").  The
 * pages are serve's own, rendered by the same functions; only their
 * links are rewritten from routes to files. */
#include "web.h"
#include "web_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"
#include "report.h"
#include "text.h"

/* What one exporting thread holds. */
struct site_worker {
    struct site *site;
    struct store *st;
    struct buf html, path;
    /* attachments email's page links: numbers, and whether its text is */
    int attachments[256];
    bool attachment_text[256];
    int attachment_count;
    int64_t linked_thread;     /* the thread the page links, 0: none */
    uint64_t pages, files, bytes;
    mt_status status;
    struct mt_error err;
};

struct site {
    const char *dir, *search_url;
    const char *archive_path;
    int64_t *ids;                /* every email, id order */
    size_t id_count;
    atomic_size_t next;          /* the next email a worker takes */
    atomic_uchar *thread_taken;  /* a thread page written, by id */
    int64_t max_id;
    atomic_bool failed;
};

static mt_status write_file(struct site_worker *w, const char *relative, const void *data,
                            size_t len)
{
    buf_clear(&w->path);
    buf_printf(&w->path, "%s/%s", w->site->dir, relative);
    int fd = open(buf_cstr(&w->path), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0 && fd_write_all(fd, data, len);
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    w->files++;
    w->bytes += ok ? len : 0;
    return ok ? MT_OK
              : mt_error_set(&w->err, MT_EIO, "writing %s: %s", buf_cstr(&w->path),
                             strerror(errno));
}

static mt_status make_dir(struct site_worker *w, const char *relative)
{
    buf_clear(&w->path);
    buf_printf(&w->path, "%s/%s", w->site->dir, relative);
    if (mkdir(buf_cstr(&w->path), 0755) == 0 || errno == EEXIST)
        return MT_OK;
    return mt_error_set(&w->err, MT_EIO, "making %s: %s", buf_cstr(&w->path), strerror(errno));
}

/* The file a route's link becomes, relative to the site's top, into OUT;
 * false when the route has no file (the HTML view, which needs serve's
 * sandbox, and searches without --search-url). */
static bool route_file(struct site_worker *w, const char *r, struct buf *out)
{
    long long id, n;
    int used = 0;
    if (!strcmp(r, "/"))
        return buf_append_str(out, "index.html") == MT_OK;
    if (!strcmp(r, "/style.css") || !strcmp(r, "/stats") || !strcmp(r, "/sources"))
        return buf_printf(out, "%s%s", r + 1, strcmp(r, "/style.css") ? ".html" : "") == MT_OK;
    if (!strncmp(r, "/search", 7) && (!r[7] || r[7] == '?')) {
        if (!w->site->search_url)
            return false;
        return buf_printf(out, "%s%s", w->site->search_url, r + 7) == MT_OK;
    }
    if (sscanf(r, "/thread/%lld%n", &id, &used) == 1 && !r[used]) {
        w->linked_thread = id;
        return buf_printf(out, "thread/%lld.html", id) == MT_OK;
    }
    if (sscanf(r, "/email/%lld%n", &id, &used) != 1)
        return false;
    const char *rest = r + used;
    if (!*rest)
        return buf_printf(out, "email/%lld.html", id) == MT_OK;
    if (!strcmp(rest, "/raw"))
        return buf_printf(out, "email/%lld.eml", id) == MT_OK;
    if (!strcmp(rest, "/evidence"))
        return buf_printf(out, "email/%lld/evidence.zip", id) == MT_OK;
    if (sscanf(rest, "/attachment/%lld%n", &n, &used) == 1 && n > 0 && n < 100000
        && w->attachment_count < 256) {
        bool text = !strcmp(rest + used, "/text");
        if (rest[used] && !text)
            return false;
        w->attachments[w->attachment_count] = (int)n;
        w->attachment_text[w->attachment_count++] = text;
        return buf_printf(out, "email/%lld/attachment/%lld%s", id, n, text ? ".txt" : "")
               == MT_OK;
    }
    return false;
}

/* HTML with each href, src and action that names a route made relative
 * (DEPTH directories down), into OUT.  A route with no file links
 * nowhere; a search form with nowhere to go is left out. */
static void rewrite_links(struct site_worker *w, const char *html, int depth, struct buf *out)
{
    static const char *const attributes[] = { " href=\"/", " src=\"/", " action=\"/" };
    struct buf target = BUF_INIT;
    const char *p = html;
    for (;;) {
        const char *next = NULL;
        size_t attribute_len = 0;
        for (int i = 0; i < 3; i++) {
            const char *at = strstr(p, attributes[i]);
            if (at && (!next || at < next)) {
                next = at;
                attribute_len = strlen(attributes[i]) - 1;
            }
        }
        const char *form = w->site->search_url ? NULL : strstr(p, "<form");
        if (form && (!next || form < next)) {
            const char *end = strstr(form, "</form>");
            buf_append(out, p, (size_t)(form - p));
            p = end ? end + 7 : form + strlen(form);
            continue;
        }
        if (!next) {
            buf_append_str(out, p);
            break;
        }
        const char *value = next + attribute_len;
        const char *quote = strchr(value, '"');
        if (!quote)
            quote = value + strlen(value);
        buf_append(out, p, (size_t)(value - p));
        buf_clear(&target);
        /* the value is HTML-escaped: &amp; stands for & in a query; a
         * route longer than any of ours links nowhere */
        char route[512];
        size_t n = 0;
        const char *c = value;
        for (; c < quote && n + 1 < sizeof route; c++) {
            route[n++] = *c;
            if (!strncmp(c, "&amp;", 5) && c + 5 <= quote)
                c += 4;
        }
        route[n] = '\0';
        if (c >= quote && route_file(w, route, &target)) {
            bool absolute = strstr(buf_cstr(&target), "://") != NULL;
            for (int d = 0; d < depth && !absolute; d++)
                buf_append_str(out, "../");
            web_html_escape(out, buf_cstr(&target));
        } else {
            buf_append_char(out, '#');
        }
        p = quote;
    }
    buf_free(&target);
}

/* Write the page in R (if it is one) at RELATIVE, its links rewritten. */
static mt_status write_page(struct site_worker *w, struct reply *r, const char *relative,
                            int depth)
{
    if (r->status != 200)
        return MT_OK;
    buf_clear(&w->html);
    rewrite_links(w, buf_cstr(&r->body), depth, &w->html);
    w->pages++;
    return write_file(w, relative, w->html.data, w->html.len);
}

/* A download route's reply R written as a file, when there is one. */
static mt_status write_download(struct site_worker *w, struct reply *r, const char *relative)
{
    mt_status status = r->status == 200 ? write_file(w, relative, r->body.data, r->body.len)
                                        : MT_OK;
    buf_free(&r->body);
    *r = (struct reply){ .status = 200 };
    return status;
}

static mt_status write_thread(struct site_worker *w, int64_t id)
{
    if (id < 1 || id > w->site->max_id
        || atomic_exchange(&w->site->thread_taken[id], 1))
        return MT_OK;
    struct reply r = { .status = 200 };
    char name[64];
    web_thread_page(w->st, id, &r);
    snprintf(name, sizeof name, "thread/%lld.html", (long long)id);
    w->attachment_count = 0;
    mt_status status = write_page(w, &r, name, 1);
    buf_free(&r.body);
    return status;
}

/* Email ID: its page, raw bytes, bundle, attachments and thread page. */
static mt_status write_email(struct site_worker *w, int64_t id)
{
    struct reply r = { .status = 200 };
    char name[96];
    w->attachment_count = 0;
    w->linked_thread = 0;
    web_email_page(w->st, id, &r);
    snprintf(name, sizeof name, "email/%lld.html", (long long)id);
    mt_status status = write_page(w, &r, name, 1);
    int64_t thread_id = w->linked_thread;   /* found by write_page's rewrite */
    buf_free(&r.body);
    r = (struct reply){ .status = 200 };
    snprintf(name, sizeof name, "email/%lld", (long long)id);
    if (status == MT_OK)
        status = make_dir(w, name);
    if (status == MT_OK) {
        web_raw_download(w->st, id, &r);
        snprintf(name, sizeof name, "email/%lld.eml", (long long)id);
        status = write_download(w, &r, name);
    }
    if (status == MT_OK) {
        web_evidence_download(w->st, id, &r);
        snprintf(name, sizeof name, "email/%lld/evidence.zip", (long long)id);
        status = write_download(w, &r, name);
    }
    int count = w->attachment_count;
    if (status == MT_OK && count) {
        snprintf(name, sizeof name, "email/%lld/attachment", (long long)id);
        status = make_dir(w, name);
    }
    for (int i = 0; i < count && status == MT_OK; i++) {
        int n = w->attachments[i];
        if (w->attachment_text[i])
            web_attachment_text(w->st, id, n, &r);
        else
            web_attachment_download(w->st, id, n, &r);
        snprintf(name, sizeof name, "email/%lld/attachment/%d%s", (long long)id, n,
                 w->attachment_text[i] ? ".txt" : "");
        status = write_download(w, &r, name);
    }
    buf_free(&r.body);
    if (status == MT_OK && thread_id)
        status = write_thread(w, thread_id);
    return status;
}

static void *site_worker_run(void *arg)
{
    struct site_worker *w = arg;
    struct site *s = w->site;
    for (;;) {
        size_t i = atomic_fetch_add(&s->next, 1);
        if (i >= s->id_count || atomic_load(&s->failed))
            break;
        /* one read transaction an email: SQLite then takes its file
         * locks once, not for each of the page's statements */
        bool began = store_begin_read(w->st);
        w->status = write_email(w, s->ids[i]);
        store_end_read(w->st, began);
        if (w->status != MT_OK) {
            atomic_store(&s->failed, true);
            break;
        }
    }
    return NULL;
}

/* index.html, stats.html, sources.html and style.css (the first worker). */
static mt_status write_top(struct site_worker *w)
{
    struct reply r = { .status = 200 };
    struct buf stats = BUF_INIT;
    struct json_writer jw;
    json_init(&jw, &stats);
    char root_line[200];
    mt_status status = report_stats_json(w->st, &jw, &w->err);
    web_archive_root_line(w->st, root_line, sizeof root_line);
    if (status == MT_OK) {
        web_home_page(w->st, buf_cstr(&stats), root_line, &r);
        status = write_page(w, &r, "index.html", 0);
    }
    buf_free(&stats);
    buf_free(&r.body);
    static void (*const pages[])(struct store *, struct reply *) = { web_stats_page,
                                                                     web_sources_page };
    static const char *const names[] = { "stats.html", "sources.html" };
    for (int i = 0; i < 2 && status == MT_OK; i++) {
        r = (struct reply){ .status = 200 };
        pages[i](w->st, &r);
        status = write_page(w, &r, names[i], 0);
        buf_free(&r.body);
    }
    if (status == MT_OK)
        status = write_file(w, "style.css", web_stylesheet(), strlen(web_stylesheet()));
    return status;
}

mt_status web_export_site(const struct web_site_options *options,
                          struct web_site_counts *counts, struct mt_error *err)
{
    memset(counts, 0, sizeof *counts);
    struct site s = { .dir = options->dir, .search_url = options->search_url,
                      .archive_path = options->archive_path };
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = options->threads > 0 ? options->threads : cores > 0 ? (int)cores : 1;
    if (threads > 64)
        threads = 64;
    struct site_worker workers[64];
    memset(workers, 0, sizeof workers);
    mt_status status = MT_OK;
    int opened = 0;
    for (; opened < threads && status == MT_OK; opened++) {
        workers[opened].site = &s;
        status = store_open(options->archive_path, STORE_READ_ONLY, &workers[opened].st, err);
    }
    if (status == MT_OK && (mkdir(s.dir, 0755) != 0 && errno != EEXIST))
        status = mt_error_set(err, MT_EIO, "making %s: %s", s.dir, strerror(errno));
    if (status == MT_OK)
        status = store_email_ids(workers[0].st, &s.ids, &s.id_count, err);
    if (status == MT_OK && s.id_count)
        s.max_id = s.ids[s.id_count - 1];   /* in id order */
    if (status == MT_OK && !(s.thread_taken = calloc((size_t)s.max_id + 1, sizeof *s.thread_taken)))
        status = MT_ENOMEM;
    if (status == MT_OK && ((status = make_dir(&workers[0], "email")) != MT_OK
                            || (status = make_dir(&workers[0], "thread")) != MT_OK
                            || (status = write_top(&workers[0])) != MT_OK))
        *err = workers[0].err;
    pthread_t ids[64];
    int started = 0;
    for (; status == MT_OK && started < threads; started++)
        if (pthread_create(&ids[started], NULL, site_worker_run, &workers[started]))
            break;
    for (int t = 0; t < started; t++)
        pthread_join(ids[t], NULL);
    for (int t = 0; t < opened; t++) {
        counts->pages += workers[t].pages;
        counts->files += workers[t].files;
        counts->bytes += workers[t].bytes;
        if (status == MT_OK && workers[t].status != MT_OK) {
            status = workers[t].status;
            *err = workers[t].err;
        }
        store_close(workers[t].st);
        buf_free(&workers[t].html);
        buf_free(&workers[t].path);
    }
    counts->emails = s.id_count;
    free(s.ids);
    free(s.thread_taken);
    return status;
}
