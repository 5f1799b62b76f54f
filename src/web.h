/*
 * web.h - `mailtrove serve`: the public web archive on libmicrohttpd.
 * Pages (search, email, thread, stats) work without JavaScript; the
 * /api routes give exactly the CLI's JSON documents.  Routes and choices
 * in docs/web.md.
 *
 * Safety: every response carries a strict Content-Security-Policy (no
 * script at all), nosniff, no-referrer and frame denial; every text from a
 * message is HTML-escaped; message HTML is never put in a page (the body
 * is shown as text); downloads are attachments with a neutral type.
 *
 * Threads: libmicrohttpd's pool; each request borrows one of a pool of
 * read-only archive connections.  Blocks until the process is stopped.
 */
#ifndef MT_WEB_H
#define MT_WEB_H

#include <stdint.h>

#include "status.h"

struct web_options {
    const char *archive_path;
    const char *listen;       /* "ADDR:PORT"; NULL: 127.0.0.1:8080 */
    int threads;              /* 0: one per core */
    /* Called once the socket listens (e.g. to print the address);
     * PORT is the one bound (useful with port 0). */
    void (*on_listening)(void *context, const char *address, unsigned port);
    void *context;
};

/* Serve until SIGINT/SIGTERM.  Errors (bad address, port in use, archive
 * missing) come back with ERR before anything is served. */
mt_status web_serve(const struct web_options *options, struct mt_error *err);

/*
 * export --format site: every email page, raw message, attachment (and
 * its text), evidence bundle and thread page of the archive, the overview,
 * stats and sources pages and the stylesheet, as files under DIR with
 * relative links only (docs/web.md, "Static site"): email/ID.html,
 * email/ID.eml, email/ID/evidence.zip, email/ID/attachment/N[.txt],
 * thread/ID.html, index.html, stats.html, sources.html, style.css.  The
 * search forms point to SEARCH_URL (a serve's /search, say), or are left
 * out.  THREADS workers (0: one per core), each with its own read-only
 * connection.  MT_OK; MT_EIO, MT_EDB, MT_ENOMEM with ERR.
 */
struct web_site_options {
    const char *archive_path;
    const char *dir;
    const char *search_url;   /* NULL: no search box */
    int threads;
};
struct web_site_counts {
    uint64_t emails, pages, files, bytes;
};
mt_status web_export_site(const struct web_site_options *options,
                          struct web_site_counts *counts, struct mt_error *err);

#endif
