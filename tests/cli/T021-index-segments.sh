# An ingest writes the full-text index in few large segments, not one per
# message.  Bug found in session 17: with foreign keys on, an INSERT OR
# REPLACE (the body text, the attachments, the addresses, the signature
# rows) or a multi-row DELETE needs a statement journal; SQLite then opens
# a savepoint on every virtual table of the transaction, and FTS5 answers
# a savepoint by writing its pending terms out as a new segment.  Every
# message became a segment of its own: slower ingest, and a small
# addition to an archive left dozens of segments for every search to read.
. "$TESTS_DIR/cli/lib.sh"

# 400 plain messages (made here; no licence question), each with words of
# its own so the index has something per message.
$PY - "$work" <<'EOF'
import sys, email.message, email.utils
work = sys.argv[1]
for name, lo, hi in (("base.mbox", 0, 390), ("more.mbox", 390, 400)):
    with open("%s/%s" % (work, name), "w") as f:
        for i in range(lo, hi):
            m = email.message.EmailMessage()
            m["From"] = "Writer %d <writer%d@example.org>" % (i % 17, i % 17)
            m["To"] = "desk@example.org"
            m["Subject"] = "Report number %d" % i
            m["Date"] = email.utils.formatdate(1600000000 + i * 3600)
            m["Message-ID"] = "<msg%d@example.org>" % i
            m.set_content("Paragraph about item%d and item%d.\n" % (i, i * 7) * 20
                          + "Marker word zebra%d ends it.\n" % i)
            f.write("From writer@example.org Sat Jan  1 00:00:00 2000\n")
            f.write(m.as_string().replace("\nFrom ", "\n>From ") + "\n")
EOF

# segments FTS_TABLE: the number of segments in the table's structure record
# (FTS5's record 10: a 4-byte cookie, then varints: levels, segments).
segments() {
    $PY - "$work/a.db" "$1" <<'EOF'
import sqlite3, sys
def varint(b, i):
    v = 0
    for k in range(9):
        c = b[i]; i += 1
        if k == 8:
            return (v << 8) | c, i
        v = (v << 7) | (c & 0x7f)
        if not c & 0x80:
            return v, i
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
b = db.execute("SELECT block FROM %s_data WHERE id = 10" % sys.argv[2]).fetchone()[0]
levels, i = varint(b, 4)
print(varint(b, i)[0])
EOF
}

mt a.db ingest "$work/base.mbox" > /dev/null 2>&1
eq "the first ingest stores 390" "$(mt a.db count)" 390
eq "a fresh archive's index is merged into one segment" "$(segments email_text)" 1
# Merging frees the pages of the segments merged; a new archive is made
# with auto_vacuum=INCREMENTAL and gives them back to the file system
# (session 18: linux-mips 874 -> 746 MB).
eq "a new archive returns freed pages (auto_vacuum incremental)" \
   "$(sqlite3 "$work/a.db" 'PRAGMA auto_vacuum')" 2
# 16 KiB pages: the stored messages filled 4 KiB ones badly (session 19:
# linux-mips 630 -> 602 MB, docs/ingest.md "Archive size")
eq "a new archive has 16 KiB pages" "$(sqlite3 "$work/a.db" 'PRAGMA page_size')" 16384
eq "... and after the merge none is left free" "$(sqlite3 "$work/a.db" 'PRAGMA freelist_count')" 0
# 10 is under a twentieth of 390: no merge after this ingest, so what it
# wrote is what stays.  One segment per message would leave 11.
mt a.db ingest "$work/more.mbox" > /dev/null 2>&1
eq "the addition stores 10 more" "$(mt a.db count)" 400
n=$(segments email_text)
check "adding 10 emails adds one segment, not one per email ($n in all)" [ "$n" -le 2 ]
eq "a word of an added email is found" "$(mt a.db count zebra395)" 1
eq "a word of an earlier email is found" "$(mt a.db count zebra12)" 1
eq "a word both batches have is found in all" "$(mt a.db count paragraph)" 400
# The verify writer's upsert and guarded DELETE keep replacing results in
# place: a reverify leaves the same verdicts and no stray signature rows.
mt a.db verify > /dev/null 2>&1
eq "a reverify keeps every email" "$(mt a.db count)" 400
n=$(segments email_text)
check "a reverify adds no segment per email ($n in all)" [ "$n" -le 2 ]
