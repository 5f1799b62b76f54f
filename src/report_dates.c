/* report_dates.c - every date an email has, each with who claims it, and
 * the narrowest window they support together (docs/evidence.md,
 * "Dates"): part of the report module (report_int.h). */
#include "report.h"
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "received.h"

/* Clocks of senders and relays are often off by minutes or hours: a
 * claim is a contradiction only beyond this much. */
#define CLOCK_SLACK (24 * 3600)
/* A relay's clock against the one before it. */
#define HOP_SLACK 3600
#define MAX_SIGNED 32

struct signed_date {
    char signer[128], key[300];
    bool passed, has_t;
    int64_t t;
    char seen_from[16], seen_to[16];   /* "" when not given */
};

struct dates {
    bool has_date;
    int64_t date;
    struct signed_date sig[MAX_SIGNED];
    size_t sig_count;
    struct received_hop *hops;   /* chronological: first relay first */
    size_t hop_count;
    bool has_from, has_to;
    int64_t from, to;            /* the window's bounds, when known */
    char from_why[400], to_why[400];
    struct buf contradictions;   /* one per line */
};

static void copy_text(char *out, size_t size, const char *text)
{
    snprintf(out, size, "%s", text ? text : "");
}

static mt_status load_signatures(struct store *st, int64_t id, struct dates *d,
                                 struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = prepare(st, "SELECT s.domain, s.selector, s.result, s.signed_at,"
                               " k.seen_from, k.seen_to FROM signature s"
                               " LEFT JOIN key k ON k.id = s.key_id"
                               " WHERE s.email_id = ? ORDER BY s.position", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, id);
    while (sqlite3_step(s) == SQLITE_ROW && d->sig_count < MAX_SIGNED) {
        struct signed_date *g = &d->sig[d->sig_count++];
        copy_text(g->signer, sizeof g->signer, column_text(s, 0));
        snprintf(g->key, sizeof g->key, "%s._domainkey.%s",
                 column_text(s, 1) ? column_text(s, 1) : "?",
                 column_text(s, 0) ? column_text(s, 0) : "");
        g->passed = column_text(s, 2) && !strcmp(column_text(s, 2), "pass");
        g->has_t = sqlite3_column_type(s, 3) != SQLITE_NULL;
        g->t = sqlite3_column_int64(s, 3);
        copy_text(g->seen_from, sizeof g->seen_from, column_text(s, 4));
        copy_text(g->seen_to, sizeof g->seen_to, column_text(s, 5));
    }
    sqlite3_reset(s);
    return MT_OK;
}

static void narrow(bool *has, int64_t *bound, char *why, size_t why_size, int64_t value,
                   bool lower, const char *reason)
{
    if (*has && (lower ? value <= *bound : value >= *bound))
        return;
    *has = true;
    *bound = value;
    snprintf(why, why_size, "%s", reason);
}

/* The window the bounds allow: a passing signature's key window (the key
 * signed while it was seen published, as far as anyone knows), and the
 * earliest relay's date (the email existed by then). */
static void find_window(struct dates *d)
{
    char reason[400];
    for (size_t i = 0; i < d->sig_count; i++) {
        const struct signed_date *g = &d->sig[i];
        int64_t start, end;
        if (!g->passed)
            continue;
        if (g->seen_from[0] && text_parse_date(g->seen_from, strlen(g->seen_from), &start, &end)) {
            snprintf(reason, sizeof reason, "the key %s was seen published from %s", g->key,
                     g->seen_from);
            narrow(&d->has_from, &d->from, d->from_why, sizeof d->from_why, start, true, reason);
        }
        if (g->seen_to[0] && text_parse_date(g->seen_to, strlen(g->seen_to), &start, &end)) {
            snprintf(reason, sizeof reason, "the key %s was seen published until %s", g->key,
                     g->seen_to);
            narrow(&d->has_to, &d->to, d->to_why, sizeof d->to_why, end - 1, false, reason);
        }
    }
    for (size_t i = 0; i < d->hop_count; i++) {
        if (!d->hops[i].dated)
            continue;
        snprintf(reason, sizeof reason, "relay %s says it received the email then",
                 d->hops[i].by ? d->hops[i].by : "(unnamed)");
        narrow(&d->has_to, &d->to, d->to_why, sizeof d->to_why, d->hops[i].date, false, reason);
    }
}

/* A claim at WHEN outside the window (beyond the clock slack). */
static void check_claim(struct dates *d, const char *claim, int64_t when)
{
    char a[40], b[40];
    text_format_date(when, a, sizeof a);
    if (d->has_to && when > d->to + CLOCK_SLACK) {
        text_format_date(d->to, b, sizeof b);
        buf_printf(&d->contradictions, "%s (%s) is later than %s (%s)\n", claim, a, b,
                   d->to_why);
    }
    if (d->has_from && when < d->from - CLOCK_SLACK) {
        text_format_date(d->from, b, sizeof b);
        buf_printf(&d->contradictions, "%s (%s) is earlier than %s (%s)\n", claim, a, b,
                   d->from_why);
    }
}

static void find_contradictions(struct dates *d)
{
    char a[40], b[40];
    if (d->has_from && d->has_to && d->from > d->to) {
        text_format_date(d->from, a, sizeof a);
        text_format_date(d->to, b, sizeof b);
        buf_printf(&d->contradictions, "the bounds exclude each other: %s (%s) is after %s (%s)\n",
                   a, d->from_why, b, d->to_why);
    }
    if (d->has_date)
        check_claim(d, "the Date header", d->date);
    for (size_t i = 0; i < d->sig_count; i++) {
        if (!d->sig[i].passed || !d->sig[i].has_t)
            continue;
        char claim[200];
        snprintf(claim, sizeof claim, "the t= of the signature by %s", d->sig[i].signer);
        check_claim(d, claim, d->sig[i].t);
    }
    /* each relay after the one before it */
    const struct received_hop *last = NULL;
    for (size_t i = 0; i < d->hop_count; i++) {
        const struct received_hop *h = &d->hops[i];
        if (!h->dated)
            continue;
        if (last && h->date < last->date - HOP_SLACK) {
            text_format_date(h->date, a, sizeof a);
            text_format_date(last->date, b, sizeof b);
            buf_printf(&d->contradictions, "relay %s says it received the email at %s, before"
                       " the relay it came from, %s, did (%s)\n", h->by ? h->by : "(unnamed)",
                       a, last->by ? last->by : "(unnamed)", b);
        }
        last = h;
    }
}

static mt_status dates_load(struct store *st, int64_t id, struct dates *d,
                            struct mt_error *err)
{
    memset(d, 0, sizeof *d);
    sqlite3_stmt *s;
    mt_status status = prepare(st, "SELECT date FROM email WHERE id = ?", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW)
        status = mt_error_set(err, MT_ENOTFOUND, "no email with id %lld", (long long)id);
    else if ((d->has_date = sqlite3_column_type(s, 0) != SQLITE_NULL))
        d->date = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (status == MT_OK)
        status = load_signatures(st, id, d, err);
    struct buf raw = BUF_INIT;
    if (status == MT_OK)
        status = store_get_raw(st, id, &raw, err);
    if (status == MT_OK)
        status = received_hops((const unsigned char *)buf_cstr(&raw), raw.len, &d->hops,
                               &d->hop_count);
    buf_free(&raw);
    if (status != MT_OK)
        return status;
    /* header order is latest first: turn it into the order of travel */
    for (size_t i = 0; i < d->hop_count / 2; i++) {
        struct received_hop t = d->hops[i];
        d->hops[i] = d->hops[d->hop_count - 1 - i];
        d->hops[d->hop_count - 1 - i] = t;
    }
    find_window(d);
    find_contradictions(d);
    return MT_OK;
}

static void dates_free(struct dates *d)
{
    received_hops_free(d->hops, d->hop_count);
    buf_free(&d->contradictions);
}

static void json_date_or_null(struct json_writer *w, bool has, int64_t when)
{
    char text[40];
    if (!has) {
        json_null(w);
        return;
    }
    text_format_date(when, text, sizeof text);
    json_string(w, text);
}

static void json_claims(struct json_writer *w, const struct dates *d)
{
    json_array_begin(w);
    if (d->has_date) {
        json_object_begin(w);
        json_key(w, "source");
        json_string(w, "date_header");
        json_key(w, "claimed_by");
        json_string(w, "the sender");
        json_key(w, "date");
        json_date_or_null(w, true, d->date);
        json_object_end(w);
    }
    for (size_t i = 0; i < d->sig_count; i++) {
        if (!d->sig[i].has_t)
            continue;
        json_object_begin(w);
        json_key(w, "source");
        json_string(w, "dkim_t");
        json_key(w, "claimed_by");
        json_string(w, d->sig[i].signer);
        json_key(w, "signed");
        json_bool(w, d->sig[i].passed);
        json_key(w, "date");
        json_date_or_null(w, true, d->sig[i].t);
        json_object_end(w);
    }
    for (size_t i = 0; i < d->hop_count; i++) {
        json_object_begin(w);
        json_key(w, "source");
        json_string(w, "received");
        json_key(w, "claimed_by");
        json_string(w, d->hops[i].by);
        json_key(w, "hop");
        json_int(w, (int64_t)i + 1);
        json_key(w, "date");
        json_date_or_null(w, d->hops[i].dated, d->hops[i].date);
        json_object_end(w);
    }
    json_array_end(w);
}

mt_status report_dates_json(struct store *st, int64_t id, struct json_writer *w,
                            struct mt_error *err)
{
    struct dates d;
    mt_status status = dates_load(st, id, &d, err);
    if (status != MT_OK) {
        dates_free(&d);
        return status;
    }
    json_object_begin(w);
    json_key(w, "claims");
    json_claims(w, &d);
    json_key(w, "window");
    json_object_begin(w);
    json_key(w, "from");
    json_date_or_null(w, d.has_from, d.from);
    json_key(w, "from_because");
    json_string(w, d.has_from ? d.from_why : NULL);
    json_key(w, "to");
    json_date_or_null(w, d.has_to, d.to);
    json_key(w, "to_because");
    json_string(w, d.has_to ? d.to_why : NULL);
    json_object_end(w);
    json_key(w, "contradictions");
    json_array_begin(w);
    for (const char *p = buf_cstr(&d.contradictions); *p;) {
        const char *nl = strchr(p, '\n');
        json_string_len(w, p, (size_t)(nl - p));
        p = nl + 1;
    }
    json_array_end(w);
    json_object_end(w);
    dates_free(&d);
    return MT_OK;
}

void report_dates_text(struct store *st, int64_t id, struct buf *out)
{
    struct dates d;
    char when[40];
    if (dates_load(st, id, &d, NULL) != MT_OK) {
        dates_free(&d);
        return;
    }
    if (d.has_date) {
        text_format_date(d.date, when, sizeof when);
        buf_printf(out, "  %s  Date header: claimed by the sender\n", when);
    }
    for (size_t i = 0; i < d.sig_count; i++) {
        if (!d.sig[i].has_t)
            continue;
        text_format_date(d.sig[i].t, when, sizeof when);
        buf_printf(out, "  %s  t= of the signature by %s: claimed by the signer%s\n", when,
                   d.sig[i].signer, d.sig[i].passed ? ", and signed (it verified)"
                                                    : " (not proven: it did not verify)");
    }
    for (size_t i = 0; i < d.hop_count; i++) {
        if (d.hops[i].dated)
            text_format_date(d.hops[i].date, when, sizeof when);
        buf_printf(out, "  %s  received by %s (hop %zu of %zu): claimed by that relay\n",
                   d.hops[i].dated ? when : "(no date)           ",
                   d.hops[i].by ? d.hops[i].by : "(unnamed)", i + 1, d.hop_count);
    }
    if (d.has_from || d.has_to) {
        char from[40] = "", to[40] = "";
        if (d.has_from)
            text_format_date(d.from, from, sizeof from);
        if (d.has_to)
            text_format_date(d.to, to, sizeof to);
        buf_append_str(out, "  Together: sent");
        if (d.has_from)
            buf_printf(out, " after %s", from);
        if (d.has_from && d.has_to)
            buf_append_str(out, " and");
        if (d.has_to)
            buf_printf(out, " by %s", to);
        buf_append_char(out, '\n');
        if (d.has_from)
            buf_printf(out, "    after: %s\n", d.from_why);
        if (d.has_to)
            buf_printf(out, "    by: %s\n", d.to_why);
    }
    for (const char *p = buf_cstr(&d.contradictions); *p;) {
        const char *nl = strchr(p, '\n');
        buf_printf(out, "  CONTRADICTION: %.*s\n", (int)(nl - p), p);
        p = nl + 1;
    }
    dates_free(&d);
}
