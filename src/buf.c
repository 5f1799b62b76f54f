/* buf.c - growable byte buffer. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mt_status buf_reserve(struct buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->capacity)
        return MT_OK;
    if (extra > (size_t)-1 / 2 - b->len)
        return MT_ENOMEM;
    size_t want = b->capacity ? b->capacity : 64;
    while (want < b->len + extra + 1)
        want *= 2;
    /* An empty buf has nothing to keep: realloc would copy its old bytes. */
    char *grown = b->len == 0 ? malloc(want) : realloc(b->data, want);
    if (!grown)
        return MT_ENOMEM;
    if (b->len == 0)
        free(b->data);
    b->data = grown;
    b->capacity = want;
    b->data[b->len] = '\0';  /* a reserved, still empty buf is "" too */
    return MT_OK;
}

mt_status buf_append(struct buf *b, const void *data, size_t len)
{
    if (buf_reserve(b, len) != MT_OK)
        return MT_ENOMEM;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return MT_OK;
}

mt_status buf_append_str(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

mt_status buf_append_char(struct buf *b, char c)
{
    return buf_append(b, &c, 1);
}

mt_status buf_vprintf(struct buf *b, const char *format, va_list args)
{
    va_list again;
    va_copy(again, args);
    int need = vsnprintf(NULL, 0, format, args);
    mt_status status = MT_OK;
    if (need < 0)
        status = MT_EINVAL;
    else if (buf_reserve(b, (size_t)need) != MT_OK)
        status = MT_ENOMEM;
    if (status == MT_OK) {
        vsnprintf(b->data + b->len, (size_t)need + 1, format, again);
        b->len += (size_t)need;
    }
    va_end(again);
    return status;
}

mt_status buf_printf(struct buf *b, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    mt_status status = buf_vprintf(b, format, args);
    va_end(args);
    return status;
}

void buf_clear(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->capacity = 0;
}

char *buf_steal(struct buf *b)
{
    char *out = b->data;
    if (!out) {
        out = malloc(1);
        if (out)
            out[0] = '\0';
    }
    b->data = NULL;
    b->len = b->capacity = 0;
    return out;
}

const char *buf_cstr(const struct buf *b)
{
    return b->data ? b->data : "";
}
