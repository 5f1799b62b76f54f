/*
 * web_int.h - internal to the web module (web.c: libmicrohttpd, routes,
 * the connection pool; web_pages.c: the HTML).  Other modules use web.h.
 * A struct reply belongs to the request being answered.
 */
#ifndef MT_WEB_INT_H
#define MT_WEB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "store.h"

/* What a route answers: status, type, body; the headers are added by web.c. */
struct reply {
    unsigned status;
    const char *content_type;
    struct buf body;
    char disposition[512];    /* Content-Disposition, when set */
    bool download;
    const char *policy;       /* a CSP of its own (the HTML view), else by kind */
    bool embeddable;          /* cid: images, loaded by the sandboxed HTML view */
    /* How it may be cached (docs/web.md, "Caching"): CONTENT, what a
     * published archive never changes (an email, its raw bytes, an
     * attachment, a bundle, a thread); SHORT, what depends on the whole
     * archive (search, the overview, stats); NONE, errors and the rest. */
    enum { WEB_CACHE_NONE, WEB_CACHE_CONTENT, WEB_CACHE_SHORT } cache;
};

/* HTML text and URL query escaping, appended to OUT. */
void web_html_escape(struct buf *out, const char *s);
void web_url_escape(struct buf *out, const char *s);
/* The page frame: head, header with the search box (QUERY in it), main. */
void web_page_begin(struct reply *r, const char *title, const char *query);
void web_page_end(struct reply *r);
/* VERDICT's badge; FAILURE is QUERY_FAILURE_KIND_SQL's kind, or NULL. */
void web_badge(struct buf *b, const char *verdict, const char *failure);
/* R made an error page of STATUS, its body replaced. */
void web_error_page(struct reply *r, unsigned status, const char *title, const char *message);

/* The pages, written into R on ST's connection. */
void web_email_page(struct store *st, int64_t id, struct reply *r);
void web_thread_page(struct store *st, int64_t id, struct reply *r);
void web_stats_page(struct store *st, struct reply *r);
void web_sources_page(struct store *st, struct reply *r);
/* The overview: the stats document DOC (stats --json), ROOT_LINE (may be
 * NULL or "") and the search forms. */
void web_home_page(struct store *st, const char *doc, const char *root_line, struct reply *r);
/* The downloads of email ID, into R (an error page when there is none):
 * its stored bytes, its evidence bundle, attachment N, attachment N's text. */
void web_raw_download(struct store *st, int64_t id, struct reply *r);
void web_evidence_download(struct store *st, int64_t id, struct reply *r);
void web_attachment_download(struct store *st, int64_t id, int n, struct reply *r);
void web_attachment_text(struct store *st, int64_t id, int n, struct reply *r);
/* The advanced search form, appended to B. */
/* The advanced search form; with the word-forms box when LANGUAGE (the
 * archive's, stem.h) is not NULL or "none". */
void web_advanced_form(struct buf *b, const char *language);
/* The stylesheet every page links (/style.css). */
const char *web_stylesheet(void);
/* "N emails, Merkle root (RFC 6962) HEX" into OUT, or "" on failure. */
void web_archive_root_line(struct store *st, char *out, size_t size);

#endif
