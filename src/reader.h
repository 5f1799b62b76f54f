/*
 * reader.h - a buffered byte stream over a read callback, with peeking.
 * Used to sniff what a file is and to split mboxes without holding the
 * whole file: memory is the buffer, never the input.  A reader belongs to
 * one thread.  The callback's context is borrowed.
 */
#ifndef MT_READER_H
#define MT_READER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "status.h"

/* Reads up to CAPACITY bytes into DEST; returns bytes read, 0 at the end,
 * -1 on error after filling ERR. */
typedef ssize_t (*reader_read_fn)(void *context, unsigned char *dest,
                                  size_t capacity, struct mt_error *err);

struct reader {
    reader_read_fn read;
    void *context;
    unsigned char *data; /* owned */
    size_t capacity;
    size_t start;        /* first unconsumed byte in data */
    size_t end;          /* one past the last buffered byte */
    int at_eof;
    int failed;
    uint64_t offset;     /* stream offset of data[start] */
    struct mt_error error; /* set when failed */
};

/* Buffer size used when 0 is passed: 1 MiB. */
#define READER_DEFAULT_CAPACITY (1u << 20)

mt_status reader_init(struct reader *r, reader_read_fn read, void *context,
                      size_t capacity);
/* Releases the buffer, not the context. NULL is a no-op. */
void reader_free(struct reader *r);

/*
 * Make at least WANT bytes available from the current position, unless the
 * stream ends first or WANT exceeds the capacity.  Returns the number of
 * bytes available (may be less than WANT) or -1 on a read error.
 */
ssize_t reader_fill(struct reader *r, size_t want);
/* The buffered, unconsumed bytes. */
static inline const unsigned char *reader_peek(const struct reader *r)
{
    return r->data + r->start;
}
static inline size_t reader_available(const struct reader *r)
{
    return r->end - r->start;
}
/* Mark N buffered bytes consumed (N <= reader_available). */
void reader_consume(struct reader *r, size_t n);

/* Callback for a plain file descriptor; CONTEXT points to an int fd. */
ssize_t reader_read_fd(void *context, unsigned char *dest, size_t capacity,
                       struct mt_error *err);

#endif
