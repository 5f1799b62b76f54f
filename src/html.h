/*
 * html.h - an email's HTML made safe to show: parsed with libxml2's HTML
 * parser (as a browser would, errors recovered), then written out anew
 * from an allow-list of elements and attributes (docs/web.md).  Nothing
 * of the input is copied through unparsed, so what comes out is
 * well-formed whatever went in.
 *
 * Kept:    text; structure and emphasis (p, div, table, lists, b, i ...);
 *          links to http(s):, mailto: and #fragments (rel=noreferrer);
 *          images whose src is cid: (pointed at CID_PREFIX + the id).
 * Dropped with their content: script, style, head, iframe, object,
 *          embed, svg, math, form and its controls, template, media.
 * Dropped, content kept: every other element (font, center, o:p ...).
 * Dropped always: event handlers, style attributes, every other URL
 *          (javascript:, data:, remote images: replaced by a note).
 *
 * Knows libxml2 only; reentrant once mime_init (xmlInitParser) has run.
 */
#ifndef MT_HTML_H
#define MT_HTML_H

#include <stddef.h>

#include "buf.h"
#include "status.h"

/* Elements nested deeper than this are flattened to their text; below
 * eight times as deep, content is dropped. */
#define HTML_MAX_DEPTH 100

/* What html_sanitize removed, for a note to the reader. */
struct html_removed {
    int remote_images;   /* <img> not from the email itself */
    int elements;        /* dropped with their content (script, form ...) */
    int links;           /* href with a scheme not allowed */
};

/*
 * Append the sanitized body of HTML (LEN bytes of UTF-8; NULs and bad
 * bytes tolerated) to OUT, as a fragment to put inside <body>.  CID_PREFIX
 * (e.g. "/email/7/cid/") is put before each percent-encoded Content-ID of
 * an inline image.  REMOVED (may be NULL) is filled.  Fails only with
 * MT_ENOMEM.
 */
mt_status html_sanitize(const char *html, size_t len, const char *cid_prefix,
                        struct buf *out, struct html_removed *removed);

#endif
