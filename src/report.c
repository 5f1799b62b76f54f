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
#include "email_view.h"
#include "dkim.h"
#include "extract/extract.h"
#include "mime.h"
#include "org.h"


static const char *const role_names[] = { "from", "to", "cc", "bcc" };

/*
 * Call EACH(context, formatted) for every address of ROLE, formatted as
 * "Name <addr>": from the parsed message when there is one, so addresses
 * read as written (Jean.Dupont@Example.FR), else from the address table,
 * which keeps them lower-cased for search.
 */
static void each_address(const struct email_view *v, enum mime_role role,
                         void (*each)(void *, const char *), void *context)
{
    struct buf text = BUF_INIT;
    if (v->parsed && v->parsed->parsed) {
        for (size_t i = 0; i < v->parsed->address_count; i++) {
            const struct mime_address *a = &v->parsed->addresses[i];
            if (a->role != role)
                continue;
            buf_clear(&text);
            text_format_address(&text, a->name, a->address);
            each(context, buf_cstr(&text));
        }
    } else {
        for (size_t i = 0; i < v->address_count; i++) {
            const struct email_view_address *a = &v->addresses[i];
            if (a->role != role)
                continue;
            buf_clear(&text);
            text_format_address(&text, a->name, a->address);
            each(context, buf_cstr(&text));
        }
    }
    buf_free(&text);
}

static void json_address(void *context, const char *formatted)
{
    json_string(context, formatted);
}

static void json_address_list(struct json_writer *w, const struct email_view *v,
                              enum mime_role role)
{
    json_array_begin(w);
    each_address(v, role, json_address, w);
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
 * header's zone) of email V. */
static void json_dates(struct json_writer *w, const struct email_view *v)
{
    char date[40];
    json_key(w, "date");
    if (v->has_date) {
        text_format_date(v->date, date, sizeof date);
        json_string(w, date);
    } else {
        json_null(w);
    }
    json_key(w, "date_header");
    json_string(w, v->date_raw);
    json_key(w, "date_local");
    int zone;
    if (v->has_date && text_date_zone(v->date_raw, &zone)) {
        char local[48];
        text_format_local_date(v->date, zone, local, sizeof local);
        json_string(w, local);
    } else {
        json_null(w);
    }
}

/* The spans of email V that verified emails vouch for, as a JSON array. */
static void json_corroboration(const struct email_view *v, struct json_writer *w)
{
    json_array_begin(w);
    for (size_t i = 0; i < v->span_count; i++) {
        json_object_begin(w);
        json_key(w, "text");
        json_string(w, v->spans[i].text);
        json_key(w, "by");
        json_int(w, v->spans[i].by);
        json_key(w, "direction");
        json_string(w, v->spans[i].direction);
        json_object_end(w);
    }
    json_array_end(w);
}

static void json_attachments(const struct email_view *v, struct json_writer *w)
{
    char digest[65];
    json_array_begin(w);
    for (size_t i = 0; i < v->attachment_count; i++) {
        const struct email_view_attachment *a = &v->attachments[i];
        json_object_begin(w);
        json_key(w, "n");
        json_int(w, a->n);
        json_key(w, "filename");
        json_string(w, a->filename);
        json_key(w, "content_type");
        json_string(w, a->content_type);
        json_key(w, "size");
        json_int(w, a->size);
        json_key(w, "sha256");
        if (a->has_sha256) {
            text_hex(a->sha256, 32, digest);
            json_string(w, digest);
        } else {
            json_null(w);
        }
        /* attachment text (extract.h): null for emails indexed before it */
        json_key(w, "text_bytes");
        if (a->has_text_bytes)
            json_int(w, a->text_bytes);
        else
            json_null(w);
        json_key(w, "extraction");
        json_string(w, a->extraction);
        json_key(w, "extraction_reason");
        json_string(w, a->extraction_reason);
        json_object_end(w);
    }
    json_array_end(w);
}

static void json_sources(const struct email_view *v, struct json_writer *w)
{
    json_array_begin(w);
    for (size_t i = 0; i < v->source_count; i++) {
        const struct email_view_source *o = &v->sources[i];
        json_object_begin(w);
        json_key(w, "path");
        json_string(w, o->path);
        json_key(w, "offset");
        if (o->has_offset)
            json_int(w, o->offset);
        else
            json_null(w);
        json_key(w, "member");
        json_string(w, o->member);
        json_key(w, "separator");
        json_string(w, o->separator);
        json_key(w, "unquoted_lines");
        json_int(w, o->unquoted_lines);
        json_object_end(w);
    }
    json_array_end(w);
}

/* "from", "from_address", "from_name", "to", "cc", "bcc" and "subject". */
static void json_correspondents(const struct email_view *v, struct json_writer *w)
{
    struct buf text = BUF_INIT;
    json_key(w, "from");
    text_format_address(&text, v->from_name, v->from_addr);
    if (!v->from_addr && !v->from_name)
        json_null(w);
    else
        json_string(w, buf_cstr(&text));
    buf_free(&text);
    json_key(w, "from_address");
    json_string(w, v->from_addr);
    json_key(w, "from_name");
    json_string(w, v->from_name);
    for (enum mime_role role = MIME_TO; role <= MIME_BCC; role++) {
        json_key(w, role_names[role]);
        json_address_list(w, v, role);
    }
    json_key(w, "subject");
    json_string(w, v->subject);
}

mt_status report_email_json(struct store *st, int64_t id,
                            struct json_writer *w, struct mt_error *err)
{
    struct email_view v;
    char digest[65];
    mt_status status = email_view_load(st, id, EMAIL_VIEW_BODY, NULL, &v, err);
    if (status != MT_OK)
        goto out;
    json_object_begin(w);
    json_key(w, "id");
    json_int(w, id);
    json_key(w, "message_id");
    json_string(w, v.message_id);
    json_dates(w, &v);
    /* a message over the size limit: only its start is stored */
    json_key(w, "truncated_from");
    if (v.truncated_from)
        json_int(w, v.truncated_from);
    else
        json_null(w);
    /* written from an Outlook item: "pst" or "msg" */
    json_key(w, "derived_from");
    json_string(w, v.derived_from);
    json_correspondents(&v, w);
    json_key(w, "in_reply_to");
    json_string(w, v.in_reply_to);
    json_key(w, "references");
    json_array_begin(w);
    const char *refs = v.refs;
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
    json_string(w, v.parsed ? v.parsed->body : "");
    json_key(w, "body_from_html");
    json_bool(w, v.parsed && v.parsed->body_from_html);
    json_key(w, "attachments");
    json_attachments(&v, w);
    json_key(w, "sources");
    json_sources(&v, w);
    json_key(w, "raw_size");
    json_int(w, v.raw_size);
    json_key(w, "sha256");
    text_hex(v.sha256, 32, digest);
    json_string(w, digest);
    json_key(w, "verdict");
    json_string(w, v.verdict);
    json_key(w, "signatures");
    status = report_signatures_json(st, id, w, err);
    if (status != MT_OK)
        goto out;
    json_key(w, "dates");
    status = report_dates_json(st, id, w, err);
    if (status != MT_OK)
        goto out;
    json_key(w, "thread");
    if (v.has_thread)
        json_int(w, v.thread);
    else
        json_null(w);
    json_key(w, "corroboration");
    json_corroboration(&v, w);
    json_object_end(w);
    status = w->status;
out:
    email_view_free(&v);
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

static void text_addresses(struct buf *out, const struct email_view *v, enum mime_role role,
                           const char *label)
{
    struct text_line line = { out, label, true };
    each_address(v, role, text_address, &line);
    if (!line.first)
        buf_append_char(out, '\n');
}

/* The spans of this email's text that a verified email vouches for. */
static void text_corroboration(const struct email_view *v, struct buf *out)
{
    for (size_t i = 0; i < v->span_count; i++) {
        const struct email_view_span *p = &v->spans[i];
        if (!i)
            buf_append_str(out, "Corroborated: text a verified email vouches for\n");
        bool quoted = p->direction && !strcmp(p->direction, "quoted_by_verified");
        buf_printf(out, "  \"%s\"\n    %s verified email %lld\n", p->text,
                   quoted ? "quoted, as it stands here, by" : "this email quotes it from",
                   (long long)p->by);
    }
}

/* The headers' lines: Message-ID, Date, the addresses, Subject. */
static void text_headers(const struct email_view *v, struct buf *out)
{
    char date[40];
    if (v->message_id)
        buf_printf(out, "Message-ID: <%s>\n", v->message_id);
    if (v->has_date) {
        text_format_date(v->date, date, sizeof date);
        buf_printf(out, "Date:    %s", date);
        int zone;
        if (text_date_zone(v->date_raw, &zone)) {
            char local[48];
            text_format_local_date(v->date, zone, local, sizeof local);
            buf_printf(out, " (%s, the sender's clock)", local);
        }
        buf_append_char(out, '\n');
    } else {
        buf_printf(out, "Date:    (none or unreadable%s%s)\n", v->date_raw ? ": " : "",
                   v->date_raw ? v->date_raw : "");
    }
    text_addresses(out, v, MIME_FROM, "From:    ");
    text_addresses(out, v, MIME_TO, "To:      ");
    text_addresses(out, v, MIME_CC, "Cc:      ");
    text_addresses(out, v, MIME_BCC, "Bcc:     ");
    buf_printf(out, "Subject: %s\n", v->subject ? v->subject : "");
    if (v->truncated_from)
        buf_printf(out, "TRUNCATED: this message was %lld bytes, over the size limit; only "
                        "its first %lld bytes (its headers and the start of its body) are "
                        "stored\n", (long long)v->truncated_from, (long long)v->raw_size);
    if (v->derived_from)
        buf_printf(out, "REBUILT: from an Outlook %s: these are not the bytes that "
                        "travelled, so DKIM signatures in its headers usually cannot "
                        "verify\n", !strcmp(v->derived_from, "msg")
                                        ? ".msg file" : "store (PST/OST)");
}

static void text_attachments(const struct email_view *v, struct buf *out)
{
    for (size_t i = 0; i < v->attachment_count; i++) {
        const struct email_view_attachment *a = &v->attachments[i];
        if (!i)
            buf_append_str(out, "Attachments:\n");
        buf_printf(out, "  %d. %s (%s, %lld bytes)", a->n,
                   a->filename ? a->filename : "(no name)", a->content_type,
                   (long long)a->size);
        if (a->extraction && !strcmp(a->extraction, "ok"))
            buf_printf(out, ": text, %lld bytes\n", (long long)a->text_bytes);
        else if (a->extraction)
            buf_printf(out, ": text %s%s%s\n", a->extraction, a->extraction_reason ? ", " : "",
                       a->extraction_reason ? a->extraction_reason : "");
        else
            buf_append_char(out, '\n');
    }
}

mt_status report_email_text(struct store *st, int64_t id, struct buf *out,
                            struct mt_error *err)
{
    struct email_view v;
    mt_status status = email_view_load(st, id, EMAIL_VIEW_BODY, NULL, &v, err);
    if (status != MT_OK)
        goto out;
    buf_printf(out, "Email %lld\n", (long long)id);
    text_headers(&v, out);
    buf_printf(out, "DKIM:    %s\n", v.verdict);
    report_signatures_text(st, id, out);
    struct buf tail = BUF_INIT;
    int64_t unsigned_bytes = 0;
    if (report_unsigned_tail(st, id, &v.raw, &tail, &unsigned_bytes, NULL) == MT_OK
        && unsigned_bytes > 0)
        buf_printf(out, "  Not signed, the end of the body after l= (%lld bytes):\n"
                        "  >>>%s<<<\n", (long long)unsigned_bytes, buf_cstr(&tail));
    buf_free(&tail);
    struct buf dates = BUF_INIT;
    report_dates_text(st, id, &dates);
    if (dates.len)
        buf_printf(out, "Dates (each a claim, by whom):\n%s", buf_cstr(&dates));
    buf_free(&dates);
    text_attachments(&v, out);
    text_corroboration(&v, out);
    buf_append_str(out, "Found in:\n");
    for (size_t i = 0; i < v.source_count; i++) {
        const struct email_view_source *o = &v.sources[i];
        buf_printf(out, "  %s", o->path);
        if (o->has_offset)
            buf_printf(out, " at byte %lld", (long long)o->offset);
        if (o->member)
            buf_printf(out, ", member %s", o->member);
        buf_append_char(out, '\n');
    }
    buf_append_char(out, '\n');
    if (v.parsed && v.parsed->body_from_html)
        buf_append_str(out, "[text of the HTML body]\n");
    buf_append_str(out, v.parsed ? v.parsed->body : "");
    if (out->len && out->data[out->len - 1] != '\n')
        buf_append_char(out, '\n');
out:
    email_view_free(&v);
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
    int64_t senders = query_int(st, "SELECT count(*) FROM (SELECT DISTINCT domain, local"
                                " FROM address WHERE role = 0 AND position = 0"
                                " AND local IS NOT NULL)", &ok);
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

/* The conversation email ID belongs to: its id into *THREAD, its rows
 * (email_view_conversation) into *ROWS and *COUNT. */
static mt_status conversation_of(struct store *st, int64_t id, int64_t *thread,
                                 struct conversation_row **rows, size_t *count,
                                 struct mt_error *err)
{
    *rows = NULL;
    *count = 0;
    mt_status status = email_view_thread_of(st, id, thread, err);
    return status == MT_OK ? email_view_conversation(st, *thread, rows, count, err) : status;
}

mt_status report_thread_json(struct store *st, int64_t id, struct json_writer *w,
                             struct mt_error *err)
{
    int64_t thread;
    struct conversation_row *rows;
    size_t count;
    mt_status status = conversation_of(st, id, &thread, &rows, &count, err);
    if (status != MT_OK)
        return status;
    json_object_begin(w);
    json_key(w, "thread");
    json_int(w, thread);
    json_key(w, "emails");
    json_array_begin(w);
    struct buf from = BUF_INIT;
    for (size_t i = 0; i < count; i++) {
        const struct conversation_row *r = &rows[i];
        json_object_begin(w);
        json_key(w, "id");
        json_int(w, r->id);
        json_key(w, "parent");
        if (r->has_parent)
            json_int(w, r->parent);
        else
            json_null(w);
        json_key(w, "date");
        if (r->has_date) {
            char date[40];
            text_format_date(r->date, date, sizeof date);
            json_string(w, date);
        } else {
            json_null(w);
        }
        buf_clear(&from);
        text_format_address(&from, r->from_name, r->from_addr);
        json_key(w, "from");
        json_string(w, buf_cstr(&from));
        json_key(w, "subject");
        json_string(w, r->subject);
        json_key(w, "verdict");
        json_string(w, r->verdict);
        json_object_end(w);
    }
    json_array_end(w);
    json_object_end(w);
    buf_free(&from);
    conversation_rows_free(rows, count);
    return MT_OK;
}

mt_status report_thread_text(struct store *st, int64_t id, struct buf *out,
                             struct mt_error *err)
{
    int64_t thread;
    struct conversation_row *rows;
    size_t count;
    mt_status status = conversation_of(st, id, &thread, &rows, &count, err);
    if (status != MT_OK)
        return status;
    buf_printf(out, "thread %lld\n", (long long)thread);
    struct buf from = BUF_INIT;
    for (size_t i = 0; i < count; i++) {
        const struct conversation_row *r = &rows[i];
        char date[40] = "(no date)";
        if (r->has_date)
            text_format_date(r->date, date, sizeof date);
        buf_clear(&from);
        text_format_address(&from, r->from_name, r->from_addr);
        buf_printf(out, "%s %-7lld %s  %s\n", r->id == id ? "*" : " ", (long long)r->id,
                   date, r->subject ? r->subject : "(no subject)");
        if (!r->has_parent)
            buf_printf(out, "          %s\n", buf_cstr(&from));
        else
            buf_printf(out, "          %s, replying to %lld\n", buf_cstr(&from),
                       (long long)r->parent);
    }
    buf_free(&from);
    conversation_rows_free(rows, count);
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
static void json_plain_addresses(struct json_writer *w, const struct email_view *v,
                                 enum mime_role role)
{
    json_array_begin(w);
    for (size_t i = 0; i < v->address_count; i++)
        if (v->addresses[i].role == role && v->addresses[i].address)
            json_string(w, v->addresses[i].address);
    json_array_end(w);
}

mt_status report_search_document(struct store *st, int64_t id, struct json_writer *w,
                                 struct mt_error *err)
{
    struct email_view v;
    struct attachment_examiner examiner = { .helper = EXTRACT_SELF,
                                            .depth = ATTACHMENT_MAX_MESSAGE_DEPTH,
                                            .ocr = attachment_text_ocr(st) };
    struct mime_options parse = { .examine = attachment_examine, .context = &examiner };
    mt_status status = email_view_load(st, id, EMAIL_VIEW_BODY, &parse, &v, err);
    if (status != MT_OK) {
        email_view_free(&v);
        return status;
    }
    char text[65];
    json_object_begin(w);
    json_key(w, "id");
    json_int(w, id);
    json_key(w, "message_id");
    json_string(w, v.message_id);
    json_key(w, "date");
    if (!v.has_date) {
        json_null(w);
    } else {
        text_format_date(v.date, text, sizeof text);
        json_string(w, text);
    }
    struct buf from = BUF_INIT;
    text_format_address(&from, v.from_name, v.from_addr);
    json_key(w, "from");
    json_string(w, buf_cstr(&from));
    buf_free(&from);
    json_key(w, "from_address");
    json_string(w, v.from_addr);
    for (enum mime_role role = MIME_TO; role <= MIME_CC; role++) {
        json_key(w, role_names[role]);
        json_plain_addresses(w, &v, role);
    }
    json_key(w, "subject");
    json_string(w, v.subject);
    json_key(w, "body");
    json_string(w, v.parsed ? v.parsed->body : "");
    json_key(w, "attachments");
    json_array_begin(w);
    struct buf attached = BUF_INIT;
    for (size_t i = 0; v.parsed && i < v.parsed->attachment_count; i++) {
        const struct mime_attachment *a = &v.parsed->attachments[i];
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
    json_string(w, v.verdict);
    json_key(w, "signers");
    status = report_signers_json(st, id, w, err);
    json_key(w, "thread");
    if (v.has_thread)
        json_int(w, v.thread);
    else
        json_null(w);
    json_key(w, "sha256");
    text_hex(v.sha256, 32, text);
    json_string(w, text);
    json_object_end(w);
    email_view_free(&v);
    return status;
}
