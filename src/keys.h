/*
 * keys.h - DKIM key record files (CONTRACT.md "Key record files"): one
 * record a line, `NAME [TTL] [IN] TXT "part" "part" ...`, NAME being
 * selector._domainkey.domain (trailing dot allowed), parts joined.  Blank
 * lines and lines starting with ';' or '#' are ignored; a bad line is
 * reported with its number and skipped.  Pure parsing, no I/O beyond the
 * caller's text.  Reentrant.
 */
#ifndef MT_KEYS_H
#define MT_KEYS_H

#include <stddef.h>

#include "buf.h"
#include "status.h"

struct keys_record {
    char *name;    /* lower case, no trailing dot (owned) */
    char *record;  /* the joined TXT text (owned) */
    int line;      /* 1-based line number in the file */
};

struct keys_file {
    struct keys_record *records;
    size_t count;
    struct buf problems;   /* "FILE:LINE: what\n" for each bad line */
};

/*
 * Parse TEXT (LEN bytes) read from FILE_NAME (used in messages).  On MT_OK
 * *OUT is filled (keys_file_free); bad lines are listed in OUT->problems.
 * Only MT_ENOMEM is an error.
 */
mt_status keys_parse(const char *file_name, const char *text, size_t len,
                     struct keys_file *out);
void keys_file_free(struct keys_file *file);

#endif
