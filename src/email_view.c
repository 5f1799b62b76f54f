/* email_view.c - one email read once into plain values (email_view.h). */
#include "email_view.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "store_int.h"

/* A copy of column I, NULL for SQL NULL.  *OK becomes false when the copy
 * could not be made. */
static char *column_copy(sqlite3_stmt *s, int i, bool *ok)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    if (!t)
        return NULL;
    char *copy = strdup((const char *)t);
    if (!copy)
        *ok = false;
    return copy;
}

/* Grow *ITEMS (of SIZE bytes each) to hold one more than *COUNT; the new
 * element, zeroed, or NULL on ENOMEM.  The room doubles (8, 16, 32...:
 * it is full exactly when *COUNT is one of those), so an email of 10,000
 * recipients is not 10,000 copies of a growing array. */
static void *append_item(void **items, size_t *count, size_t size)
{
    size_t n = *count;
    if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
        void *grown = realloc(*items, (n ? 2 * n : 8) * size);
        if (!grown)
            return NULL;
        *items = grown;
    }
    void *grown = *items;
    void *item = (char *)grown + *count * size;
    memset(item, 0, size);
    (*count)++;
    return item;
}

enum { ROW_MESSAGE_ID, ROW_DATE, ROW_DATE_RAW, ROW_FROM_NAME, ROW_FROM_ADDR,
       ROW_SUBJECT, ROW_VERDICT, ROW_THREAD, ROW_THREAD_PARENT, ROW_RAW_SIZE,
       ROW_IN_REPLY_TO, ROW_REFS, ROW_SHA256, ROW_TRUNCATED, ROW_DERIVED, ROW_FAILURE };

static mt_status load_row(struct store *st, int64_t id, struct email_view *v,
                          struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "SELECT e.message_id, e.date, e.date_raw,"
                                       " e.from_name, e.from_addr, e.subject, e.verdict,"
                                       " e.thread_id, e.thread_parent, e.raw_size,"
                                       " e.in_reply_to, e.refs, e.sha256, e.truncated_from,"
                                       " e.derived_from, " QUERY_FAILURE_KIND_SQL
                                       " FROM email e WHERE e.id = ?", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return mt_error_set(err, MT_ENOTFOUND, "no email with id %lld", (long long)id);
    }
    if (rc != SQLITE_ROW) {
        status = store_db_error(st, err, "reading an email");
        sqlite3_reset(s);
        return status;
    }
    bool ok = true;
    v->message_id = column_copy(s, ROW_MESSAGE_ID, &ok);
    v->has_date = sqlite3_column_type(s, ROW_DATE) != SQLITE_NULL;
    v->date = sqlite3_column_int64(s, ROW_DATE);
    v->date_raw = column_copy(s, ROW_DATE_RAW, &ok);
    v->from_name = column_copy(s, ROW_FROM_NAME, &ok);
    v->from_addr = column_copy(s, ROW_FROM_ADDR, &ok);
    v->subject = column_copy(s, ROW_SUBJECT, &ok);
    v->verdict = column_copy(s, ROW_VERDICT, &ok);
    v->has_thread = sqlite3_column_type(s, ROW_THREAD) != SQLITE_NULL;
    v->thread = sqlite3_column_int64(s, ROW_THREAD);
    v->thread_parent = sqlite3_column_int64(s, ROW_THREAD_PARENT);
    v->raw_size = sqlite3_column_int64(s, ROW_RAW_SIZE);
    v->in_reply_to = column_copy(s, ROW_IN_REPLY_TO, &ok);
    v->refs = column_copy(s, ROW_REFS, &ok);
    if (sqlite3_column_bytes(s, ROW_SHA256) == 32)
        memcpy(v->sha256, sqlite3_column_blob(s, ROW_SHA256), 32);
    v->truncated_from = sqlite3_column_int64(s, ROW_TRUNCATED);
    v->derived_from = column_copy(s, ROW_DERIVED, &ok);
    v->failure_kind = column_copy(s, ROW_FAILURE, &ok);
    sqlite3_reset(s);
    return ok ? MT_OK : mt_error_set(err, MT_ENOMEM, "out of memory reading an email");
}

static mt_status load_addresses(struct store *st, struct email_view *v, struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "SELECT role, name, " ADDRESS_SQL " FROM address"
                                       " WHERE email_id = ? ORDER BY role, position", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, v->id);
    bool ok = true;
    int rc;
    while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct email_view_address *a = append_item((void **)&v->addresses, &v->address_count,
                                                   sizeof *a);
        if (!a) {
            ok = false;
            break;
        }
        a->role = (enum mime_role)sqlite3_column_int(s, 0);
        a->name = column_copy(s, 1, &ok);
        a->address = column_copy(s, 2, &ok);
    }
    status = !ok ? mt_error_set(err, MT_ENOMEM, "out of memory reading addresses")
           : rc != SQLITE_DONE ? store_db_error(st, err, "reading addresses") : MT_OK;
    sqlite3_reset(s);
    return status;
}

static mt_status load_attachments(struct store *st, struct email_view *v, struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "SELECT n, filename, content_type, size, sha256,"
                                       " text_bytes, extraction, extraction_reason"
                                       " FROM attachment WHERE email_id = ? ORDER BY n", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, v->id);
    bool ok = true;
    int rc;
    while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct email_view_attachment *a = append_item((void **)&v->attachments,
                                                      &v->attachment_count, sizeof *a);
        if (!a) {
            ok = false;
            break;
        }
        a->n = sqlite3_column_int(s, 0);
        a->filename = column_copy(s, 1, &ok);
        a->content_type = column_copy(s, 2, &ok);
        a->size = sqlite3_column_int64(s, 3);
        a->has_sha256 = sqlite3_column_bytes(s, 4) == 32;
        if (a->has_sha256)
            memcpy(a->sha256, sqlite3_column_blob(s, 4), 32);
        a->has_text_bytes = sqlite3_column_type(s, 5) != SQLITE_NULL;
        a->text_bytes = sqlite3_column_int64(s, 5);
        a->extraction = column_copy(s, 6, &ok);
        a->extraction_reason = column_copy(s, 7, &ok);
    }
    status = !ok ? mt_error_set(err, MT_ENOMEM, "out of memory reading attachments")
           : rc != SQLITE_DONE ? store_db_error(st, err, "reading attachments") : MT_OK;
    sqlite3_reset(s);
    return status;
}

static mt_status load_sources(struct store *st, struct email_view *v, struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "SELECT path, offset, member, separator,"
                                       " unquoted_lines FROM source WHERE email_id = ?"
                                       " ORDER BY id", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, v->id);
    bool ok = true;
    int rc;
    while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct email_view_source *o = append_item((void **)&v->sources, &v->source_count,
                                                  sizeof *o);
        if (!o) {
            ok = false;
            break;
        }
        o->path = column_copy(s, 0, &ok);
        o->has_offset = sqlite3_column_type(s, 1) != SQLITE_NULL;
        o->offset = sqlite3_column_int64(s, 1);
        o->member = column_copy(s, 2, &ok);
        o->separator = column_copy(s, 3, &ok);
        o->unquoted_lines = sqlite3_column_int64(s, 4);
    }
    status = !ok ? mt_error_set(err, MT_ENOMEM, "out of memory reading sources")
           : rc != SQLITE_DONE ? store_db_error(st, err, "reading sources") : MT_OK;
    sqlite3_reset(s);
    return status;
}

static mt_status load_spans(struct store *st, struct email_view *v, struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "SELECT text, by_email, direction FROM corroboration"
                                       " WHERE email_id = ? ORDER BY position", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, v->id);
    bool ok = true;
    int rc;
    while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct email_view_span *p = append_item((void **)&v->spans, &v->span_count, sizeof *p);
        if (!p) {
            ok = false;
            break;
        }
        p->text = column_copy(s, 0, &ok);
        p->by = sqlite3_column_int64(s, 1);
        p->direction = column_copy(s, 2, &ok);
    }
    status = !ok ? mt_error_set(err, MT_ENOMEM, "out of memory reading corroboration")
           : rc != SQLITE_DONE ? store_db_error(st, err, "reading corroboration") : MT_OK;
    sqlite3_reset(s);
    return status;
}

/* The emails before and after V in its conversation, by date then id. */
static mt_status load_neighbours(struct store *st, struct email_view *v, struct mt_error *err)
{
    static const char *const neighbours[2] = {
        "SELECT id FROM email WHERE thread_id = ?1 AND (coalesce(date, 0), id) <"
        " (coalesce(?2, 0), ?3) ORDER BY coalesce(date, 0) DESC, id DESC LIMIT 1",
        "SELECT id FROM email WHERE thread_id = ?1 AND (coalesce(date, 0), id) >"
        " (coalesce(?2, 0), ?3) ORDER BY coalesce(date, 0), id LIMIT 1",
    };
    if (!v->has_thread || !v->thread)
        return MT_OK;
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *s;
        mt_status status = store_statement(st, neighbours[k], &s, err);
        if (status != MT_OK)
            return status;
        sqlite3_bind_int64(s, 1, v->thread);
        if (v->has_date)
            sqlite3_bind_int64(s, 2, v->date);
        else
            sqlite3_bind_null(s, 2);
        sqlite3_bind_int64(s, 3, v->id);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            *(k ? &v->thread_next : &v->thread_prev) = sqlite3_column_int64(s, 0);
        else if (rc != SQLITE_DONE)
            status = store_db_error(st, err, "finding the conversation's neighbours");
        sqlite3_reset(s);
        if (status != MT_OK)
            return status;
    }
    return MT_OK;
}

static mt_status load_body(struct store *st, const struct mime_options *parse,
                           struct email_view *v, struct mt_error *err)
{
    mt_status status = store_get_raw(st, v->id, &v->raw, err);
    if (status != MT_OK)
        return status;
    const unsigned char *raw = (const unsigned char *)buf_cstr(&v->raw);
    status = parse ? mime_parse_with(raw, v->raw.len, parse, &v->parsed)
                   : mime_parse(raw, v->raw.len, &v->parsed);
    if (status != MT_OK)
        mt_error_set(err, status, "parsing email %lld", (long long)v->id);
    return status;
}

mt_status email_view_load(struct store *st, int64_t id, unsigned parts,
                          const struct mime_options *parse, struct email_view *v,
                          struct mt_error *err)
{
    memset(v, 0, sizeof *v);
    v->id = id;
    mt_status status = load_row(st, id, v, err);
    if (status == MT_OK)
        status = load_addresses(st, v, err);
    if (status == MT_OK)
        status = load_attachments(st, v, err);
    if (status == MT_OK && (!(parts & EMAIL_VIEW_PAGE) || v->derived_from))
        status = load_sources(st, v, err);
    if (status == MT_OK)
        status = load_spans(st, v, err);
    if (status == MT_OK && (parts & EMAIL_VIEW_NEIGHBOURS))
        status = load_neighbours(st, v, err);
    if (status == MT_OK && (parts & EMAIL_VIEW_BODY))
        status = load_body(st, parse, v, err);
    return status;
}

void email_view_free(struct email_view *v)
{
    if (!v)
        return;
    free(v->message_id);
    free(v->date_raw);
    free(v->from_name);
    free(v->from_addr);
    free(v->subject);
    free(v->verdict);
    free(v->failure_kind);
    free(v->in_reply_to);
    free(v->refs);
    free(v->derived_from);
    for (size_t i = 0; i < v->address_count; i++) {
        free(v->addresses[i].name);
        free(v->addresses[i].address);
    }
    free(v->addresses);
    for (size_t i = 0; i < v->attachment_count; i++) {
        struct email_view_attachment *a = &v->attachments[i];
        free(a->filename);
        free(a->content_type);
        free(a->extraction);
        free(a->extraction_reason);
    }
    free(v->attachments);
    for (size_t i = 0; i < v->source_count; i++) {
        free(v->sources[i].path);
        free(v->sources[i].member);
        free(v->sources[i].separator);
    }
    free(v->sources);
    for (size_t i = 0; i < v->span_count; i++) {
        free(v->spans[i].text);
        free(v->spans[i].direction);
    }
    free(v->spans);
    buf_free(&v->raw);
    mime_message_free(v->parsed);
    memset(v, 0, sizeof *v);
}

mt_status email_view_thread_of(struct store *st, int64_t id, int64_t *thread,
                               struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "SELECT coalesce(thread_id, id) FROM email"
                                       " WHERE id = ?", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *thread = sqlite3_column_int64(s, 0);
    else if (rc == SQLITE_DONE)
        status = mt_error_set(err, MT_ENOTFOUND, "no email with id %lld", (long long)id);
    else
        status = store_db_error(st, err, "finding a conversation");
    sqlite3_reset(s);
    return status;
}

mt_status email_view_conversation(struct store *st, int64_t thread,
                                  struct conversation_row **rows, size_t *count,
                                  struct mt_error *err)
{
    *rows = NULL;
    *count = 0;
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "SELECT e.id, e.thread_parent, e.date, e.from_name,"
                                       " e.from_addr, e.subject, e.verdict, "
                                       QUERY_FAILURE_KIND_SQL " FROM email e"
                                       " WHERE e.thread_id = ?1 OR (e.thread_id IS NULL"
                                       " AND e.id = ?1) ORDER BY e.date IS NULL, e.date, e.id",
                                       &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, thread);
    bool ok = true;
    int rc;
    while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct conversation_row *r = append_item((void **)rows, count, sizeof *r);
        if (!r) {
            ok = false;
            break;
        }
        r->id = sqlite3_column_int64(s, 0);
        r->has_parent = sqlite3_column_type(s, 1) != SQLITE_NULL;
        r->parent = sqlite3_column_int64(s, 1);
        r->has_date = sqlite3_column_type(s, 2) != SQLITE_NULL;
        r->date = sqlite3_column_int64(s, 2);
        r->from_name = column_copy(s, 3, &ok);
        r->from_addr = column_copy(s, 4, &ok);
        r->subject = column_copy(s, 5, &ok);
        r->verdict = column_copy(s, 6, &ok);
        r->failure_kind = column_copy(s, 7, &ok);
    }
    status = !ok ? mt_error_set(err, MT_ENOMEM, "out of memory reading a conversation")
           : rc != SQLITE_DONE ? store_db_error(st, err, "reading a conversation") : MT_OK;
    sqlite3_reset(s);
    if (status != MT_OK) {
        conversation_rows_free(*rows, *count);
        *rows = NULL;
        *count = 0;
    }
    return status;
}

void conversation_rows_free(struct conversation_row *rows, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(rows[i].from_name);
        free(rows[i].from_addr);
        free(rows[i].subject);
        free(rows[i].verdict);
        free(rows[i].failure_kind);
    }
    free(rows);
}
