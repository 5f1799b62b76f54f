/*
 * search.h - running a query (query.h) against an archive: the total, one
 * page of results in the chosen order, and a snippet per result with the
 * matched words highlighted.  Used by `search`, `count`, and the web
 * server, so all three give the same answers.
 *
 * Reads through a store (borrowed; one thread).  A struct search_page owns
 * its strings (search_page_free).  A bad query is MT_EPARSE with ERR
 * saying where.
 */
#ifndef MT_SEARCH_H
#define MT_SEARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "status.h"
#include "store.h"

enum search_sort {
    SEARCH_SORT_DEFAULT,   /* relevance when the query has words, else -date */
    SEARCH_SORT_DATE,      /* oldest first */
    SEARCH_SORT_DATE_DESC, /* newest first */
    SEARCH_SORT_RELEVANCE, /* best first; -date for queries without words */
};

/* Page sizes above this are cut to it (docs/limits.md). */
#define SEARCH_MAX_LIMIT 1000

struct search_result {
    int64_t id;
    char *message_id;   /* NULL when the email has none */
    char *date;         /* ISO 8601 UTC, NULL when unknown */
    char *from;         /* "Name <addr>" */
    char *subject;
    char *verdict;
    char *failure;      /* for a failed verdict: "altered" (a signature was
                           checked and does not match: altered since signed)
                           or "unchecked" (malformed, unsupported, revoked:
                           could not be checked); else NULL */
    char *snippet;      /* matched words between ** and ** */
    /* When the body has none of the words and an attachment's text has:
     * the snippet is cut from that attachment, its number (else 0) and
     * file name (NULL when it has none). */
    int snippet_attachment;
    char *snippet_attachment_name;
};

struct search_page {
    int64_t total;
    struct search_result *results;
    size_t count;
};

/* Parse "date", "-date" or "relevance"; false if it is none of them. */
bool search_parse_sort(const char *text, enum search_sort *sort);

/*
 * Where snippets get the body text of an email the archive keeps none for
 * (an older archive whose upgrade is pending, store_upgrade_pending):
 * fills OUT (cleared first).  Search itself never parses MIME.
 */
typedef mt_status (*search_text_loader)(struct store *st, int64_t id, struct buf *out);

/*
 * Run QUERY: PAGE (caller-owned) gets the total and up to LIMIT results
 * after OFFSET.  With SNIPPETS false the snippet strings are NULL (and no
 * text is read).  FALLBACK may be NULL: such emails get no snippet.
 */
mt_status search_run(struct store *st, const char *query, enum search_sort sort,
                     int64_t limit, int64_t offset, bool snippets,
                     search_text_loader fallback,
                     struct search_page *page, struct mt_error *err);
void search_page_free(struct search_page *page);

/* Only the number of matching emails. */
mt_status search_count(struct store *st, const char *query, int64_t *total,
                       struct mt_error *err);

/* Every id matching QUERY, ascending: *IDS is malloc'd (caller frees),
 * *COUNT its length.  For export QUERY. */
mt_status search_all_ids(struct store *st, const char *query, int64_t **ids,
                         size_t *count, struct mt_error *err);

/* The contract's search --json document of PAGE. */
void search_page_json(const struct search_page *page, struct json_writer *w);

/*
 * A snippet of TEXT (UTF-8): about 200 bytes around the first of TERMS
 * (folded words), each matched word wrapped in ** **; the start of TEXT
 * when none matches.  Appended to OUT.
 */
mt_status search_make_snippet(const char *text, char *const *terms,
                              size_t term_count, struct buf *out);

#endif
