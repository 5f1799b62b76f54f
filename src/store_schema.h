/*
 * store_schema.h - internal to the store module (store.c and
 * store_schema.c), as SQLite's btreeInt.h is to its B-tree: the schema
 * the archive has at each version and the migrations between them.  Other
 * modules use store.h.  No state; a connection belongs to one thread.
 */
#ifndef MT_STORE_SCHEMA_H
#define MT_STORE_SCHEMA_H

#include <sqlite3.h>

#include "status.h"

/* PRAGMA user_version of DB: 0 for a database mailtrove never set up, -1
 * when DB cannot be read as a database at all. */
int store_schema_version(sqlite3 *db);

/* The version this program writes (STORE_SCHEMA_VERSION). */
int store_schema_latest(void);

/*
 * Take DB from its version to the latest, in one IMMEDIATE transaction
 * (another process may have done it while we waited: then nothing is
 * done).  Migration 10 also rewrites absolute recorded paths as
 * recorded_path.h says.  MT_OK, or MT_EDB with ERR (the transaction
 * rolled back, the file as it was).
 */
mt_status store_schema_migrate(sqlite3 *db, struct mt_error *err);

#endif
