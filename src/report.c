/* report.c - email and stats documents shared by the CLI and the web. */
#include "report.h"
#include "report_int.h"

#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "attachment_text.h"
#include "dkim.h"
#include "extract/extract.h"
#include "mime.h"
#include "org.h"


static const char *const role_names[] = { "from", "to", "cc", "bcc" };

/* Every field a document needs, read once. */
struct email_doc {
    int64_t id;
    sqlite3_stmt *row;       /* positioned on the email row */
    sqlite3_stmt *addresses; /* role, name, addr */
    sqlite3_stmt *attachments;
    sqlite3_stmt *sources;
    struct mime_message *parsed;
};

static void email_doc_free(struct email_doc *d)
{
    sqlite3_reset(d->row);
    sqlite3_reset(d->addresses);
    sqlite3_reset(d->attachments);
    sqlite3_reset(d->sources);
    mime_message_free(d->parsed);
}

enum { ROW_MESSAGE_ID, ROW_DATE, ROW_DATE_RAW, ROW_FROM_NAME, ROW_FROM_ADDR,
       ROW_SUBJECT, ROW_VERDICT, ROW_THREAD, ROW_RAW_SIZE, ROW_IN_REPLY_TO,
       ROW_REFS, ROW_SHA256, ROW_PARSED, ROW_TRUNCATED, ROW_DERIVED };

/* PARSE (may be NULL) is how the body is parsed when WITH_BODY: with an
 * examine callback, attachments' text comes too. */
static mt_status email_doc_load(struct store *st, int64_t id,
                                struct email_doc *d, bool with_body,
                                const struct mime_options *parse, struct mt_error *err)
{
    mt_status status;
    memset(d, 0, sizeof *d);
    d->id = id;
    status = prepare(st, "SELECT message_id, date, date_raw, from_name, from_addr,"
                     " subject, verdict, thread_id, raw_size, in_reply_to, refs,"
                     " sha256, parsed, truncated_from, derived_from FROM email WHERE id = ?", &d->row, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(d->row, 1, id);
    int rc = sqlite3_step(d->row);
    if (rc == SQLITE_DONE)
        return mt_error_set(err, MT_ENOTFOUND, "no email with id %lld",
                            (long long)id);
    if (rc != SQLITE_ROW)
        return store_db_error(st, err, "reading an email");
    if ((status = prepare(st, "SELECT role, name, addr FROM address"
                          " WHERE email_id = ? ORDER BY role, position",
                          &d->addresses, err)) != MT_OK
        || (status = prepare(st, "SELECT n, filename, content_type, size, sha256,"
                             " text_bytes, extraction, extraction_reason"
                             " FROM attachment WHERE email_id = ? ORDER BY n",
                             &d->attachments, err)) != MT_OK
        || (status = prepare(st, "SELECT path, offset, member, separator,"
                             " unquoted_lines FROM source WHERE email_id = ?"
                             " ORDER BY id", &d->sources, err)) != MT_OK)
        return status;
    sqlite3_bind_int64(d->addresses, 1, id);
    sqlite3_bind_int64(d->attachments, 1, id);
    sqlite3_bind_int64(d->sources, 1, id);
    if (with_body) {
        struct buf raw = BUF_INIT;
        status = store_get_raw(st, id, &raw, err);
        if (status == MT_OK)
            status = parse ? mime_parse_with((const unsigned char *)buf_cstr(&raw), raw.len,
                                             parse, &d->parsed)
                           : mime_parse((const unsigned char *)buf_cstr(&raw), raw.len,
                                        &d->parsed);
        buf_free(&raw);
    }
    return status;
}

/*
 * Call EACH(context, formatted) for every address of ROLE, formatted as
 * "Name <addr>": from the parsed message when there is one, so addresses
 * read as written (Jean.Dupont@Example.FR), else from the address table,
 * which keeps them lower-cased for search.
 */
static void each_address(const struct email_doc *d, int role,
                         void (*each)(void *, const char *), void *context)
{
    struct buf text = BUF_INIT;
    if (d->parsed && d->parsed->parsed) {
        for (size_t i = 0; i < d->parsed->address_count; i++) {
            const struct mime_address *a = &d->parsed->addresses[i];
            if ((int)a->role != role)
                continue;
            buf_clear(&text);
            text_format_address(&text, a->name, a->address);
            each(context, buf_cstr(&text));
        }
    } else {
        sqlite3_reset(d->addresses);
        while (sqlite3_step(d->addresses) == SQLITE_ROW) {
            if (sqlite3_column_int(d->addresses, 0) != role)
                continue;
            buf_clear(&text);
            text_format_address(&text, column_text(d->addresses, 1),
                                column_text(d->addresses, 2));
            each(context, buf_cstr(&text));
        }
    }
    buf_free(&text);
}

static void json_address(void *context, const char *formatted)
{
    json_string(context, formatted);
}

static void json_address_list(struct json_writer *w, const struct email_doc *d, int role)
{
    json_array_begin(w);
    each_address(d, role, json_address, w);
    json_array_end(w);
}

mt_status report_unsigned_tail(struct store *st, int64_t id, const struct buf *raw,
                               struct buf *out, int64_t *unsigned_bytes, struct mt_error *err)
{
    sqlite3_stmt *s;
    buf_clear(out);
    *unsigned_bytes = 0;
    mt_status status = prepare(st, "SELECT min(coalesce(body_bytes_unsigned, 0)) FROM signature"
                               " WHERE email_id = ? AND result = 'pass'", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) == SQLITE_ROW)
        *unsigned_bytes = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (*unsigned_bytes <= 0 || !raw->len)
        return MT_OK;
    const char *d = raw->data;
    size_t len = raw->len, body = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (d[i] == '\n' && (d[i + 1] == '\n' || (d[i + 1] == '\r' && i + 2 < len
                                                  && d[i + 2] == '\n'))) {
            body = i + (d[i + 1] == '\n' ? 2 : 3);
            break;
        }
    }
    /* walk back from the end, a bare LF counting as the CRLF it becomes */
    size_t start = len;
    int64_t counted = 0;
    while (start > body && counted < *unsigned_bytes) {
        start--;
        counted += d[start] == '\n' && (start == 0 || d[start - 1] != '\r') ? 2 : 1;
    }
    mt_status st2 = text_append_utf8_or_cp1252(out, d + start, len - start);
    /* shown as text: CRLF as LF, without the last line end */
    size_t o = 0;
    for (size_t i = 0; st2 == MT_OK && i < out->len; i++)
        if (!(out->data[i] == '\r' && i + 1 < out->len && out->data[i + 1] == '\n'))
            out->data[o++] = out->data[i];
    if (st2 == MT_OK) {
        out->len = o;
        if (out->len && out->data[out->len - 1] == '\n')
            out->len--;
        if (out->data)
            out->data[out->len] = '\0';
    }
    return st2;
}

/* "date", "date_header" and "date_local" (the sender's clock, from the
 * header's zone) of the email ROW. */
static void json_dates(struct json_writer *w, sqlite3_stmt *row)
{
    char date[40];
    bool dated = sqlite3_column_type(row, ROW_DATE) != SQLITE_NULL;
    json_key(w, "date");
    if (dated) {
        text_format_date(sqlite3_column_int64(row, ROW_DATE), date, sizeof date);
        json_string(w, date);
    } else {
        json_null(w);
    }
    json_key(w, "date_header");
    json_string(w, column_text(row, ROW_DATE_RAW));
    json_key(w, "date_local");
    int zone;
    if (dated && text_date_zone(column_text(row, ROW_DATE_RAW), &zone)) {
        char local[48];
        text_format_local_date(sqlite3_column_int64(row, ROW_DATE), zone, local, sizeof local);
        json_string(w, local);
    } else {
        json_null(w);
    }
}

/* The spans of email ID that verified emails vouch for, as a JSON array. */
static void json_corroboration(struct store *st, int64_t id, struct json_writer *w)
{
    json_array_begin(w);
    sqlite3_stmt *spans;
    if (prepare(st, "SELECT text, by_email, direction FROM corroboration WHERE email_id = ?"
                " ORDER BY position", &spans, NULL) == MT_OK) {
        sqlite3_bind_int64(spans, 1, id);
        while (sqlite3_step(spans) == SQLITE_ROW) {
            json_object_begin(w);
            json_key(w, "text");
            json_string(w, column_text(spans, 0));
            json_key(w, "by");
            json_int(w, sqlite3_column_int64(spans, 1));
            json_key(w, "direction");
            json_string(w, column_text(spans, 2));
            json_object_end(w);
        }
        sqlite3_reset(spans);
    }
    json_array_end(w);
}

mt_status report_email_json(struct store *st, int64_t id,
                            struct json_writer *w, struct mt_error *err)
{
    struct email_doc d;
    struct buf text = BUF_INIT;
    char digest[65];
    mt_status status = email_doc_load(st, id, &d, true, NULL, err);
    if (status != MT_OK)
        goto out;
    sqlite3_stmt *row = d.row;
    json_object_begin(w);
    json_key(w, "id");
    json_int(w, id);
    json_key(w, "message_id");
    json_string(w, column_text(row, ROW_MESSAGE_ID));
    json_dates(w, row);
    /* a message over the size limit: only its start is stored */
    json_key(w, "truncated_from");
    if (sqlite3_column_type(row, ROW_TRUNCATED) == SQLITE_NULL)
        json_null(w);
    else
        json_int(w, sqlite3_column_int64(row, ROW_TRUNCATED));
    /* written from an Outlook item: "pst" or "msg" */
    json_key(w, "derived_from");
    json_string(w, column_text(row, ROW_DERIVED));
    json_key(w, "from");
    text_format_address(&text, column_text(row, ROW_FROM_NAME),
                          column_text(row, ROW_FROM_ADDR));
    if (sqlite3_column_type(row, ROW_FROM_ADDR) == SQLITE_NULL
        && sqlite3_column_type(row, ROW_FROM_NAME) == SQLITE_NULL)
        json_null(w);
    else
        json_string(w, buf_cstr(&text));
    json_key(w, "from_address");
    json_string(w, column_text(row, ROW_FROM_ADDR));
    json_key(w, "from_name");
    json_string(w, column_text(row, ROW_FROM_NAME));
    for (int role = 1; role <= 3; role++) {
        json_key(w, role_names[role]);
        json_address_list(w, &d, role);
    }
    json_key(w, "subject");
    json_string(w, column_text(row, ROW_SUBJECT));
    json_key(w, "in_reply_to");
    json_string(w, column_text(row, ROW_IN_REPLY_TO));
    json_key(w, "references");
    json_array_begin(w);
    const char *refs = column_text(row, ROW_REFS);
    while (refs && *refs) {
        const char *space = strchr(refs, ' ');
        size_t n = space ? (size_t)(space - refs) : strlen(refs);
        json_string_len(w, refs, n);
        refs += n;
        while (*refs == ' ')
            refs++;
    }
    json_array_end(w);
    json_key(w, "body");
    json_string(w, d.parsed ? d.parsed->body : "");
    json_key(w, "body_from_html");
    json_bool(w, d.parsed && d.parsed->body_from_html);
    json_key(w, "attachments");
    json_array_begin(w);
    while (sqlite3_step(d.attachments) == SQLITE_ROW) {
        json_object_begin(w);
        json_key(w, "n");
        json_int(w, sqlite3_column_int64(d.attachments, 0));
        json_key(w, "filename");
        json_string(w, column_text(d.attachments, 1));
        json_key(w, "content_type");
        json_string(w, column_text(d.attachments, 2));
        json_key(w, "size");
        json_int(w, sqlite3_column_int64(d.attachments, 3));
        json_key(w, "sha256");
        if (sqlite3_column_bytes(d.attachments, 4) == 32) {
            text_hex(sqlite3_column_blob(d.attachments, 4), 32, digest);
            json_string(w, digest);
        } else {
            json_null(w);
        }
        /* attachment text (extract.h): null for emails indexed before it */
        json_key(w, "text_bytes");
        if (sqlite3_column_type(d.attachments, 5) == SQLITE_NULL)
            json_null(w);
        else
            json_int(w, sqlite3_column_int64(d.attachments, 5));
        json_key(w, "extraction");
        json_string(w, column_text(d.attachments, 6));
        json_key(w, "extraction_reason");
        json_string(w, column_text(d.attachments, 7));
        json_object_end(w);
    }
    json_array_end(w);
    json_key(w, "sources");
    json_array_begin(w);
    while (sqlite3_step(d.sources) == SQLITE_ROW) {
        json_object_begin(w);
        json_key(w, "path");
        json_string(w, column_text(d.sources, 0));
        json_key(w, "offset");
        if (sqlite3_column_type(d.sources, 1) == SQLITE_NULL)
            json_null(w);
        else
            json_int(w, sqlite3_column_int64(d.sources, 1));
        json_key(w, "member");
        json_string(w, column_text(d.sources, 2));
        json_key(w, "separator");
        json_string(w, column_text(d.sources, 3));
        json_key(w, "unquoted_lines");
        json_int(w, sqlite3_column_int64(d.sources, 4));
        json_object_end(w);
    }
    json_array_end(w);
    json_key(w, "raw_size");
    json_int(w, sqlite3_column_int64(row, ROW_RAW_SIZE));
    json_key(w, "sha256");
    text_hex(sqlite3_column_blob(row, ROW_SHA256), 32, digest);
    json_string(w, digest);
    json_key(w, "verdict");
    json_string(w, column_text(row, ROW_VERDICT));
    json_key(w, "signatures");
    status = report_signatures_json(st, id, w, err);
    if (status != MT_OK)
        goto out;
    json_key(w, "dates");
    status = report_dates_json(st, id, w, err);
    if (status != MT_OK)
        goto out;
    json_key(w, "thread");
    if (sqlite3_column_type(row, ROW_THREAD) == SQLITE_NULL)
        json_null(w);
    else
        json_int(w, sqlite3_column_int64(row, ROW_THREAD));
    json_key(w, "corroboration");
    json_corroboration(st, id, w);
    json_object_end(w);
    status = w->status;
out:
    buf_free(&text);
    email_doc_free(&d);
    return status;
}

struct text_line {
    struct buf *out;
    const char *label;
    bool first;
};

static void text_address(void *context, const char *formatted)
{
    struct text_line *line = context;
    buf_append_str(line->out, line->first ? line->label : ", ");
    buf_append_str(line->out, formatted);
    line->first = false;
}

static void text_addresses(struct buf *out, const struct email_doc *d, int role,
                           const char *label)
{
    struct text_line line = { out, label, true };
    each_address(d, role, text_address, &line);
    if (!line.first)
        buf_append_char(out, '\n');
}

/* The spans of this email's text that a verified email vouches for. */
static void text_corroboration(struct store *st, int64_t id, struct buf *out)
{
    sqlite3_stmt *spans;
    if (prepare(st, "SELECT text, by_email, direction FROM corroboration WHERE email_id = ?"
                " ORDER BY position", &spans, NULL) != MT_OK)
        return;
    sqlite3_bind_int64(spans, 1, id);
    bool any = false;
    while (sqlite3_step(spans) == SQLITE_ROW) {
        if (!any)
            buf_append_str(out, "Corroborated: text a verified email vouches for\n");
        any = true;
        bool quoted = !strcmp(column_text(spans, 2) ? column_text(spans, 2) : "",
                              "quoted_by_verified");
        buf_printf(out, "  \"%s\"\n    %s verified email %lld\n", column_text(spans, 0),
                   quoted ? "quoted, as it stands here, by" : "this email quotes it from",
                   (long long)sqlite3_column_int64(spans, 1));
    }
    sqlite3_reset(spans);
}

mt_status report_email_text(struct store *st, int64_t id, struct buf *out,
                            struct mt_error *err)
{
    struct email_doc d;
    char date[40];
    mt_status status = email_doc_load(st, id, &d, true, NULL, err);
    if (status != MT_OK)
        goto out;
    sqlite3_stmt *row = d.row;
    buf_printf(out, "Email %lld\n", (long long)id);
    if (column_text(row, ROW_MESSAGE_ID))
        buf_printf(out, "Message-ID: <%s>\n", column_text(row, ROW_MESSAGE_ID));
    if (sqlite3_column_type(row, ROW_DATE) != SQLITE_NULL) {
        text_format_date(sqlite3_column_int64(row, ROW_DATE), date, sizeof date);
        buf_printf(out, "Date:    %s", date);
        int zone;
        if (text_date_zone(column_text(row, ROW_DATE_RAW), &zone)) {
            char local[48];
            text_format_local_date(sqlite3_column_int64(row, ROW_DATE), zone, local,
                                   sizeof local);
            buf_printf(out, " (%s, the sender's clock)", local);
        }
        buf_append_char(out, '\n');
    } else {
        buf_printf(out, "Date:    (none or unreadable%s%s)\n",
                   column_text(row, ROW_DATE_RAW) ? ": " : "",
                   column_text(row, ROW_DATE_RAW) ? column_text(row, ROW_DATE_RAW) : "");
    }
    text_addresses(out, &d, 0, "From:    ");
    text_addresses(out, &d, 1, "To:      ");
    text_addresses(out, &d, 2, "Cc:      ");
    text_addresses(out, &d, 3, "Bcc:     ");
    buf_printf(out, "Subject: %s\n",
               column_text(row, ROW_SUBJECT) ? column_text(row, ROW_SUBJECT) : "");
    if (sqlite3_column_type(row, ROW_TRUNCATED) != SQLITE_NULL)
        buf_printf(out, "TRUNCATED: this message was %lld bytes, over the size limit; only "
                        "its first %lld bytes (its headers and the start of its body) are "
                        "stored\n", (long long)sqlite3_column_int64(row, ROW_TRUNCATED),
                   (long long)sqlite3_column_int64(row, ROW_RAW_SIZE));
    if (column_text(row, ROW_DERIVED))
        buf_printf(out, "REBUILT: from an Outlook %s: these are not the bytes that "
                        "travelled, so DKIM signatures in its headers usually cannot "
                        "verify\n", !strcmp(column_text(row, ROW_DERIVED), "msg")
                                        ? ".msg file" : "store (PST/OST)");
    buf_printf(out, "DKIM:    %s\n", column_text(row, ROW_VERDICT));
    report_signatures_text(st, id, out);
    struct buf raw = BUF_INIT, tail = BUF_INIT;
    int64_t unsigned_bytes = 0;
    if (store_get_raw(st, id, &raw, NULL) == MT_OK
        && report_unsigned_tail(st, id, &raw, &tail, &unsigned_bytes, NULL) == MT_OK
        && unsigned_bytes > 0)
        buf_printf(out, "  Not signed, the end of the body after l= (%lld bytes):\n"
                        "  >>>%s<<<\n", (long long)unsigned_bytes, buf_cstr(&tail));
    buf_free(&raw);
    buf_free(&tail);
    struct buf dates = BUF_INIT;
    report_dates_text(st, id, &dates);
    if (dates.len)
        buf_printf(out, "Dates (each a claim, by whom):\n%s", buf_cstr(&dates));
    buf_free(&dates);
    bool any = false;
    while (sqlite3_step(d.attachments) == SQLITE_ROW) {
        if (!any)
            buf_append_str(out, "Attachments:\n");
        any = true;
        buf_printf(out, "  %d. %s (%s, %lld bytes)",
                   sqlite3_column_int(d.attachments, 0),
                   column_text(d.attachments, 1) ? column_text(d.attachments, 1)
                                                 : "(no name)",
                   column_text(d.attachments, 2),
                   (long long)sqlite3_column_int64(d.attachments, 3));
        const char *outcome = column_text(d.attachments, 6);
        if (outcome && !strcmp(outcome, "ok"))
            buf_printf(out, ": text, %lld bytes\n", (long long)sqlite3_column_int64(d.attachments, 5));
        else if (outcome)
            buf_printf(out, ": text %s%s%s\n", outcome, column_text(d.attachments, 7) ? ", " : "",
                       column_text(d.attachments, 7) ? column_text(d.attachments, 7) : "");
        else
            buf_append_char(out, '\n');
    }
    text_corroboration(st, id, out);
    buf_append_str(out, "Found in:\n");
    while (sqlite3_step(d.sources) == SQLITE_ROW) {
        buf_printf(out, "  %s", column_text(d.sources, 0));
        if (sqlite3_column_type(d.sources, 1) != SQLITE_NULL)
            buf_printf(out, " at byte %lld",
                       (long long)sqlite3_column_int64(d.sources, 1));
        if (column_text(d.sources, 2))
            buf_printf(out, ", member %s", column_text(d.sources, 2));
        buf_append_char(out, '\n');
    }
    buf_append_char(out, '\n');
    if (d.parsed && d.parsed->body_from_html)
        buf_append_str(out, "[text of the HTML body]\n");
    buf_append_str(out, d.parsed ? d.parsed->body : "");
    if (out->len && out->data[out->len - 1] != '\n')
        buf_append_char(out, '\n');
out:
    email_doc_free(&d);
    return status;
}

static int64_t query_int(struct store *st, const char *sql, bool *ok)
{
    sqlite3_stmt *s;
    int64_t n = 0;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
        *ok = false;
        return 0;
    }
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    else
        *ok = false;
    sqlite3_finalize(s);
    return n;
}

static void json_org_domain(void *context, const char *domain, int64_t affiliated)
{
    (void)affiliated;
    json_string(context, domain);
}

mt_status report_stats_json(struct store *st, struct json_writer *w,
                            struct mt_error *err)
{
    bool ok = true;
    char date[40];
    int64_t emails = query_int(st, "SELECT count(*) FROM email", &ok);
    int64_t attachments = query_int(st, "SELECT count(*) FROM attachment", &ok);
    int64_t senders = query_int(st, "SELECT count(DISTINCT addr) FROM address"
                                " WHERE role = 0 AND position = 0 AND addr IS NOT NULL", &ok);
    int64_t rejected = query_int(st, "SELECT count(*) FROM rejected", &ok);
    int64_t has_dates = query_int(st, "SELECT count(date) FROM email", &ok);
    int64_t first = query_int(st, "SELECT min(date) FROM email", &ok);
    int64_t last = query_int(st, "SELECT max(date) FROM email", &ok);
    if (!ok)
        return store_db_error(st, err, "computing statistics");
    json_object_begin(w);
    json_key(w, "emails");
    json_int(w, emails);
    json_key(w, "attachments");
    json_int(w, attachments);
    json_key(w, "unique_senders");
    json_int(w, senders);
    json_key(w, "date_first");
    if (has_dates) {
        text_format_date(first, date, sizeof date);
        json_string(w, date);
    } else {
        json_null(w);
    }
    json_key(w, "date_last");
    if (has_dates) {
        text_format_date(last, date, sizeof date);
        json_string(w, date);
    } else {
        json_null(w);
    }
    json_key(w, "rejected");
    json_int(w, rejected);
    json_key(w, "verdicts");
    json_object_begin(w);
    static const char *const verdicts[] = { "verified", "weak", "failed",
                                            "nokey", "unsigned" };
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM email WHERE verdict = ?",
                           -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "counting verdicts");
    for (int i = 0; i < 5; i++) {
        sqlite3_bind_text(s, 1, verdicts[i], -1, SQLITE_STATIC);
        int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        sqlite3_reset(s);
        json_key(w, verdicts[i]);
        json_int(w, n);
    }
    sqlite3_finalize(s);
    json_object_end(w);
    json_key(w, "signing_domains");
    json_object_begin(w);
    if (sqlite3_prepare_v2(store_db(st), "SELECT domain, count(DISTINCT email_id)"
                           " FROM signature WHERE result = 'pass' AND domain IS NOT NULL"
                           " GROUP BY domain ORDER BY 2 DESC, 1", -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "counting signing domains");
    while (sqlite3_step(s) == SQLITE_ROW) {
        json_key(w, column_text(s, 0));
        json_int(w, sqlite3_column_int64(s, 1));
    }
    sqlite3_finalize(s);
    json_object_end(w);
    /* the two kinds of failed: altered since signed, could not be checked */
    json_key(w, "failed_kinds");
    json_object_begin(w);
    if (sqlite3_prepare_v2(store_db(st), "SELECT " QUERY_FAILURE_KIND_SQL ", count(*) FROM email e"
                           " WHERE e.verdict = 'failed' GROUP BY 1", -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "counting failures");
    int64_t kinds[2] = { 0, 0 };
    while (sqlite3_step(s) == SQLITE_ROW)
        kinds[strcmp(column_text(s, 0) ? column_text(s, 0) : "", "altered") ? 1 : 0]
            = sqlite3_column_int64(s, 1);
    sqlite3_finalize(s);
    json_key(w, "altered");
    json_int(w, kinds[0]);
    json_key(w, "unchecked");
    json_int(w, kinds[1]);
    json_object_end(w);
    /* the organization: emails verified as sent through its domains */
    json_key(w, "affiliated");
    int64_t affiliated = org_affiliated_count(st);
    if (affiliated < 0)
        return store_db_error(st, err, "counting affiliated emails");
    json_int(w, affiliated);
    json_key(w, "org_domains");
    json_array_begin(w);
    mt_status status = org_each(st, json_org_domain, w, err);
    if (status != MT_OK)
        return status;
    json_array_end(w);
    json_object_end(w);
    return w->status;
}

/* One conversation's rows in date order (undated last). */
struct thread_rows {
    int64_t thread;
    sqlite3_stmt *rows;   /* id, parent, date, from_name, from_addr, subject, verdict */
};

static mt_status thread_rows_open(struct store *st, int64_t id, struct thread_rows *t,
                                  struct mt_error *err)
{
    sqlite3_stmt *s;
    memset(t, 0, sizeof *t);
    mt_status status = prepare(st, "SELECT coalesce(thread_id, id) FROM email WHERE id = ?",
                               &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return mt_error_set(err, MT_ENOTFOUND, "no email with id %lld", (long long)id);
    }
    t->thread = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    status = prepare(st, "SELECT id, thread_parent, date, from_name, from_addr, subject,"
                     " verdict FROM email WHERE thread_id = ?1 OR (thread_id IS NULL AND id = ?1)"
                     " ORDER BY date IS NULL, date, id", &t->rows, err);
    if (status == MT_OK)
        sqlite3_bind_int64(t->rows, 1, t->thread);
    return status;
}

mt_status report_thread_json(struct store *st, int64_t id, struct json_writer *w,
                             struct mt_error *err)
{
    struct thread_rows t;
    mt_status status = thread_rows_open(st, id, &t, err);
    if (status != MT_OK)
        return status;
    json_object_begin(w);
    json_key(w, "thread");
    json_int(w, t.thread);
    json_key(w, "emails");
    json_array_begin(w);
    struct buf from = BUF_INIT;
    while (sqlite3_step(t.rows) == SQLITE_ROW) {
        sqlite3_stmt *r = t.rows;
        json_object_begin(w);
        json_key(w, "id");
        json_int(w, sqlite3_column_int64(r, 0));
        json_key(w, "parent");
        if (sqlite3_column_type(r, 1) == SQLITE_NULL)
            json_null(w);
        else
            json_int(w, sqlite3_column_int64(r, 1));
        json_key(w, "date");
        if (sqlite3_column_type(r, 2) == SQLITE_NULL)
            json_null(w);
        else {
            char date[40];
            text_format_date(sqlite3_column_int64(r, 2), date, sizeof date);
            json_string(w, date);
        }
        buf_clear(&from);
        text_format_address(&from, column_text(r, 3), column_text(r, 4));
        json_key(w, "from");
        json_string(w, buf_cstr(&from));
        json_key(w, "subject");
        if (column_text(r, 5))
            json_string(w, column_text(r, 5));
        else
            json_null(w);
        json_key(w, "verdict");
        json_string(w, column_text(r, 6));
        json_object_end(w);
    }
    json_array_end(w);
    json_object_end(w);
    buf_free(&from);
    sqlite3_reset(t.rows);
    return MT_OK;
}

mt_status report_thread_text(struct store *st, int64_t id, struct buf *out,
                             struct mt_error *err)
{
    struct thread_rows t;
    mt_status status = thread_rows_open(st, id, &t, err);
    if (status != MT_OK)
        return status;
    buf_printf(out, "thread %lld\n", (long long)t.thread);
    struct buf from = BUF_INIT;
    while (sqlite3_step(t.rows) == SQLITE_ROW) {
        sqlite3_stmt *r = t.rows;
        char date[40] = "(no date)";
        if (sqlite3_column_type(r, 2) != SQLITE_NULL)
            text_format_date(sqlite3_column_int64(r, 2), date, sizeof date);
        buf_clear(&from);
        text_format_address(&from, column_text(r, 3), column_text(r, 4));
        int64_t email = sqlite3_column_int64(r, 0);
        buf_printf(out, "%s %-7lld %s  %s\n", email == id ? "*" : " ", (long long)email,
                   date, column_text(r, 5) ? column_text(r, 5) : "(no subject)");
        if (sqlite3_column_type(r, 1) == SQLITE_NULL)
            buf_printf(out, "          %s\n", buf_cstr(&from));
        else
            buf_printf(out, "          %s, replying to %lld\n", buf_cstr(&from),
                       (long long)sqlite3_column_int64(r, 1));
    }
    buf_free(&from);
    sqlite3_reset(t.rows);
    return MT_OK;
}

bool report_stats_value(const char *doc, const char *key, char *out, size_t size)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(doc, pattern);
    if (!at)
        return false;
    at += strlen(pattern);
    bool quoted = *at == '"';
    at += quoted;
    size_t n = strcspn(at, quoted ? "\"" : ",}");
    snprintf(out, size, "%.*s", (int)n, at);
    return true;
}

/* The lower-cased addresses of ROLE from the address table, as strings. */
static void json_plain_addresses(struct json_writer *w, const struct email_doc *d, int role)
{
    json_array_begin(w);
    sqlite3_reset(d->addresses);
    while (sqlite3_step(d->addresses) == SQLITE_ROW)
        if (sqlite3_column_int(d->addresses, 0) == role && column_text(d->addresses, 2))
            json_string(w, column_text(d->addresses, 2));
    json_array_end(w);
}

mt_status report_search_document(struct store *st, int64_t id, struct json_writer *w,
                                 struct mt_error *err)
{
    struct email_doc d;
    struct attachment_examiner examiner = { .helper = EXTRACT_SELF,
                                            .depth = ATTACHMENT_MAX_MESSAGE_DEPTH };
    struct mime_options parse = { attachment_examine, &examiner };
    mt_status status = email_doc_load(st, id, &d, true, &parse, err);
    if (status != MT_OK) {
        email_doc_free(&d);
        return status;
    }
    sqlite3_stmt *row = d.row;
    char text[65];
    json_object_begin(w);
    json_key(w, "id");
    json_int(w, id);
    json_key(w, "message_id");
    json_string(w, column_text(row, ROW_MESSAGE_ID));
    json_key(w, "date");
    if (sqlite3_column_type(row, ROW_DATE) == SQLITE_NULL) {
        json_null(w);
    } else {
        text_format_date(sqlite3_column_int64(row, ROW_DATE), text, sizeof text);
        json_string(w, text);
    }
    struct buf from = BUF_INIT;
    text_format_address(&from, column_text(row, ROW_FROM_NAME), column_text(row, ROW_FROM_ADDR));
    json_key(w, "from");
    json_string(w, buf_cstr(&from));
    buf_free(&from);
    json_key(w, "from_address");
    json_string(w, column_text(row, ROW_FROM_ADDR));
    for (int role = 1; role <= 2; role++) {
        json_key(w, role_names[role]);
        json_plain_addresses(w, &d, role);
    }
    json_key(w, "subject");
    json_string(w, column_text(row, ROW_SUBJECT));
    json_key(w, "body");
    json_string(w, d.parsed ? d.parsed->body : "");
    json_key(w, "attachments");
    json_array_begin(w);
    struct buf attached = BUF_INIT;
    for (size_t i = 0; d.parsed && i < d.parsed->attachment_count; i++) {
        const struct mime_attachment *a = &d.parsed->attachments[i];
        json_string(w, a->filename ? a->filename : "");
        if (a->text && a->text_len) {
            if (attached.len)
                buf_append_str(&attached, "\n\n");
            buf_append(&attached, a->text, a->text_len);
        }
    }
    json_array_end(w);
    json_key(w, "attachment_text");
    json_string_len(w, attached.data ? attached.data : "", attached.len);
    buf_free(&attached);
    json_key(w, "verdict");
    json_string(w, column_text(row, ROW_VERDICT));
    json_key(w, "signers");
    status = report_signers_json(st, id, w, err);
    json_key(w, "thread");
    if (sqlite3_column_type(row, ROW_THREAD) == SQLITE_NULL)
        json_null(w);
    else
        json_int(w, sqlite3_column_int64(row, ROW_THREAD));
    json_key(w, "sha256");
    text_hex(sqlite3_column_blob(row, ROW_SHA256), 32, text);
    json_string(w, text);
    json_object_end(w);
    email_doc_free(&d);
    return status;
}
