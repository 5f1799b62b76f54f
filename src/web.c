/* web.c - routes, pages and headers of `mailtrove serve`. */
#include "web.h"
#include "web_int.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attachment_text.h"
#include "buf.h"
#include "email_view.h"
#include "extract/extract.h"
#include "html.h"
#include "index.h"
#include "evidence.h"
#include "json.h"
#include "merkle.h"
#include "mime.h"
#include "org.h"
#include "query.h"
#include "query_field.h"
#include "report.h"
#include "search.h"
#include "stem.h"
#include "store.h"

#define PAGE_SIZE 20
#define MAX_PAGE 500            /* deepest page served: bounded work */
#define QUERY_BUDGET_SECONDS 3  /* a query running longer is stopped */

/* No script anywhere; styles and images only from us; forms only to us. */
static const char csp_pages[] =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'";
/* Downloads (raw, attachments) may not run or load anything, even if a
 * browser decides to render one. */
static const char csp_downloads[] = "default-src 'none'; sandbox; frame-ancestors 'none'";
/* The HTML view is sandboxed (an opaque origin: no script, no forms, no
 * cookies, no top navigation), loads images only from this archive (the
 * email's cid: parts) and allows exactly one style block, ours, by hash. */
static const char html_view_style[] =
    "body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:0 auto;padding:1rem;"
    "color:#1a1a1a;background:#fff}.note{background:#f3f5f8;border-left:4px solid #1a5fb4;"
    "padding:.5rem 1rem;margin-bottom:1rem}.removed{color:#666;font-style:italic}"
    "img{max-width:100%;height:auto}";

static const char stylesheet[] =
    ":root{--fg:#1b1b1b;--muted:#555;--line:#d8d8d8;--accent:#0b57d0;--ok:#0a6b2d;"
    "--warn:#8a5300;--bad:#a51d2d;--bg:#fff;--soft:#f5f6f8}\n"
    "*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',"
    "Roboto,sans-serif;color:var(--fg);background:var(--bg)}\n"
    "header{background:#14213d;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;"
    "align-items:center;flex-wrap:wrap}header a{color:#fff;text-decoration:none;font-weight:600}\n"
    "header form{flex:1;display:flex;gap:.4rem;min-width:16rem}"
    "header input[type=search]{flex:1;padding:.4rem .6rem;border:0;border-radius:4px;font-size:1rem}\n"
    "button{padding:.4rem .9rem;border:0;border-radius:4px;background:var(--accent);color:#fff;"
    "font-size:1rem;cursor:pointer}button:focus,a:focus,input:focus,select:focus{outline:3px solid #ffbf47}\n"
    "main{max-width:60rem;margin:0 auto;padding:1rem}h1{font-size:1.4rem;margin:.5rem 0 1rem}\n"
    "a{color:var(--accent)}.muted{color:var(--muted)}\n"
    ".result{border-bottom:1px solid var(--line);padding:.7rem 0}.result h2{font-size:1.05rem;margin:0}\n"
    ".meta{color:var(--muted);font-size:.9rem}.snippet{margin:.3rem 0 0}mark{background:#fff1a8}\n"
    ".badge{display:inline-block;font-size:.75rem;font-weight:700;padding:.05rem .45rem;"
    "border-radius:3px;color:#fff;vertical-align:middle}\n"
    ".b-verified{background:var(--ok)}.b-weak{background:var(--warn)}.b-failed{background:var(--bad)}"
    ".b-unchecked{background:#4d5b6b}.b-nokey,.b-unsigned{background:#6b6b6b}\n"
    "dl.headers{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0 0 1rem}"
    "dl.headers dt{font-weight:600;color:var(--muted)}dl.headers dd{margin:0;overflow-wrap:anywhere}\n"
    ".body{white-space:pre-wrap;overflow-wrap:anywhere;font:15px/1.45 ui-monospace,Menlo,Consolas,"
    "monospace;background:var(--soft);padding:1rem;border-radius:4px}\n"
    ".panel{border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;margin:1rem 0}"
    ".panel h2{font-size:1.05rem;margin:0 0 .4rem}.panel ul{margin:.2rem 0;padding-left:1.2rem}\n"
    ".dates li.contradiction{color:var(--bad)}\n"
    ".stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.6rem;margin:1rem 0}"
    ".stats div{background:var(--soft);padding:.6rem;border-radius:4px}.stats b{display:block;font-size:1.3rem}\n"
    "form.advanced{display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));gap:.6rem;"
    "background:var(--soft);padding:1rem;border-radius:6px}form.advanced label{display:flex;"
    "flex-direction:column;font-size:.9rem}form.advanced input,form.advanced select{padding:.35rem;"
    "font-size:1rem}\n"
    "nav.pages{display:flex;gap:1rem;margin:1rem 0}svg{max-width:100%;height:auto}"
    "svg text{font:11px system-ui,sans-serif;fill:#333}\n"
    ".error{border-left:4px solid var(--bad);background:#fdf0f1;padding:.6rem 1rem}\n"
    "table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid var(--line);"
    "text-align:left}\n";

/* ------------------------------------------------------------ connections */

struct pool {
    struct store **stores;
    bool *busy;
    int count;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    /* The stats document is costly (whole-archive aggregates): made at
     * most every STATS_SECONDS, so under load /api/stats, / and /stats
     * may lag an ingest that is running by that much. */
    struct buf stats_json;
    time_t stats_made;
    char root_line[200];          /* "N emails, root HEX", made with stats_json */
    char html_view_policy[256];   /* CSP of /email/ID/html, with its style's hash */
    bool published;               /* a published copy: content never changes */
    char last_modified[40];       /* its publication time, as HTTP writes dates */
};

#define STATS_SECONDS 10

struct lease {
    struct pool *pool;
    int index;
    struct store *store;
    struct timespec deadline;
    bool began;         /* its read transaction */
};

static void lease_take(struct pool *p, struct lease *l)
{
    pthread_mutex_lock(&p->lock);
    for (;;) {
        for (int i = 0; i < p->count; i++)
            if (!p->busy[i]) {
                p->busy[i] = true;
                l->index = i;
                goto found;
            }
        pthread_cond_wait(&p->freed, &p->lock);
    }
found:
    pthread_mutex_unlock(&p->lock);
    l->pool = p;
    l->store = p->stores[l->index];
    clock_gettime(CLOCK_MONOTONIC, &l->deadline);
    l->deadline.tv_sec += QUERY_BUDGET_SECONDS;
    store_set_deadline(l->store, &l->deadline);
    /* One read transaction per request: one snapshot for the whole page,
     * and the file locks taken once instead of per statement. */
    l->began = store_begin_read(l->store);
}

static void lease_return(struct lease *l)
{
    store_end_read(l->store, l->began);
    store_set_deadline(l->store, NULL);
    pthread_mutex_lock(&l->pool->lock);
    l->pool->busy[l->index] = false;
    pthread_cond_signal(&l->pool->freed);
    pthread_mutex_unlock(&l->pool->lock);
}

/* --------------------------------------------------------------- replies */

static void json_reply(struct reply *r)
{
    r->content_type = "application/json; charset=utf-8";
}

/* ------------------------------------------------------------------ pages */

static const char *arg(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return v && *v ? v : NULL;
}

/* Append ` FIELD:VALUE` (VALUE quoted when it has spaces or quotes removed). */
static void add_field(struct buf *q, const char *field, const char *value)
{
    if (!value)
        return;
    if (q->len)
        buf_append_char(q, ' ');
    buf_append_str(q, field);
    bool spaced = strpbrk(value, " \t()") != NULL;
    if (spaced)
        buf_append_char(q, '"');
    for (const char *c = value; *c; c++)
        if (*c != '"')
            buf_append_char(q, *c);
    if (spaced)
        buf_append_char(q, '"');
}

/* The query of a /search request: q plus the advanced form's fields;
 * with forms=yes, q's plain words also match their forms, written out
 * (query_with_word_forms) so the page shows what was searched. */
static void build_query(struct MHD_Connection *c, struct buf *q)
{
    bool forms = arg(c, "forms") && !strcmp(arg(c, "forms"), "yes");
    if (arg(c, "q") && forms)
        query_with_word_forms(arg(c, "q"), q);
    else if (arg(c, "q"))
        buf_append_str(q, arg(c, "q"));
    add_field(q, "from:", arg(c, "from"));
    add_field(q, "to:", arg(c, "to"));
    add_field(q, "subject:", arg(c, "subject"));
    const char *from = arg(c, "date_from"), *to = arg(c, "date_to");
    if (from || to) {
        char range[64];
        snprintf(range, sizeof range, "%.10s..%.10s", from ? from : "", to ? to : "");
        add_field(q, "date:", range);
    }
    if (arg(c, "verified") && !strcmp(arg(c, "verified"), "yes"))
        add_field(q, "verified:", "yes");
    if (arg(c, "attachment") && !strcmp(arg(c, "attachment"), "yes"))
        add_field(q, "has:", "attachment");
}

static void snippet_html(struct buf *b, const char *snippet)
{
    bool open = false;
    const char *s = snippet;
    while (s && *s) {
        const char *mark = strstr(s, "**");
        size_t n = mark ? (size_t)(mark - s) : strlen(s);
        char *part = strndup(s, n);
        web_html_escape(b, part);
        free(part);
        if (!mark)
            break;
        buf_append_str(b, open ? "</mark>" : "<mark>");
        open = !open;
        s = mark + 2;
    }
    if (open)
        buf_append_str(b, "</mark>");
}

static void search_page(struct store *st, struct MHD_Connection *c, struct reply *r)
{
    struct buf q = BUF_INIT;
    build_query(c, &q);
    enum search_sort sort = SEARCH_SORT_DEFAULT;
    if (arg(c, "sort") && !search_parse_sort(arg(c, "sort"), &sort)) {
        web_error_page(r, 400, "Bad sort order", "sort is date, -date or relevance.");
        buf_free(&q);
        return;
    }
    long page = arg(c, "page") ? strtol(arg(c, "page"), NULL, 10) : 1;
    if (page < 1 || page > MAX_PAGE) {
        web_error_page(r, 400, "Bad page", "Pages run from 1 to 500; narrow the search to see more.");
        buf_free(&q);
        return;
    }
    struct search_page results;
    struct mt_error err = { 0 };
    mt_status status = search_run(st, buf_cstr(&q), sort, PAGE_SIZE, (page - 1) * PAGE_SIZE,
                                  true, index_load_body_text, &results, &err);
    if (status == MT_EPARSE) {
        r->status = 400;
        web_page_begin(r, "Bad search", buf_cstr(&q));
        buf_append_str(&r->body, "<h1>This search could not be read</h1><p class=\"error\">");
        web_html_escape(&r->body, err.message);
        buf_append_str(&r->body, "</p><p>Put phrases in double quotes, close every "
                                 "parenthesis, and write dates as 2017, 2017-03 or 2017-03-14.</p>");
        web_advanced_form(&r->body, stem_language(st));
        web_page_end(r);
        buf_free(&q);
        return;
    }
    if (status != MT_OK) {
        web_error_page(r, status == MT_EDB ? 503 : 500, "Search failed",
                   err.message[0] ? err.message : mt_strerror(status));
        buf_free(&q);
        return;
    }
    struct buf *b = &r->body;
    web_page_begin(r, buf_cstr(&q)[0] ? buf_cstr(&q) : "All emails", buf_cstr(&q));
    buf_printf(b, "<h1>%lld %s", (long long)results.total, results.total == 1 ? "email" : "emails");
    if (q.len) {
        buf_append_str(b, " for <q>");
        web_html_escape(b, buf_cstr(&q));
        buf_append_str(b, "</q>");
    }
    buf_append_str(b, "</h1>");
    if (results.total == 0)
        buf_append_str(b, "<p>Nothing matches. Try fewer words, another spelling, or "
                          "<code>OR</code> between alternatives; accents and case do not matter.</p>");
    for (size_t i = 0; i < results.count; i++) {
        const struct search_result *e = &results.results[i];
        buf_printf(b, "<article class=\"result\"><h2><a href=\"/email/%lld\">", (long long)e->id);
        web_html_escape(b, e->subject && *e->subject ? e->subject : "(no subject)");
        buf_append_str(b, "</a> ");
        web_badge(b, e->verdict, e->failure);
        buf_append_str(b, "</h2><div class=\"meta\">");
        web_html_escape(b, e->from);
        buf_append_str(b, " · ");
        web_html_escape(b, e->date ? e->date : "no date");
        buf_append_str(b, "</div><p class=\"snippet\">");
        if (e->snippet_attachment) {
            /* found in an attachment's text: which one, linked to its text */
            buf_printf(b, "<span class=\"muted\">In the attachment <a href=\"/email/%lld/"
                          "attachment/%d/text\">", (long long)e->id, e->snippet_attachment);
            web_html_escape(b, e->snippet_attachment_name && *e->snippet_attachment_name
                                   ? e->snippet_attachment_name : "(no name)");
            buf_append_str(b, "</a>:</span> ");
        }
        snippet_html(b, e->snippet);
        buf_append_str(b, "</p></article>\n");
    }
    int64_t pages = (results.total + PAGE_SIZE - 1) / PAGE_SIZE;
    if (pages > 1) {
        buf_append_str(b, "<nav class=\"pages\" aria-label=\"Pages\">");
        struct buf link = BUF_INIT;
        buf_append_str(&link, "/search?q=");
        web_url_escape(&link, buf_cstr(&q));
        if (arg(c, "sort")) {
            buf_append_str(&link, "&amp;sort=");
            web_url_escape(&link, arg(c, "sort"));
        }
        if (page > 1)
            buf_printf(b, "<a rel=\"prev\" href=\"%s&amp;page=%ld\">← Previous</a>", buf_cstr(&link), page - 1);
        buf_printf(b, "<span>Page %ld of %lld</span>", page, (long long)pages);
        if (page < pages && page < MAX_PAGE)
            buf_printf(b, "<a rel=\"next\" href=\"%s&amp;page=%ld\">Next →</a>", buf_cstr(&link), page + 1);
        buf_free(&link);
        buf_append_str(b, "</nav>");
    }
    web_page_end(r);
    search_page_free(&results);
    buf_free(&q);
}

/* Content-Disposition filename: printable ASCII without quotes or
 * separators; the rest becomes '_'.  Never a path. */
static void safe_filename(const char *name, char *out, size_t size, const char *fallback)
{
    const char *base = name ? strrchr(name, '/') : NULL;
    base = base ? base + 1 : name;
    size_t o = 0;
    for (const char *c = base; c && *c && o + 1 < size; c++)
        out[o++] = (*c >= 0x20 && *c < 0x7f && !strchr("\"\\/;:%", *c)) ? *c : '_';
    out[o] = '\0';
    if (!o || !strcmp(out, ".") || !strcmp(out, ".."))
        snprintf(out, size, "%s", fallback);
}

/* The evidence bundle (evidence.h) as a zip download. */
void web_evidence_download(struct store *st, int64_t id, struct reply *r)
{
    struct mt_error err = { 0 };
    mt_status status = evidence_bundle(st, id, &r->body, &err);
    if (status != MT_OK) {
        buf_clear(&r->body);
        if (status == MT_ENOTFOUND)
            web_error_page(r, 404, "No such email", "There is no email with this number in the archive.");
        else
            web_error_page(r, 500, "Could not make the evidence bundle", mt_strerror(status));
        return;
    }
    r->content_type = "application/zip";
    r->download = true;
    snprintf(r->disposition, sizeof r->disposition,
             "attachment; filename=\"email-%lld-evidence.zip\"", (long long)id);
}

void web_raw_download(struct store *st, int64_t id, struct reply *r)
{
    mt_status status = store_get_raw(st, id, &r->body, NULL);
    if (status == MT_ENOTFOUND) {
        web_error_page(r, 404, "No such email", "There is no email with this number in the archive.");
        return;
    }
    if (status != MT_OK) {
        web_error_page(r, 500, "Could not read this email", mt_strerror(status));
        return;
    }
    r->content_type = "message/rfc822";
    r->download = true;
    snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"%lld.eml\"",
             (long long)id);
}

void web_attachment_download(struct store *st, int64_t id, int n, struct reply *r)
{
    struct buf raw = BUF_INIT;
    unsigned char *data = NULL;
    size_t size = 0;
    /* only an attachment the archive lists (its row names the file) */
    struct email_view view;
    const char *name = NULL;
    if (email_view_load(st, id, 0, NULL, &view, NULL) == MT_OK)
        for (size_t i = 0; i < view.attachment_count; i++)
            if (view.attachments[i].n == n)
                name = view.attachments[i].filename ? view.attachments[i].filename : "";
    if (!name || store_get_raw(st, id, &raw, NULL) != MT_OK
        || mime_get_attachment((const unsigned char *)buf_cstr(&raw), raw.len, n, &data, &size) != MT_OK) {
        web_error_page(r, 404, "No such attachment", "This email has no attachment with this number.");
    } else {
        buf_append(&r->body, data, size);
        char safe[200], fallback[64];
        snprintf(fallback, sizeof fallback, "attachment-%lld-%d", (long long)id, n);
        safe_filename(name, safe, sizeof safe, fallback);
        /* A neutral type: the browser saves it, never renders it here. */
        r->content_type = "application/octet-stream";
        r->download = true;
        snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"%s\"", safe);
    }
    email_view_free(&view);
    free(data);
    buf_free(&raw);
}

/* attachment_examine for attachment number WANTED only. */
struct one_attachment {
    int wanted;
    struct attachment_examiner examiner;
};

static void examine_one(void *context, struct mime_attachment *a, const unsigned char *bytes,
                        size_t len, const char *charset, bool message_part)
{
    struct one_attachment *one = context;
    if (a->n == one->wanted)
        attachment_examine(&one->examiner, a, bytes, len, charset, message_part);
}

/* The text of attachment N, extracted again from the stored bytes (the
 * archive keeps the index, not a copy of the text) by the very code that
 * indexed it at ingest, in one parse. */
void web_attachment_text(struct store *st, int64_t id, int n, struct reply *r)
{
    struct buf raw = BUF_INIT;
    struct mime_message *m = NULL;
    struct one_attachment one = {
        .wanted = n,
        .examiner = { .helper = EXTRACT_SELF, .depth = ATTACHMENT_MAX_MESSAGE_DEPTH,
                      .ocr = attachment_text_ocr(st) },
    };
    struct mime_options options = { .examine = examine_one, .context = &one };
    if (store_get_raw(st, id, &raw, NULL) != MT_OK
        || mime_parse_with((const unsigned char *)buf_cstr(&raw), raw.len, &options, &m) != MT_OK
        || n > (int)m->attachment_count) {
        web_error_page(r, 404, "No such attachment", "This email has no attachment with this number.");
    } else {
        const struct mime_attachment *a = &m->attachments[n - 1];
        if (a->extraction == EXTRACT_OK || a->extraction == EXTRACT_LIMIT)
            buf_append(&r->body, a->text ? a->text : "", a->text_len);
        else
            buf_printf(&r->body, "(no text: %s%s%s)\n",
                       extract_outcome_name((enum extract_outcome)a->extraction),
                       a->extraction_reason ? ", " : "",
                       a->extraction_reason ? a->extraction_reason : "");
        r->content_type = "text/plain; charset=utf-8";
    }
    mime_message_free(m);
    buf_free(&raw);
}

/* The email's HTML, sanitized (src/html.h), in a document of its own. */
static void html_view(struct pool *pool, struct store *st, int64_t id, struct reply *r)
{
    struct buf raw = BUF_INIT, html = BUF_INIT;
    mt_status status = store_get_raw(st, id, &raw, NULL);
    if (status == MT_OK)
        status = mime_get_html((const unsigned char *)buf_cstr(&raw), raw.len, &html);
    if (status == MT_ENOTFOUND) {
        web_error_page(r, 404, "No HTML version", "This email has no HTML part.");
    } else if (status != MT_OK) {
        web_error_page(r, 500, "Could not read this email", mt_strerror(status));
    } else {
        struct buf *b = &r->body;
        char prefix[64];
        struct html_removed removed;
        snprintf(prefix, sizeof prefix, "/email/%lld/cid/", (long long)id);
        buf_printf(b, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                      "<title>HTML version of email %lld</title><style>%s</style></head><body>"
                      "<p class=\"note\">The HTML of <a href=\"/email/%lld\">email %lld</a>, "
                      "sanitized: scripts, forms, styles and everything from outside the "
                      "archive are removed.", (long long)id, html_view_style, (long long)id,
                   (long long)id);
        struct buf fragment = BUF_INIT;
        status = html_sanitize(html.data, html.len, prefix, &fragment, &removed);
        if (removed.remote_images)
            buf_printf(b, " %d image%s from elsewhere not loaded.", removed.remote_images,
                       removed.remote_images == 1 ? "" : "s");
        buf_append_str(b, "</p>");
        if (status == MT_OK)
            buf_append(b, fragment.data, fragment.len);
        buf_append_str(b, "</body></html>");
        buf_free(&fragment);
        r->content_type = "text/html; charset=utf-8";
        r->policy = pool->html_view_policy;
    }
    buf_free(&raw);
    buf_free(&html);
}

/* An inline image of the email (cid:), for the HTML view.  Raster types
 * only: SVG can carry script. */
static void content_id_image(struct store *st, int64_t id, const char *cid, struct reply *r)
{
    static const char *const raster[] = { "image/png", "image/gif", "image/jpeg", "image/webp",
                                          "image/bmp", NULL };
    struct buf raw = BUF_INIT;
    unsigned char *data = NULL;
    size_t size = 0;
    char type[128] = "";
    bool found = *cid && store_get_raw(st, id, &raw, NULL) == MT_OK
              && mime_get_content_id((const unsigned char *)buf_cstr(&raw), raw.len, cid,
                                     &data, &size, type, sizeof type) == MT_OK;
    const char *served = NULL;
    for (int i = 0; found && raster[i]; i++)
        if (!strcmp(type, raster[i]))
            served = raster[i];
    if (!served) {
        web_error_page(r, 404, "No such image", "This email has no inline image by that name.");
    } else {
        buf_append(&r->body, data, size);
        r->content_type = served;
        r->download = true;       /* the downloads' CSP: it may run nothing */
        r->embeddable = true;
    }
    free(data);
    buf_free(&raw);
}

/* ---------------------------------------------------------------- routing */

static bool parse_id(const char *s, int64_t *id, const char **rest)
{
    char *end;
    if (*s < '1' || *s > '9')
        return false;
    long long v = strtoll(s, &end, 10);
    if (v <= 0)
        return false;
    *id = v;
    *rest = end;
    return true;
}

/* The stats --json document, from the cache when fresh; into OUT. */
static mt_status cached_stats(struct pool *pool, struct store *st, struct buf *out,
                              struct mt_error *err)
{
    time_t now = time(NULL);
    mt_status status = MT_OK;
    pthread_mutex_lock(&pool->lock);
    if (!pool->stats_json.len || now - pool->stats_made >= STATS_SECONDS) {
        struct buf fresh = BUF_INIT;
        struct json_writer w;
        json_init(&w, &fresh);
        char root_line[sizeof pool->root_line];
        pthread_mutex_unlock(&pool->lock);   /* compute without the lock */
        status = report_stats_json(st, &w, err);
        web_archive_root_line(st, root_line, sizeof root_line);
        pthread_mutex_lock(&pool->lock);
        if (status == MT_OK) {
            buf_free(&pool->stats_json);
            pool->stats_json = fresh;
            pool->stats_made = now;
            memcpy(pool->root_line, root_line, sizeof root_line);
        } else {
            buf_free(&fresh);
        }
    }
    if (status == MT_OK)
        status = buf_append(out, pool->stats_json.data, pool->stats_json.len);
    pthread_mutex_unlock(&pool->lock);
    return status;
}

/* A stats figure for the overview: "–" when absent or null. */
static void home_page(struct pool *pool, struct store *st, struct reply *r)
{
    struct buf stats = BUF_INIT;
    char root_line[200];
    cached_stats(pool, st, &stats, NULL);
    pthread_mutex_lock(&pool->lock);
    memcpy(root_line, pool->root_line, sizeof root_line);
    pthread_mutex_unlock(&pool->lock);
    web_home_page(st, buf_cstr(&stats), root_line, r);
    buf_free(&stats);
}

const char *web_stylesheet(void)
{
    return stylesheet;
}

static void route(struct pool *pool, struct store *st, struct MHD_Connection *c,
                  const char *url, struct reply *r)
{
    int64_t id;
    const char *rest;
    struct mt_error err = { 0 };
    r->cache = WEB_CACHE_SHORT;   /* unless a route below says otherwise */
    if (!strcmp(url, "/")) {
        home_page(pool, st, r);
    } else if (!strcmp(url, "/style.css")) {
        r->content_type = "text/css; charset=utf-8";
        buf_append_str(&r->body, stylesheet);
    } else if (!strcmp(url, "/search")) {
        search_page(st, c, r);
    } else if (!strcmp(url, "/stats")) {
        web_stats_page(st, r);
    } else if (!strcmp(url, "/sources")) {
        web_sources_page(st, r);
    } else if (!strncmp(url, "/email/", 7) && parse_id(url + 7, &id, &rest)) {
        long n;
        char *end;
        r->cache = WEB_CACHE_CONTENT;
        if (!*rest)
            web_email_page(st, id, r);
        else if (!strcmp(rest, "/raw"))
            web_raw_download(st, id, r);
        else if (!strcmp(rest, "/html"))
            html_view(pool, st, id, r);
        else if (!strcmp(rest, "/evidence"))
            web_evidence_download(st, id, r);
        else if (!strncmp(rest, "/cid/", 5))
            content_id_image(st, id, rest + 5, r);
        else if (!strncmp(rest, "/attachment/", 12) && (n = strtol(rest + 12, &end, 10)) > 0
                 && !*end && n < 100000)
            web_attachment_download(st, id, (int)n, r);
        else if (!strncmp(rest, "/attachment/", 12) && (n = strtol(rest + 12, &end, 10)) > 0
                 && !strcmp(end, "/text") && n < 100000)
            web_attachment_text(st, id, (int)n, r);
        else
            web_error_page(r, 404, "Not found", "There is no such page.");
    } else if (!strncmp(url, "/thread/", 8) && parse_id(url + 8, &id, &rest) && !*rest) {
        r->cache = WEB_CACHE_CONTENT;
        web_thread_page(st, id, r);
    } else if (!strcmp(url, "/api/stats")) {
        json_reply(r);
        if (cached_stats(pool, st, &r->body, &err) != MT_OK)
            r->status = 500;
    } else if (!strncmp(url, "/api/email/", 11) && parse_id(url + 11, &id, &rest) && !*rest) {
        r->cache = WEB_CACHE_CONTENT;
        struct json_writer w;
        json_init(&w, &r->body);
        json_reply(r);
        mt_status status = report_email_json(st, id, &w, &err);
        if (status != MT_OK) {
            buf_clear(&r->body);
            r->status = status == MT_ENOTFOUND ? 404 : 500;
            buf_printf(&r->body, "{\"error\":\"%s\"}", status == MT_ENOTFOUND ? "no such email"
                                                                               : "internal error");
        }
    } else if (!strncmp(url, "/api/thread/", 12) && parse_id(url + 12, &id, &rest) && !*rest) {
        r->cache = WEB_CACHE_CONTENT;
        struct json_writer w;
        json_init(&w, &r->body);
        json_reply(r);
        if (report_thread_json(st, id, &w, &err) != MT_OK) {
            buf_clear(&r->body);
            r->status = 404;
            buf_append_str(&r->body, "{\"error\":\"no such email\"}");
        }
    } else if (!strcmp(url, "/api/search")) {
        struct buf q = BUF_INIT;
        build_query(c, &q);
        enum search_sort sort = SEARCH_SORT_DEFAULT;
        const char *limit_text = arg(c, "limit"), *offset_text = arg(c, "offset");
        long limit = limit_text ? strtol(limit_text, NULL, 10) : PAGE_SIZE;
        long offset = offset_text ? strtol(offset_text, NULL, 10) : 0;
        if (arg(c, "page"))
            offset = (strtol(arg(c, "page"), NULL, 10) - 1) * limit;
        json_reply(r);
        if ((arg(c, "sort") && !search_parse_sort(arg(c, "sort"), &sort)) || limit < 0
            || limit > 100 || offset < 0 || offset > MAX_PAGE * PAGE_SIZE) {
            r->status = 400;
            buf_append_str(&r->body, "{\"error\":\"bad sort, limit (0-100) or offset\"}");
        } else {
            struct search_page page;
            mt_status status = search_run(st, buf_cstr(&q), sort, limit, offset, true,
                                          index_load_body_text, &page, &err);
            if (status == MT_OK) {
                struct json_writer w;
                json_init(&w, &r->body);
                search_page_json(&page, &w);
                search_page_free(&page);
            } else {
                struct json_writer w;
                json_init(&w, &r->body);
                r->status = status == MT_EPARSE ? 400 : 500;
                json_object_begin(&w);
                json_key(&w, "error");
                json_string(&w, err.message[0] ? err.message : mt_strerror(status));
                json_object_end(&w);
            }
        }
        buf_free(&q);
    } else {
        web_error_page(r, 404, "Not found", "There is no such page.");
    }
}

static void add_security_headers(struct MHD_Response *response, const struct reply *r)
{
    MHD_add_response_header(response, "Content-Security-Policy",
                            r->policy ? r->policy : r->download ? csp_downloads : csp_pages);
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(response, "X-Frame-Options", "DENY");
    /* The sandboxed HTML view has an opaque origin: its cid: images are
     * "cross-origin" to it, and only to it (nothing else links them). */
    MHD_add_response_header(response, "Cross-Origin-Resource-Policy",
                            r->embeddable ? "cross-origin" : "same-origin");
}

/* Whether the If-None-Match header VALUE names ETAG (or is "*"). */
static bool etag_matches(const char *value, const char *etag)
{
    if (!value)
        return false;
    if (!strcmp(value, "*"))
        return true;
    size_t n = strlen(etag);
    for (const char *p = value; (p = strstr(p, etag)); p += n)
        if ((p == value || p[-1] == ' ' || p[-1] == ',') && (!p[n] || p[n] == ',' || p[n] == ' '))
            return true;
    return false;
}

/*
 * Caching (docs/web.md): a successful reply gets a strong ETag, the hash
 * of its bytes, and a matching If-None-Match gets 304 without them.  In
 * a published copy what never changes is cached for a year (immutable),
 * the rest (search, stats) a minute; an archive that may still grow asks
 * caches to check every time (no-cache).  Errors are not cached.
 */
static void cache_headers(const struct pool *pool, struct MHD_Connection *connection,
                          struct reply *r, char etag[40], const char **control)
{
    etag[0] = '\0';
    *control = "no-store";
    if (r->status != 200 || r->cache == WEB_CACHE_NONE)
        return;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)(r->body.data ? r->body.data : ""), r->body.len, digest);
    etag[0] = '"';
    text_hex(digest, 16, etag + 1);
    strcat(etag, "\"");
    *control = !pool->published ? "no-cache"
               : r->cache == WEB_CACHE_CONTENT ? "public, max-age=31536000, immutable"
                                               : "public, max-age=60";
    if (etag_matches(MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "If-None-Match"),
                     etag)) {
        r->status = 304;
        buf_clear(&r->body);
    }
}

static enum MHD_Result handle(void *context, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_size, void **request_state)
{
    (void)version;
    (void)upload_data;
    struct pool *pool = context;
    if (!*request_state) {        /* first call: headers only */
        *request_state = pool;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;         /* no request bodies here; ignored */
        return MHD_YES;
    }
    struct reply r = { .status = 200 };
    bool head = !strcmp(method, "HEAD");
    if (strcmp(method, "GET") && !head) {
        web_error_page(&r, 405, "Method not allowed", "This archive is read-only: GET only.");
    } else {
        struct lease lease;
        lease_take(pool, &lease);
        route(pool, lease.store, connection, url, &r);
        lease_return(&lease);
    }
    char etag[40];
    const char *cache_control;
    cache_headers(pool, connection, &r, etag, &cache_control);
    struct MHD_Response *response = MHD_create_response_from_buffer(
        head ? 0 : r.body.len, r.body.data ? (void *)r.body.data : (void *)"", MHD_RESPMEM_MUST_COPY);
    buf_free(&r.body);
    if (!response)
        return MHD_NO;
    MHD_add_response_header(response, "Content-Type", r.content_type ? r.content_type
                                                                    : "text/plain; charset=utf-8");
    if (r.disposition[0])
        MHD_add_response_header(response, "Content-Disposition", r.disposition);
    add_security_headers(response, &r);
    if (r.status == 405)
        MHD_add_response_header(response, "Allow", "GET, HEAD");
    MHD_add_response_header(response, "Cache-Control", cache_control);
    if (etag[0])
        MHD_add_response_header(response, "ETag", etag);
    if (etag[0] && pool->published && pool->last_modified[0])
        MHD_add_response_header(response, "Last-Modified", pool->last_modified);
    enum MHD_Result result = MHD_queue_response(connection, r.status, response);
    MHD_destroy_response(response);
    return result;
}

static bool parse_listen(const char *text, struct sockaddr_in *address)
{
    char host[64];
    const char *colon = strrchr(text, ':');
    if (!colon || (size_t)(colon - text) >= sizeof host)
        return false;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return false;
    memset(address, 0, sizeof *address);
    address->sin_family = AF_INET;
    address->sin_port = htons((uint16_t)port);
    if (!strcmp(host, "localhost"))
        strcpy(host, "127.0.0.1");
    return inet_pton(AF_INET, host, &address->sin_addr) == 1;
}

/* Whether the archive served is a published copy, and since when (its
 * publication time, "2026-12-03T16:20:54Z", as an HTTP date). */
static void published_info(struct pool *pool)
{
    pool->published = store_is_published(pool->stores[0]);
    struct buf when = BUF_INIT;
    struct tm tm = { 0 };
    if (pool->published && store_setting(pool->stores[0], "published_at", &when, NULL) == MT_OK
        && strptime(buf_cstr(&when), "%Y-%m-%dT%H:%M:%SZ", &tm))
        strftime(pool->last_modified, sizeof pool->last_modified, "%a, %d %b %Y %H:%M:%S GMT",
                 &tm);
    buf_free(&when);
}

mt_status web_serve(const struct web_options *options, struct mt_error *err)
{
    const char *listen = options->listen ? options->listen : "127.0.0.1:8080";
    struct sockaddr_in address;
    if (!parse_listen(listen, &address))
        return mt_error_set(err, MT_EINVAL, "--listen %s: expected IPv4-ADDRESS:PORT, "
                            "e.g. 127.0.0.1:8080", listen);
    int threads = options->threads;
    if (threads <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 0 ? (int)cores : 1;
    }
    struct pool pool = { .count = threads * 2 };
    pool.stores = calloc((size_t)pool.count, sizeof *pool.stores);
    pool.busy = calloc((size_t)pool.count, sizeof *pool.busy);
    if (!pool.stores || !pool.busy) {
        free(pool.stores);
        free(pool.busy);
        return MT_ENOMEM;
    }
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.freed, NULL);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    char digest64[64];
    SHA256((const unsigned char *)html_view_style, strlen(html_view_style), digest);
    EVP_EncodeBlock((unsigned char *)digest64, digest, sizeof digest);
    snprintf(pool.html_view_policy, sizeof pool.html_view_policy,
             "sandbox; default-src 'none'; img-src 'self'; style-src 'sha256-%s'; "
             "base-uri 'none'; form-action 'none'; frame-ancestors 'none'", digest64);
    mt_status status = MT_OK;
    for (int i = 0; i < pool.count && status == MT_OK; i++) {
        status = store_open(options->archive_path, STORE_READ_ONLY, &pool.stores[i], err);
        if (status == MT_OK)
            status = stem_register(pool.stores[i], err);   /* stem: queries */
    }
    if (status == MT_OK)
        published_info(&pool);
    struct MHD_Daemon *daemon = NULL;
    if (status == MT_OK) {
        /* Block the stop signals in every thread; this one waits for them. */
        sigset_t stop;
        sigemptyset(&stop);
        sigaddset(&stop, SIGINT);
        sigaddset(&stop, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop, NULL);
        daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY
                                  | MHD_USE_TURBO,
                                  0, NULL, NULL, handle, &pool,
                                  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
                                  MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                                  MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                  MHD_OPTION_CONNECTION_LIMIT, 1000u,
                                  MHD_OPTION_END);
        if (!daemon)
            status = mt_error_set(err, MT_EIO, "cannot listen on %s (in use, or not an "
                                  "address of this machine?)", listen);
        else {
            const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
            if (options->on_listening)
                options->on_listening(options->context, listen, info ? info->port : 0);
            int signal_number;
            sigwait(&stop, &signal_number);
            MHD_stop_daemon(daemon);
        }
    }
    for (int i = 0; i < pool.count; i++)
        store_close(pool.stores[i]);
    free(pool.stores);
    free(pool.busy);
    buf_free(&pool.stats_json);
    pthread_mutex_destroy(&pool.lock);
    pthread_cond_destroy(&pool.freed);
    return status;
}
