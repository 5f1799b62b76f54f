#!/usr/bin/python3
"""One line per table of a mailtrove archive: its name, row count and a
SHA-256 of its rows in order, leaving out the columns that record when
something happened (ingested_at, imported_at, rejected_at, verified_at),
which differ between any two runs.  FTS5's shadow tables are left out
(their segments depend on merge timing); what the full-text tables hold is
digested instead through fts5vocab: every term with the column, the number
of emails it is in and its count, which is the same however the segments
are laid out.  The raw and body tables' data columns are left out too:
their zstd frames depend on the compression level (session 22 moved raw
bytes from level 3 to 1, session 23 body texts from 3 to 1), and so does
a body's codec (a short text that zstd does not shrink is kept as it is);
bench/same-tables compares the messages' bytes and the body texts
themselves, as each build decodes them (`export`).  bench/same-tables compares two archives
with it.

  table-digest.py ARCHIVE
"""
import hashlib, sqlite3, sys

TIMES = ('ingested_at', 'imported_at', 'rejected_at', 'verified_at')
db = sqlite3.connect('file:%s?mode=ro' % sys.argv[1], uri=True)
tables = [r[0] for r in db.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    " AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT GLOB '*_data' AND name NOT GLOB '*_idx'"
    " AND name NOT GLOB '*_docsize' AND name NOT GLOB '*_config' AND name NOT GLOB '*_content'"
    " ORDER BY name")]
for t in tables:
    cols = [r[1] for r in db.execute('PRAGMA table_info("%s")' % t)]
    stored_form = {'raw': ('data',), 'body': ('data', 'codec')}.get(t, ())
    keep = [c for c in cols if c not in TIMES and c not in stored_form]
    rows = db.execute('SELECT %s FROM "%s" ORDER BY %s' % (
        ', '.join('"%s"' % c for c in keep), t, ', '.join('"%s"' % c for c in keep)))
    h = hashlib.sha256()
    n = 0
    for row in rows:
        h.update(repr(row).encode())
        n += 1
    print('%-22s %8d %s' % (t, n, h.hexdigest()[:24]))

fts = [r[0] for r in db.execute(
    "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%USING fts5(%'"
    " ORDER BY name")]
for t in fts:
    db.execute('CREATE VIRTUAL TABLE temp."v_%s" USING fts5vocab(main, "%s", col)' % (t, t))
    h = hashlib.sha256()
    n = 0
    for row in db.execute('SELECT term, col, doc, cnt FROM temp."v_%s" ORDER BY term, col' % t):
        h.update(repr(row).encode())
        n += 1
    print('%-22s %8d %s' % (t + ' terms', n, h.hexdigest()[:24]))
