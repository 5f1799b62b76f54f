/* web_sources.c - the /sources page: per source file, what ingest read,
 * stored, found already archived and rejected, and what a store's folders
 * promised; a store that gave fewer items than it promised is named at
 * the top.  Reads the ledger through source_ledger.h, no SQL here. */
#include <stdio.h>

#include "source_ledger.h"
#include "web_int.h"

static void short_stores(struct buf *b, const struct source_ledger_row *rows, size_t n)
{
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].expected <= (int64_t)rows[i].read)
            continue;
        if (!any)
            buf_append_str(b, "<section class=\"panel\"><h2>Stores that gave fewer items than "
                              "they promise</h2><ul>");
        any = true;
        buf_append_str(b, "<li><code>");
        web_html_escape(b, rows[i].path);
        buf_printf(b, "</code>: its folders promise %lld items, %llu were read.</li>",
                   (long long)rows[i].expected, (unsigned long long)rows[i].read);
    }
    if (any)
        buf_append_str(b, "</ul></section>");
}

void web_sources_page(struct store *st, struct reply *r)
{
    struct source_ledger_row *rows;
    size_t n;
    if (source_ledger_list(st, false, 0, &rows, &n, NULL) != MT_OK) {
        web_error_page(r, 503, "Archive busy", "Try again.");
        return;
    }
    struct buf *b = &r->body;
    web_page_begin(r, "Sources", NULL);
    buf_append_str(b, "<h1>Sources</h1><p class=\"muted\">Every file the archive was made "
                      "from, as the last ingest of it found it: each item read was stored, "
                      "was already in the archive, or was rejected with a reason "
                      "with a reason. For an Outlook store, <i>expected</i> is what its "
                      "folders say they hold.</p>");
    short_stores(b, rows, n);
    if (n == 0)
        buf_append_str(b, "<p>No source files are recorded (an archive made before "
                          "version 11 lists them once its sources are ingested again).</p>");
    else
        buf_append_str(b, "<table class=\"sources\"><thead><tr><th>File</th><th>Kind</th>"
                          "<th>Read</th><th>Stored</th><th>Duplicates</th><th>Rejected</th>"
                          "<th>Expected</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        const struct source_ledger_row *s = &rows[i];
        buf_append_str(b, "<tr><td><code>");
        web_html_escape(b, s->path);
        buf_append_str(b, "</code></td><td>");
        web_html_escape(b, s->kind);
        buf_printf(b, "</td><td>%llu</td><td>%llu</td><td>%llu</td><td>%llu</td><td>",
                   (unsigned long long)s->read, (unsigned long long)s->stored,
                   (unsigned long long)s->duplicates, (unsigned long long)s->rejected);
        if (s->expected >= 0)
            buf_printf(b, "%lld", (long long)s->expected);
        else
            buf_append_str(b, "—");
        buf_append_str(b, "</td></tr>");
    }
    if (n)
        buf_append_str(b, "</tbody></table>");
    source_ledger_free(rows, n);
    web_page_end(r);
}
