/* json.c - a small streaming JSON writer. */
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

void json_init(struct json_writer *w, struct buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

static void json_put(struct json_writer *w, const char *s, size_t len)
{
    if (w->status == MT_OK)
        w->status = buf_append(w->out, s, len);
}

/* Emit the comma that separates this value from the previous one. */
static void json_before_value(struct json_writer *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->need_comma[w->depth])
        json_put(w, ",", 1);
    w->need_comma[w->depth] = true;
}

static void json_open(struct json_writer *w, char c)
{
    json_before_value(w);
    json_put(w, &c, 1);
    if (w->depth < 63)
        w->depth++;
    else
        w->status = MT_ELIMIT;
    w->need_comma[w->depth] = false;
}

static void json_close(struct json_writer *w, char c)
{
    if (w->depth > 0)
        w->depth--;
    json_put(w, &c, 1);
}

void json_object_begin(struct json_writer *w) { json_open(w, '{'); }
void json_object_end(struct json_writer *w) { json_close(w, '}'); }
void json_array_begin(struct json_writer *w) { json_open(w, '['); }
void json_array_end(struct json_writer *w) { json_close(w, ']'); }

void json_key(struct json_writer *w, const char *key)
{
    json_before_value(w);
    if (w->status == MT_OK)
        w->status = json_append_escaped(w->out, key, strlen(key));
    json_put(w, ":", 1);
    w->after_key = true;
}

mt_status json_append_escaped(struct buf *out, const char *s, size_t len)
{
    struct buf clean = BUF_INIT;
    mt_status st = MT_OK;
    if (!text_is_utf8(s, len) || memchr(s, 0, len)) {
        st = text_append_utf8_or_cp1252(&clean, s, len);
        if (st != MT_OK)
            goto out;
        s = clean.data ? clean.data : "";
        len = clean.len;
    }
    st = buf_reserve(out, len + 2);
    if (st != MT_OK)
        goto out;
    buf_append_char(out, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *escape = NULL;
        char tmp[8];
        if (c == '"') escape = "\\\"";
        else if (c == '\\') escape = "\\\\";
        else if (c == '\n') escape = "\\n";
        else if (c == '\r') escape = "\\r";
        else if (c == '\t') escape = "\\t";
        else if (c < 0x20 || c == 0x7F) {
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
            escape = tmp;
        } else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80
                   && ((unsigned char)s[i + 2] == 0xA8
                       || (unsigned char)s[i + 2] == 0xA9)) {
            /* U+2028/2029 are valid JSON but break JavaScript embedding. */
            snprintf(tmp, sizeof tmp, "\\u%04x",
                     (unsigned char)s[i + 2] == 0xA8 ? 0x2028 : 0x2029);
            escape = tmp;
        }
        if (!escape)
            continue;
        if (buf_append(out, s + run, i - run) != MT_OK
            || buf_append_str(out, escape) != MT_OK) {
            st = MT_ENOMEM;
            goto out;
        }
        if (c == 0xE2)
            i += 2;
        run = i + 1;
    }
    if (buf_append(out, s + run, len - run) != MT_OK
        || buf_append_char(out, '"') != MT_OK)
        st = MT_ENOMEM;
out:
    buf_free(&clean);
    return st;
}

void json_string_len(struct json_writer *w, const char *s, size_t len)
{
    json_before_value(w);
    if (w->status == MT_OK)
        w->status = json_append_escaped(w->out, s, len);
}

void json_string(struct json_writer *w, const char *s)
{
    if (!s) {
        json_null(w);
        return;
    }
    json_string_len(w, s, strlen(s));
}

void json_int(struct json_writer *w, int64_t value)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%" PRId64, value);
    json_before_value(w);
    json_put(w, tmp, (size_t)n);
}

void json_bool(struct json_writer *w, bool value)
{
    json_before_value(w);
    json_put(w, value ? "true" : "false", value ? 4 : 5);
}

void json_null(struct json_writer *w)
{
    json_before_value(w);
    json_put(w, "null", 4);
}
