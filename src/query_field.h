/*
 * query_field.h - the query language's field names (from:, dkim:, ...)
 * and the message for a word written as a field that does not exist
 * (verdict:failed), and the rewrite behind the web's word-forms box.
 * Pure, thread-safe.
 */
#ifndef MT_QUERY_FIELD_H
#define MT_QUERY_FIELD_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "query.h"
#include "status.h"

/* The field named by NAME (LEN bytes, any case) into *FIELD; false when
 * there is none. */
bool query_field_lookup(const char *name, size_t len, enum query_field *field);

/* Whether TERM (TERM_LEN bytes, its NAME_LEN-byte name before the colon)
 * is written as a field would be: a lower-case word, a colon, a value;
 * not a time ("10:30"), a URL, "Re:" or "Fw:". */
bool query_field_looks_like(const char *term, size_t name_len, size_t term_len);

/* "unknown field NAME: -- did you mean F:?" (a word users reach for, or a
 * field a typo away), else the list of fields, into WHAT (SIZE bytes). */
void query_field_unknown_message(const char *name, size_t len, char *what, size_t size);

/*
 * The web's "similar word forms" box: QUERY with each plain word W (not
 * quoted, not a field, not OR/AND/NOT, not excluded with '-') written
 * `(W OR stem:W)`, appended to OUT, so the query the reader sees says
 * what was searched.  MT_OK or MT_ENOMEM.
 */
mt_status query_with_word_forms(const char *query, struct buf *out);

#endif
