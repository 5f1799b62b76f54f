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

#endif
