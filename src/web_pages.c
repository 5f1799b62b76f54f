/* web_pages.c - the HTML of the web archive (part of the web module,
 * web_int.h): page frame and escaping, badges, the email, conversation and
 * statistics pages.  libmicrohttpd, routes and the connection pool are in
 * web.c. */
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

#include "buf.h"
#include "email_view.h"
#include "html.h"
#include "index.h"
#include "json.h"
#include "merkle.h"
#include "mime.h"
#include "org.h"
#include "query.h"
#include "report.h"
#include "search.h"
#include "stem.h"
#include "store.h"

void web_html_escape(struct buf *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': buf_append_str(out, "&amp;"); break;
        case '<': buf_append_str(out, "&lt;"); break;
        case '>': buf_append_str(out, "&gt;"); break;
        case '"': buf_append_str(out, "&quot;"); break;
        case '\'': buf_append_str(out, "&#39;"); break;
        default: buf_append_char(out, *s);
        }
    }
}

void web_url_escape(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *c = (const unsigned char *)s; c && *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
            || *c == '-' || *c == '_' || *c == '.' || *c == '~')
            buf_append_char(out, (char)*c);
        else {
            buf_append_char(out, '%');
            buf_append_char(out, hex[*c >> 4]);
            buf_append_char(out, hex[*c & 15]);
        }
    }
}

void web_page_begin(struct reply *r, const char *title, const char *query)
{
    struct buf *b = &r->body;
    r->content_type = "text/html; charset=utf-8";
    buf_append_str(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                      "<title>");
    web_html_escape(b, title);
    buf_append_str(b, " · mailtrove</title><link rel=\"stylesheet\" href=\"/style.css\">"
                      "</head><body><header><a href=\"/\">mailtrove</a>"
                      "<form action=\"/search\" method=\"get\" role=\"search\">"
                      "<label for=\"q\" class=\"visually-hidden\" hidden>Search</label>"
                      "<input type=\"search\" id=\"q\" name=\"q\" aria-label=\"Search the archive\" value=\"");
    web_html_escape(b, query ? query : "");
    buf_append_str(b, "\" placeholder=\"words, &quot;a phrase&quot;, from:, date:2017…\">"
                      "<button type=\"submit\">Search</button></form>"
                      "<a href=\"/stats\">Statistics</a></header><main>\n");
}

void web_page_end(struct reply *r)
{
    buf_append_str(&r->body, "</main></body></html>\n");
}

/* VERDICT's badge.  A failed one says which kind (FAILURE, from
 * QUERY_FAILURE_KIND_SQL): red "altered since signed" only where a
 * signature was checked and does not match; "could not be checked"
 * (malformed, unsupported algorithm, revoked key) is no sign of tampering
 * and is not shown as one. */
void web_badge(struct buf *b, const char *verdict, const char *failure)
{
    static const char *const labels[][3] = {
        { "verified", "DKIM verified", "verified" }, { "weak", "DKIM weak", "weak" },
        { "failed", "DKIM failed: altered since signed", "failed" },
        { "unchecked", "DKIM failed: could not be checked", "unchecked" },
        { "nokey", "no key", "nokey" }, { "unsigned", "unsigned", "unsigned" },
    };
    if (verdict && !strcmp(verdict, "failed") && failure && !strcmp(failure, "unchecked"))
        verdict = "unchecked";
    const char *label = "unknown";
    const char *cls = "unsigned";
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (verdict && !strcmp(verdict, labels[i][0])) {
            label = labels[i][1];
            cls = labels[i][2];
        }
    buf_printf(b, "<span class=\"badge b-%s\">%s</span>", cls, label);
}

void web_error_page(struct reply *r, unsigned status, const char *title, const char *message)
{
    r->status = status;
    buf_clear(&r->body);
    web_page_begin(r, title, NULL);
    buf_append_str(&r->body, "<h1>");
    web_html_escape(&r->body, title);
    buf_append_str(&r->body, "</h1><p class=\"error\">");
    web_html_escape(&r->body, message);
    buf_append_str(&r->body, "</p><p><a href=\"/\">Back to the archive</a></p>");
    web_page_end(r);
}

/* The addresses of ROLE in V as one "<dt>LABEL</dt><dd>...</dd>" line,
 * nothing when it has none.  As the address table keeps them. */
static void address_line(const struct email_view *v, enum mime_role role, const char *label,
                         struct buf *b)
{
    bool any = false;
    struct buf one = BUF_INIT;
    for (size_t i = 0; i < v->address_count; i++) {
        const struct email_view_address *a = &v->addresses[i];
        if (a->role != role)
            continue;
        if (!any)
            buf_printf(b, "<dt>%s</dt><dd>", label);
        else
            buf_append_str(b, ", ");
        any = true;
        buf_clear(&one);
        text_format_address(&one, a->name, a->address);
        web_html_escape(b, buf_cstr(&one));
    }
    if (any)
        buf_append_str(b, "</dd>");
    buf_free(&one);
}

/* What the signatures prove, in the CLI's words (report.h). */
/* An email written from an Outlook item says so, and where it was filed:
 * the folder path from the recorded member ("Top/Inbox#2097188"). */
static void outlook_panel(const struct email_view *v, struct buf *b)
{
    bool msg = !strcmp(v->derived_from, "msg");
    buf_printf(b, "<p class=\"panel\"><b>Rebuilt from an Outlook %s.</b> These are not "
                  "the bytes that travelled, so DKIM signatures in its headers usually "
                  "cannot verify.", msg ? ".msg file" : "store");
    bool any = false;
    for (size_t i = 0; !msg && i < v->source_count; i++) {
        const char *member = v->sources[i].member;
        if (!member)
            continue;
        const char *hash = strrchr(member, '#');
        const char *bang = strstr(member, "!/");
        const char *start = bang ? bang + 2 : member;
        buf_append_str(b, any ? "; " : " Folder: ");
        any = true;
        char *folder = strndup(start, hash && hash > start ? (size_t)(hash - start)
                                                          : strlen(start));
        if (folder) {
            buf_append_str(b, "<span class=\"folder\">");
            web_html_escape(b, folder);
            buf_append_str(b, "</span>");
        }
        free(folder);
    }
    buf_append_str(b, "</p>");
}

static void verification_panel(struct store *st, int64_t id, struct buf *b)
{
    buf_append_str(b, "<section class=\"panel\" aria-labelledby=\"v\"><h2 id=\"v\">Verification</h2>");
    struct buf words = BUF_INIT;
    report_signatures_text(st, id, &words);
    if (!words.len)
        buf_append_str(b, "<p>No DKIM signature: nothing about this email is "
                          "cryptographically proven.</p>");
    else {
        buf_append_str(b, "<ul>");
        char *save = NULL;
        for (char *line = strtok_r(words.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            while (*line == ' ')
                line++;
            buf_append_str(b, "<li>");
            web_html_escape(b, line);
            buf_append_str(b, "</li>");
        }
        buf_append_str(b, "</ul>");
    }
    buf_free(&words);
    buf_append_str(b, "</section>");
}

/* Every date the email has, with who claims it (report_dates_text). */
static void dates_panel(struct store *st, int64_t id, struct buf *b)
{
    struct buf words = BUF_INIT;
    report_dates_text(st, id, &words);
    if (words.len) {
        buf_append_str(b, "<section class=\"panel\" aria-labelledby=\"dates\"><h2 id=\"dates\">"
                          "Dates, each a claim</h2><ul class=\"dates\">");
        char *save = NULL;
        for (char *line = strtok_r(words.data, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
            while (*line == ' ')
                line++;
            bool contradiction = !strncmp(line, "CONTRADICTION: ", 15);
            buf_append_str(b, contradiction ? "<li class=\"contradiction\"><b>Contradiction:</b> "
                                            : "<li>");
            web_html_escape(b, contradiction ? line + 15 : line);
            buf_append_str(b, "</li>");
        }
        buf_append_str(b, "</ul></section>");
    }
    buf_free(&words);
}

/* The body: always text, never the message's HTML; with l=, where the
 * signed body ends, the rest marked. */
static void body_section(struct store *st, const struct email_view *v, struct buf *b)
{
    const struct mime_message *m = v->parsed;
    if (!m)
        return;
    buf_append_str(b, "<h2>Message</h2>");
    if (m->has_html)
        buf_printf(b, "<p class=\"muted\">%s <a href=\"/email/%lld/html\">See the HTML "
                      "version</a> (sanitized: no scripts, no content from outside the "
                      "archive).</p>", m->body_from_html
                          ? "This email was written in HTML; it is shown here as text."
                          : "This email also has an HTML version.", (long long)v->id);
    buf_append_str(b, "<div class=\"body\">");
    web_html_escape(b, m->body);
    buf_append_str(b, "</div>");
    struct buf tail = BUF_INIT;
    int64_t unsigned_bytes = 0;
    if (report_unsigned_tail(st, v->id, &v->raw, &tail, &unsigned_bytes, NULL) == MT_OK
        && unsigned_bytes > 0) {
        buf_printf(b, "<section class=\"panel unsigned\" aria-labelledby=\"u\"><h2 id=\"u\">"
                      "Not covered by the signature</h2><p>The signature's <code>l=</code> "
                      "covers only the start of the body. These last %lld bytes (as "
                      "stored, before decoding) were not signed: anyone could have added "
                      "or changed them after signing.</p><pre class=\"body\"><mark>",
                   (long long)unsigned_bytes);
        web_html_escape(b, buf_cstr(&tail));
        buf_append_str(b, "</mark></pre></section>");
    }
    buf_free(&tail);
}

/* The headers' list: From, To, Cc, the date, the Message-ID and the links
 * (permalink, raw, evidence, conversation and its neighbours). */
static void header_list(const struct email_view *v, struct buf *b)
{
    long long id = (long long)v->id;
    buf_append_str(b, "<dl class=\"headers\">");
    address_line(v, MIME_FROM, "From", b);
    address_line(v, MIME_TO, "To", b);
    address_line(v, MIME_CC, "Cc", b);
    buf_append_str(b, "<dt>Date</dt><dd>");
    if (v->has_date) {
        char iso[40];
        text_format_date(v->date, iso, sizeof iso);
        web_html_escape(b, iso);
        int zone;
        if (text_date_zone(v->date_raw, &zone)) {   /* as mail clients show it */
            char local[48];
            text_format_local_date(v->date, zone, local, sizeof local);
            buf_append_str(b, " <span class=\"muted\">(");
            web_html_escape(b, local);
            buf_append_str(b, ", the sender's clock)</span>");
        }
    } else {
        web_html_escape(b, v->date_raw ? v->date_raw : "none");
    }
    buf_append_str(b, "</dd><dt>Message-ID</dt><dd>");
    web_html_escape(b, v->message_id ? v->message_id : "none");
    buf_printf(b, "</dd><dt>Permalink</dt><dd><a href=\"/email/%lld\">/email/%lld</a> · "
                  "<a href=\"/email/%lld/raw\">raw source</a> · "
                  "<a href=\"/email/%lld/evidence\" title=\"the email, its keys and the report,"
                  " to re-verify offline\">evidence bundle</a>", id, id, id, id);
    if (v->thread) {
        buf_printf(b, " · <a href=\"/thread/%lld\">conversation</a>", (long long)v->thread);
        if (v->thread_prev)
            buf_printf(b, " · <a rel=\"prev\" href=\"/email/%lld\">← previous in "
                          "conversation</a>", (long long)v->thread_prev);
        if (v->thread_next)
            buf_printf(b, " · <a rel=\"next\" href=\"/email/%lld\">next → in "
                          "conversation</a>", (long long)v->thread_next);
    }
    buf_append_str(b, "</dd></dl>");
}

/* Text other, verified emails vouch for (docs/corroboration.md). */
static void corroboration_panel(const struct email_view *v, struct buf *b)
{
    if (!v->span_count)
        return;
    buf_append_str(b, "<section class=\"panel\"><h2>Corroborated by verified emails</h2>"
                      "<p class=\"muted\">Word for word (white space and line breaks "
                      "aside), this text is in a DKIM-verified email:</p><ul>");
    for (size_t i = 0; i < v->span_count; i++) {
        const struct email_view_span *p = &v->spans[i];
        bool quoted_by = p->direction && !strcmp(p->direction, "quoted_by_verified");
        buf_append_str(b, "<li><q>");
        web_html_escape(b, p->text);
        buf_printf(b, "</q> — %s <a href=\"/email/%lld\">verified email %lld</a></li>",
                   quoted_by ? "quoted, as it stood then, by" : "quoted from, and matches,",
                   (long long)p->by, (long long)p->by);
    }
    buf_append_str(b, "</ul></section>");
}

/* Each attachment: its download, type, size and what its text extraction
 * gave (extract.h), with a link to the text when there is some. */
static void attachments_panel(const struct email_view *v, struct buf *b)
{
    if (!v->attachment_count)
        return;
    buf_append_str(b, "<section class=\"panel\"><h2>Attachments</h2><ul>");
    for (size_t i = 0; i < v->attachment_count; i++) {
        const struct email_view_attachment *a = &v->attachments[i];
        buf_printf(b, "<li><a href=\"/email/%lld/attachment/%d\">", (long long)v->id, a->n);
        web_html_escape(b, a->filename && *a->filename ? a->filename : "(no name)");
        buf_append_str(b, "</a> <span class=\"muted\">");
        web_html_escape(b, a->content_type);
        buf_printf(b, ", %lld bytes</span>", (long long)a->size);
        if (a->extraction && !strcmp(a->extraction, "ok")) {
            buf_printf(b, " · <a href=\"/email/%lld/attachment/%d/text\">its text</a>"
                          " <span class=\"muted\">(%lld bytes)</span>", (long long)v->id,
                       a->n, (long long)a->text_bytes);
        } else if (a->extraction) {
            buf_append_str(b, " · <span class=\"muted\">text: ");
            web_html_escape(b, a->extraction);
            if (a->extraction_reason) {
                buf_append_str(b, ", ");
                web_html_escape(b, a->extraction_reason);
            }
            buf_append_str(b, "</span>");
        }
        buf_append_str(b, "</li>");
    }
    buf_append_str(b, "</ul></section>");
}

void web_email_page(struct store *st, int64_t id, struct reply *r)
{
    struct email_view v;
    mt_status status = email_view_load(st, id, EMAIL_VIEW_BODY | EMAIL_VIEW_NEIGHBOURS
                                               | EMAIL_VIEW_PAGE, NULL, &v, NULL);
    if (status == MT_ENOTFOUND) {
        web_error_page(r, 404, "No such email", "There is no email with this number in the archive.");
    } else if (status != MT_OK) {
        web_error_page(r, 503, "Archive busy", "Try again.");
    } else {
        struct buf *b = &r->body;
        const char *title = v.subject && *v.subject ? v.subject : "(no subject)";
        web_page_begin(r, title, NULL);
        buf_append_str(b, "<h1>");
        web_html_escape(b, title);
        buf_append_str(b, " ");
        web_badge(b, v.verdict, v.failure_kind);
        buf_append_str(b, "</h1>");
        header_list(&v, b);
        if (v.truncated_from > 0)
            buf_printf(b, "<p class=\"panel\"><b>Truncated.</b> This message was %lld bytes, "
                          "over the archive's size limit: only its first %lld bytes (its headers "
                          "and the start of its body) are stored.</p>", (long long)v.truncated_from,
                       (long long)v.raw_size);
        if (v.derived_from)
            outlook_panel(&v, b);
        verification_panel(st, id, b);
        dates_panel(st, id, b);
        corroboration_panel(&v, b);
        attachments_panel(&v, b);
        body_section(st, &v, b);
        web_page_end(r);
    }
    email_view_free(&v);
}

void web_thread_page(struct store *st, int64_t id, struct reply *r)
{
    struct conversation_row *rows;
    size_t count;
    if (email_view_conversation(st, id, &rows, &count, NULL) != MT_OK) {
        web_error_page(r, 503, "Archive busy", "Try again.");
        return;
    }
    if (!count) {
        web_error_page(r, 404, "No such conversation", "There is no conversation with this number.");
        return;
    }
    struct buf *b = &r->body;
    web_page_begin(r, "Conversation", NULL);
    buf_printf(b, "<h1>Conversation %lld</h1><table><thead><tr><th>Date</th><th>From</th>"
                  "<th>Subject</th><th>Verification</th><th>Replies to</th></tr></thead><tbody>",
               (long long)id);
    struct buf from = BUF_INIT;
    for (size_t i = 0; i < count; i++) {
        const struct conversation_row *row = &rows[i];
        char date[40] = "no date";
        if (row->has_date)
            text_format_date(row->date, date, sizeof date);
        buf_clear(&from);
        text_format_address(&from, row->from_name, row->from_addr);
        buf_printf(b, "<tr><td>%s</td><td>", date);
        web_html_escape(b, buf_cstr(&from));
        buf_printf(b, "</td><td><a href=\"/email/%lld\">", (long long)row->id);
        web_html_escape(b, row->subject && *row->subject ? row->subject : "(no subject)");
        buf_append_str(b, "</a></td><td>");
        web_badge(b, row->verdict, row->failure_kind);
        buf_append_str(b, "</td><td>");
        if (row->has_parent)
            buf_printf(b, "<a href=\"/email/%lld\">%lld</a>", (long long)row->parent,
                       (long long)row->parent);
        buf_append_str(b, "</td></tr>\n");
    }
    buf_free(&from);
    conversation_rows_free(rows, count);
    buf_append_str(b, "</tbody></table>");
    web_page_end(r);
}

/* A bar chart (report_chart's bars), drawn as SVG: each name and bar is a
 * link to the search that lists those emails (the query, when not NULL). */
static void bar_chart(struct store *st, struct buf *b, const char *title, enum report_chart which)
{
    struct report_bar *bars;
    size_t n;
    if (report_chart(st, which, 20, &bars, &n, NULL) != MT_OK)
        return;
    int64_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (bars[i].count > max)
            max = bars[i].count;
    buf_append_str(b, "<h2>");
    web_html_escape(b, title);
    buf_append_str(b, "</h2>");
    if (!n) {
        buf_append_str(b, "<p class=\"muted\">None.</p>");
        return;
    }
    buf_printf(b, "<svg role=\"img\" aria-label=\"%s\" viewBox=\"0 0 640 %d\" "
                  "xmlns=\"http://www.w3.org/2000/svg\">", title, (int)n * 22 + 4);
    for (size_t k = 0; k < n; k++) {
        const struct report_bar *bar = &bars[k];
        int i = (int)k, width = (int)(bar->count * 380 / max);
        const char *label = bar->label ? bar->label : "(none)";
        if (bar->query) {
            buf_append_str(b, "<a href=\"/search?q=");
            web_url_escape(b, bar->query);
            buf_append_str(b, "\">");
        }
        buf_printf(b, "<text x=\"0\" y=\"%d\" fill=\"%s\">", i * 22 + 15,
                   bar->query ? "#0b57d0" : "currentColor");
        web_html_escape(b, label);
        buf_printf(b, "</text><rect x=\"210\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"#0b57d0\">"
                      "<title>", i * 22 + 3, width > 1 ? width : 1);
        web_html_escape(b, label);
        buf_printf(b, ": %lld</title></rect><text x=\"%d\" y=\"%d\">%lld</text>",
                   (long long)bar->count, 215 + width, i * 22 + 15, (long long)bar->count);
        if (bar->query)
            buf_append_str(b, "</a>");
    }
    buf_append_str(b, "</svg>");
    report_bars_free(bars, n);
}

/* The width of one month's bar and how many years apart the year labels
 * are: *ROOM the width a label needs at this scale. */
static double month_bar_width(size_t n, int width, int *step, double *room)
{
    double bar = (double)width / (double)n;
    if (bar > 24)
        bar = 24;       /* a few months: narrow bars, not a wall */
    /* Year labels never overlap: the chart is drawn about 900 px wide
     * whatever its viewBox, a label needs about 44 px of it, so every
     * STEP-th January is labelled, STEP the smallest of 1, 2, 5, 10, 20,
     * 50 years that leaves that room at this scale. */
    *room = 44.0 * (width + 40) / 900.0;
    static const int steps[] = { 1, 2, 5, 10, 20, 50 };
    *step = 50;
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++)
        if (bar * 12 * steps[k] >= *room) {
            *step = steps[k];
            break;
        }
    return bar;
}

static void timeline_chart(struct store *st, struct buf *b)
{
    struct report_bar *months;
    size_t n;
    if (report_chart(st, REPORT_CHART_MONTHS, 2400, &months, &n, NULL) != MT_OK)
        return;
    int64_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (months[i].count > max)
            max = months[i].count;
    buf_append_str(b, "<h2>Emails per month</h2>");
    if (!n) {
        buf_append_str(b, "<p class=\"muted\">No dated emails.</p>");
        return;
    }
    int width = n * 4 > 640 ? (int)n * 4 : 640, step;
    buf_printf(b, "<svg role=\"img\" aria-label=\"Emails per month\" viewBox=\"0 0 %d 170\" "
                  "xmlns=\"http://www.w3.org/2000/svg\">", width + 40);
    double room, bar = month_bar_width(n, width, &step, &room);
    double last_label = -1e9;
    for (size_t i = 0; i < n; i++) {
        const char *month = months[i].label;
        int h = (int)(months[i].count * 140 / max);
        buf_append_str(b, "<a href=\"/search?q=date:");
        web_url_escape(b, month ? month : "");
        buf_printf(b, "\"><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                      "fill=\"#0b57d0\"><title>%s: %lld</title></rect></a>", 30 + (double)i * bar,
                   145 - h, bar > 1.5 ? bar - 0.5 : bar, h > 0 ? h : 1,
                   month ? month : "?", (long long)months[i].count);
        if (!month || strcmp(month + 5, "01") || atoi(month) % step)
            continue;
        double x = 30 + (double)i * bar;
        if (x - last_label < room)
            continue;
        buf_printf(b, "<text x=\"%.1f\" y=\"162\" font-size=\"%.0f\">%.4s</text>", x,
                   room * 0.34, month);
        last_label = x;
    }
    buf_printf(b, "<text x=\"0\" y=\"12\">%lld</text></svg>", (long long)max);
    report_bars_free(months, n);
}

/* "N emails under the root HEX (RFC 6962)" into OUT, or "" on failure:
 * what a reader checks an email's inclusion against (mailtrove prove). */
void web_archive_root_line(struct store *st, char *out, size_t size)
{
    unsigned char root[32];
    uint64_t count;
    out[0] = '\0';
    if (merkle_archive_root(st, root, &count, NULL) != MT_OK)
        return;
    char root_hex[65];
    text_hex(root, 32, root_hex);
    snprintf(out, size, "%llu %s, Merkle root (RFC 6962) %s", (unsigned long long)count,
             count == 1 ? "email" : "emails", root_hex);
}

void web_stats_page(struct store *st, struct reply *r)
{
    struct buf *b = &r->body;
    web_page_begin(r, "Statistics", NULL);
    buf_append_str(b, "<h1>Statistics</h1>");
    char root_line[200];
    web_archive_root_line(st, root_line, sizeof root_line);
    if (root_line[0]) {
        buf_append_str(b, "<p class=\"muted root\">");
        web_html_escape(b, root_line);
        buf_append_str(b, "</p>");
    }
    buf_append_str(b, "<p><a href=\"/sources\">The files this archive was made from</a>: "
                      "what was read, stored and rejected from each.</p>");
    timeline_chart(st, b);
    bar_chart(st, b, "Top senders", REPORT_CHART_SENDERS);
    bar_chart(st, b, "Top signing domains (passing signatures; the organization's marked)",
              REPORT_CHART_SIGNERS);
    bar_chart(st, b, "Verification", REPORT_CHART_VERDICTS);
    web_page_end(r);
}

/* ------------------------------------------------------------ the home page */

void web_advanced_form(struct buf *b, const char *language)
{
    buf_append_str(b,
        "<h2>Advanced search</h2><form class=\"advanced\" action=\"/search\" method=\"get\">"
        "<label>Words<input name=\"q\" type=\"search\"></label>"
        "<label>From<input name=\"from\" placeholder=\"name, address or domain\"></label>"
        "<label>To or Cc<input name=\"to\" placeholder=\"name, address or domain\"></label>"
        "<label>Subject<input name=\"subject\"></label>"
        "<label>Sent from<input name=\"date_from\" type=\"date\"></label>"
        "<label>Sent until<input name=\"date_to\" type=\"date\"></label>"
        "<label>Verification<select name=\"verified\"><option value=\"\">any</option>"
        "<option value=\"yes\">DKIM verified only</option></select></label>"
        "<label>Attachments<select name=\"attachment\"><option value=\"\">any</option>"
        "<option value=\"yes\">with attachments only</option></select></label>"
        "<label>Order<select name=\"sort\"><option value=\"\">best match</option>"
        "<option value=\"-date\">newest first</option><option value=\"date\">oldest first</option>"
        "</select></label>");
    /* The word-forms box, when the archive has a stemmed index (stem.h):
     * each plain word also matches its forms (query_with_word_forms). */
    if (language && strcmp(language, "none"))
        buf_printf(b, "<label class=\"forms\"><span><input name=\"forms\" type=\"checkbox\" "
                      "value=\"yes\"> Similar word forms</span><span class=\"muted\">"
                      "candidats finds candidat too (%s)</span></label>",
                   !strcmp(language, "fr") ? "French" : "English");
    buf_append_str(b, "<div><button type=\"submit\">Search</button></div></form>");
}

static void stats_value(const char *doc, const char *key, char *out, size_t size)
{
    if (!report_stats_value(doc, key, out, size) || !strcmp(out, "null"))
        snprintf(out, size, "–");
}

/* "N emails verified as sent through D", linked to the search. */
static void affiliation_line(void *context, const char *domain, int64_t affiliated)
{
    struct buf *b = context;
    buf_append_str(b, "<p class=\"affiliation\"><a href=\"/search?q=");
    web_url_escape(b, "affiliated:yes dkim-domain:");
    web_url_escape(b, domain);
    buf_printf(b, "\"><b>%lld</b> %s verified as sent through ", (long long)affiliated,
               affiliated == 1 ? "email" : "emails");
    web_html_escape(b, domain);
    buf_append_str(b, "</a></p>");
}

void web_home_page(struct store *st, const char *doc, const char *root_line, struct reply *r)
{
    struct buf *b = &r->body;
    char emails[32], attachments[32], senders[32], verified[32], first[40], last[40];
    stats_value(doc, "emails", emails, sizeof emails);
    stats_value(doc, "attachments", attachments, sizeof attachments);
    stats_value(doc, "unique_senders", senders, sizeof senders);
    stats_value(doc, "verified", verified, sizeof verified);
    stats_value(doc, "date_first", first, sizeof first);
    stats_value(doc, "date_last", last, sizeof last);
    first[10] = last[10] = '\0';
    web_page_begin(r, "Archive", NULL);
    buf_append_str(b, "<h1>Search the archive</h1><div class=\"stats\">");
    buf_printf(b, "<div><b>%s</b>emails</div><div><b>%s</b>attachments</div>"
                  "<div><b>%s</b>unique senders</div><div><b>%s</b>DKIM verified</div>"
                  "<div><b>%s</b>to %s</div></div>", emails, attachments, senders, verified,
               first, last);
    if (root_line && root_line[0]) {
        buf_append_str(b, "<p class=\"muted root\">");
        web_html_escape(b, root_line);
        buf_append_str(b, " (<code>mailtrove prove ID</code> gives any email's audit path)</p>");
    }
    org_each(st, affiliation_line, b, NULL);
    web_advanced_form(b, stem_language(st));
    buf_append_str(b, "<p class=\"muted\">Query language: words must all match; "
                      "<code>\"a phrase\"</code>, <code>OR</code>, <code>-word</code>, "
                      "<code>from:</code>, <code>to:</code>, <code>subject:</code>, "
                      "<code>date:2017-03</code>, <code>has:attachment</code>, "
                      "<code>verified:yes</code>, <code>signer:domain</code>.</p>");
    web_page_end(r);
}

