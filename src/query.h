/*
 * query.h - the search language of CONTRACT.md ("Query language"): parse a
 * query into a tree, then plan it as SQL over the archive's tables with
 * every user value a bound parameter (no user text is ever pasted into
 * SQL, and every FTS5 term is quoted, so FTS syntax cannot be injected
 * either).
 *
 * Pure: no SQLite calls here.  A struct query owns its tree; a struct
 * query_plan owns its strings.  Both belong to one thread at a time.
 */
#ifndef MT_QUERY_H
#define MT_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "status.h"

enum query_field {
    QUERY_TEXT,          /* a bare word or phrase: every indexed text */
    QUERY_FROM, QUERY_TO, QUERY_CC, QUERY_SUBJECT, QUERY_BODY,
    QUERY_DATE, QUERY_AFTER, QUERY_BEFORE, QUERY_HAS, QUERY_ATTACHMENT,
    QUERY_VERIFIED, QUERY_DKIM, QUERY_SIGNER, QUERY_CORROBORATED,
    QUERY_ID, QUERY_THREAD,
    QUERY_DKIM_DOMAIN,   /* d= of any signature, whatever its result */
    QUERY_SELECTOR,      /* s= of any signature, whatever its result */
    QUERY_AFFILIATED,    /* verified by an org domain (org.h) */
    QUERY_FOLDER,        /* a word of the Outlook folder path it was filed in */
    QUERY_ATTACHED,      /* the text of its attachments (extract.h) */
    QUERY_STEM,          /* a word form, in the stemmed index (stem.h) */
};

/* SQL for the kind of failure of email e (NULL unless e.verdict is
 * 'failed'): 'altered' when one of its signatures was checked and does not
 * match (body hash or signature), else 'unchecked' (malformed, unsupported,
 * revoked: nothing could be checked). */
#define QUERY_FAILURE_KIND_SQL \
    "CASE WHEN e.verdict = 'failed' THEN CASE WHEN EXISTS (SELECT 1 FROM signature g" \
    " WHERE g.email_id = e.id AND g.result = 'fail') THEN 'altered' ELSE 'unchecked'" \
    " END END"

/* SQL for "email e is affiliated": a signature that passes with no
 * weakness, by an org domain or a subdomain of one (org.h owns the
 * org_domain table). */
#define ORG_AFFILIATED_SQL \
    "e.id IN (SELECT g.email_id FROM signature g JOIN org_domain o" \
    " ON g.domain = o.domain OR substr(g.domain, -length(o.domain) - 1) = '.' || o.domain" \
    " WHERE g.result = 'pass' AND g.weaknesses = '')"

enum query_kind { QUERY_AND, QUERY_OR, QUERY_NOT, QUERY_TERM };

struct query_node {
    enum query_kind kind;
    struct query_node **children;  /* AND, OR: two or more; NOT: one */
    size_t child_count;
    enum query_field field;        /* TERM */
    char *value;                   /* TERM: as written, quotes removed */
    bool phrase;                   /* TERM: written in double quotes */
    int64_t date_from, date_to;    /* date fields: [from, to) in seconds */
    size_t position;               /* 1-based character offset in the query */
};

struct query {
    struct query_node *root;       /* NULL: the empty query (everything) */
};

/*
 * Parse TEXT (UTF-8).  On MT_OK *OUT is a new query owned by the caller
 * (query_free).  A query that cannot be parsed is MT_EPARSE with ERR
 * saying where ("at character 12: ...") and what was expected.
 */
mt_status query_parse(const char *text, struct query **out,
                      struct mt_error *err);
void query_free(struct query *q);

/* One bound parameter of a plan: text or integer. */
struct query_param {
    bool is_text;
    char *text;
    int64_t number;
};

/*
 * The SQL for a query, in two parts the caller puts together (search.c
 * chooses among plans by how many rows match):
 * - MATCH: when not NULL, an FTS5 expression over "email_text" that every
 *   result satisfies; it is the driving part and gives relevance.
 * - FILTERS: an SQL condition over the email row "e" (never empty: "1"
 *   when there is nothing to filter), with PARAMS bound in order after
 *   MATCH.  HAS_FILTERS is false when FILTERS is just "1".
 * TERMS are the folded words of the positive text terms, for highlighting.
 * Facts the caller may use to run the same query cheaper:
 * - HAS_DATE_BOUNDS: every result is dated in [DATE_FROM, DATE_TO) (the
 *   top level ANDs date ranges; they are also in FILTERS).  With
 *   ONLY_DATE_FILTERS too, FILTERS say nothing more than that.
 * - ID_SET: when not NULL, a SELECT of one column of email ids (repeats
 *   possible) that is the whole query, taking PARAMS: FILTERS is just
 *   "e.id IN (ID_SET)".
 * - FACET: when not empty, the whole query is that facet of facet_count
 *   (store_schema.c), or every email outside it (FACET_COMPLEMENT).
 */
struct query_plan {
    char *match;
    struct buf filters;
    bool has_filters;
    bool has_date_bounds;
    bool only_date_filters;
    int64_t date_from, date_to;
    char *id_set;
    char facet[32];   /* "verdict:verified", "has:attachment"; "" when none */
    bool facet_complement;
    struct query_param *params;
    size_t param_count;
    char **terms;
    size_t term_count;
};

/* Plan Q into PLAN (caller-owned, zeroed or freed before).  MT_ENOMEM only. */
mt_status query_plan_build(const struct query *q, struct query_plan *plan);
void query_plan_free(struct query_plan *plan);

#endif
