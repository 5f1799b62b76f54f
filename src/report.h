/*
 * report.h - the archive's documents as the contract defines them: one
 * email (show --json, /api/email), the stats (stats --json, /api/stats),
 * and the small formatting rules they share (ISO dates, "Name <addr>").
 * Shared by the CLI and the web server so both say exactly the same.
 *
 * Reads through a store (borrowed); writes into a caller's json_writer or
 * buf.  Same thread as the store.
 */
#ifndef MT_REPORT_H
#define MT_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "store.h"
#include "text.h"

/* The show --json document of email ID. MT_ENOTFOUND if there is none. */
mt_status report_email_json(struct store *st, int64_t id,
                            struct json_writer *w, struct mt_error *err);

/*
 * Email ID as one search-engine document (export --format opensearch;
 * docs/scale.md): id, message_id, date, from, from_address, to and cc
 * (lower-cased addresses), subject, body, attachments (file names),
 * attachment_text (extracted again, in process, as the web's text route
 * does), verdict, signers (domains of passing signatures), thread,
 * sha256.  MT_OK, MT_ENOTFOUND, MT_EDB or MT_ENOMEM with ERR.
 */
mt_status report_search_document(struct store *st, int64_t id, struct json_writer *w,
                                 struct mt_error *err);

/* The human-readable show of email ID into OUT. */
mt_status report_email_text(struct store *st, int64_t id, struct buf *out,
                            struct mt_error *err);

/*
 * The thread --json document of the conversation email ID belongs to:
 * {"thread":N,"emails":[{"id","parent","date","from","subject","verdict"}]}
 * in date order (undated last).  MT_ENOTFOUND if there is no such email.
 */
mt_status report_thread_json(struct store *st, int64_t id,
                             struct json_writer *w, struct mt_error *err);
/* The same as an indented tree of lines into OUT. */
mt_status report_thread_text(struct store *st, int64_t id, struct buf *out,
                             struct mt_error *err);

/* What each DKIM signature of email ID proves, in plain words, one line
 * each (indented by two spaces per level), appended to OUT. */
void report_signatures_text(struct store *st, int64_t id, struct buf *out);
/* Every date email ID has, each with who claims it (Date header: the
 * sender; t=: the signer; Received: each relay), the window they allow
 * together and any contradiction, in words, one per line, into OUT
 * (nothing when it has none).  docs/evidence.md, "Dates". */
void report_dates_text(struct store *st, int64_t id, struct buf *out);

/*
 * The end of email ID's body that no passing signature covers, because
 * each passing one has an l= shorter than the body (RAW: its stored
 * bytes): the last *UNSIGNED canonical bytes of the body (the fewest any
 * passing signature leaves), as the raw text reads (CRLF counted as the
 * canonical form counts it; relaxed whitespace folding makes it
 * approximate by a few bytes), UTF-8 made valid, into OUT (cleared).
 * *UNSIGNED is 0 when a passing signature covers the whole body, or none
 * passes.  Returns MT_OK, MT_ENOMEM or MT_EDB.
 */
mt_status report_unsigned_tail(struct store *st, int64_t id, const struct buf *raw,
                               struct buf *out, int64_t *unsigned_bytes, struct mt_error *err);

/* The stats --json document. */
mt_status report_stats_json(struct store *st, struct json_writer *w,
                            struct mt_error *err);

/* The statistics page's charts (report_charts.c). */
enum report_chart {
    REPORT_CHART_MONTHS,    /* emails per month, YYYY-MM, in order; dates
                             * outside 1980..2100 are counted, not drawn */
    REPORT_CHART_SENDERS,   /* the 15 addresses most often in From */
    REPORT_CHART_SIGNERS,   /* the 15 domains with most passing signatures,
                             * the organization's marked */
    REPORT_CHART_VERDICTS,  /* emails per verdict, failures by kind */
};
/* One bar: its label (NULL when none), its count, and the search that
 * lists its emails (NULL when there is none). */
struct report_bar {
    char *label;
    int64_t count;
    char *query;
};
/*
 * The bars of chart WHICH, at most MAX of them, into *BARS (the caller
 * frees with report_bars_free) and *COUNT.  MT_OK, MT_ENOMEM or MT_EDB
 * with ERR.
 */
mt_status report_chart(struct store *st, enum report_chart which, size_t max,
                       struct report_bar **bars, size_t *count, struct mt_error *err);
void report_bars_free(struct report_bar *bars, size_t count);

/*
 * The value of "KEY" in DOC, a document made by report_stats_json (whose
 * keys are unique, nested ones included), as text into OUT (SIZE bytes):
 * a number, "null", or a string without its quotes.  False if absent.
 */
bool report_stats_value(const char *doc, const char *key, char *out, size_t size);

#endif
