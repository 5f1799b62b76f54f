/* reader.c - buffered stream with peek. */
#include "reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

mt_status reader_init(struct reader *r, reader_read_fn read, void *context,
                      size_t capacity)
{
    memset(r, 0, sizeof *r);
    r->read = read;
    r->context = context;
    r->capacity = capacity ? capacity : READER_DEFAULT_CAPACITY;
    r->data = malloc(r->capacity);
    return r->data ? MT_OK : MT_ENOMEM;
}

void reader_free(struct reader *r)
{
    if (!r)
        return;
    free(r->data);
    r->data = NULL;
}

ssize_t reader_fill(struct reader *r, size_t want)
{
    if (want > r->capacity)
        want = r->capacity;
    while (reader_available(r) < want && !r->at_eof) {
        if (r->failed)
            return -1;
        if (r->end == r->capacity) {
            size_t have = reader_available(r);
            memmove(r->data, r->data + r->start, have);
            r->start = 0;
            r->end = have;
        }
        ssize_t got = r->read(r->context, r->data + r->end,
                              r->capacity - r->end, &r->error);
        if (got < 0) {
            r->failed = 1;
            return -1;
        }
        if (got == 0)
            r->at_eof = 1;
        r->end += (size_t)got;
    }
    return (ssize_t)reader_available(r);
}

void reader_consume(struct reader *r, size_t n)
{
    r->start += n;
    r->offset += n;
    if (r->start == r->end)
        r->start = r->end = 0;
}

ssize_t reader_read_fd(void *context, unsigned char *dest, size_t capacity,
                       struct mt_error *err)
{
    int fd = *(int *)context;
    for (;;) {
        ssize_t got = read(fd, dest, capacity);
        if (got >= 0)
            return got;
        if (errno == EINTR)
            continue;
        mt_error_set(err, MT_EIO, "read failed: %s", strerror(errno));
        return -1;
    }
}
