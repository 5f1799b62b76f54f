/*
 * json.h - writing JSON into a struct buf.  Strings are always emitted as
 * valid UTF-8: bytes that are not UTF-8 are decoded as windows-1252, so a
 * hostile header can never make the document invalid.  The writer keeps
 * track of commas; callers only say what comes next.  Errors (ENOMEM) are
 * sticky in json_writer.status and checked once at the end.
 */
#ifndef MT_JSON_H
#define MT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct json_writer {
    struct buf *out;      /* borrowed */
    int depth;
    bool need_comma[64];  /* per nesting level */
    bool after_key;
    mt_status status;
};

void json_init(struct json_writer *w, struct buf *out);
void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);
/* S may be NULL: writes null. */
void json_string(struct json_writer *w, const char *s);
void json_string_len(struct json_writer *w, const char *s, size_t len);
void json_int(struct json_writer *w, int64_t value);
void json_bool(struct json_writer *w, bool value);
void json_null(struct json_writer *w);

/* Append S escaped as a JSON string (with quotes) to OUT. */
mt_status json_append_escaped(struct buf *out, const char *s, size_t len);

#endif
