/*
 * buf.h - a growable, binary-safe byte buffer (in the spirit of redis sds
 * and curl dynbuf).  The buffer owns its bytes; data is always followed by
 * a NUL that is not counted in len, so text can be used as a C string.
 * Appends never truncate: they return MT_ENOMEM and leave the buffer as it
 * was.  Not thread-safe; a buf belongs to one thread at a time.
 */
#ifndef MT_BUF_H
#define MT_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "status.h"

struct buf {
    char *data;      /* owned; NULL until the first append */
    size_t len;      /* bytes used, not counting the trailing NUL */
    size_t capacity; /* bytes allocated */
};

#define BUF_INIT { NULL, 0, 0 }

/* Make room for EXTRA more bytes (plus the NUL). */
mt_status buf_reserve(struct buf *b, size_t extra);
mt_status buf_append(struct buf *b, const void *data, size_t len);
mt_status buf_append_str(struct buf *b, const char *s);
mt_status buf_append_char(struct buf *b, char c);
mt_status buf_printf(struct buf *b, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
mt_status buf_vprintf(struct buf *b, const char *format, va_list args)
    __attribute__((format(printf, 2, 0)));
/* Forget the contents, keep the memory. */
void buf_clear(struct buf *b);
/* Release the memory; the buf can be reused afterwards. NULL is a no-op. */
void buf_free(struct buf *b);
/*
 * Hand the bytes to the caller, who frees them with free(); the buf is
 * left empty.  Returns "" (allocated) for an empty buffer, NULL on ENOMEM.
 */
char *buf_steal(struct buf *b);
/* A NUL-terminated view of the contents ("" when empty); owned by B. */
const char *buf_cstr(const struct buf *b);

#endif
