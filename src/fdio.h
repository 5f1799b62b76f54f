/*
 * fdio.h - whole reads and writes on a file descriptor, through EINTR and
 * short counts: the helper processes' pipes (outlook_store.h, extract.h)
 * and the temporary copy of a store.  Reentrant.
 */
#ifndef MT_FDIO_H
#define MT_FDIO_H

#include <stdbool.h>
#include <stddef.h>

/* Write all N bytes at P to FD; false on an error (errno says which). */
bool fd_write_all(int fd, const void *p, size_t n);

/* Read exactly N bytes from FD into P; false at end of stream or on an error. */
bool fd_read_exact(int fd, void *p, size_t n);

#endif
