/*
 * index_int.h - internal to the index module (index.c, index_rebuild.c),
 * as dkim_int.h is to dkim: the writer's statements.  Other modules use
 * index.h.
 */
#ifndef MT_INDEX_INT_H
#define MT_INDEX_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "store_int.h"

struct index {
    struct store *store;
    sqlite3_stmt *update_email;
    sqlite3_stmt *insert_address;
    sqlite3_stmt *insert_attachment;
    sqlite3_stmt *insert_text;
    sqlite3_stmt *insert_stem;   /* NULL when the archive has no language */
    struct store_compressor *compressor;
    int64_t lengths_from; /* lowest id indexed since index_flush; 0: none */
    bool bulk;            /* between index_bulk_begin and index_bulk_end */
    struct index_side *side; /* borrowed: full-text rows go there (index_side.h) */
    struct buf address_lowered; /* put_addresses' scratch */
};

#endif
