# Reading commands open the archive read-only in effect: they never create,
# migrate or add files, refuse a database that is not an archive without
# touching it, and work for a user who can only read it (issue 21, finding
# 8).  A later successful read resolves an earlier rejection of the same
# place (finding 9).
. "$(dirname "$0")/lib.sh"

mt a.db ingest "$DATA/mail" "$DATA/mbox" >/dev/null 2>&1
mt a.db corroborate >/dev/null 2>&1
sum=$(sha256sum < "$work/a.db")
for cmd in "count budget" "search budget" "show 1" "show --json 1" "stats" "stats --json" \
           "thread 1" "rejected" "export --format jsonl" "keys list" "keys missing"; do
    mt a.db $cmd >/dev/null 2>&1 || fail "$cmd failed"
    eq "$cmd leaves no -wal or -shm beside the archive" "$(ls "$work" | grep -c 'a.db-')" 0
done
eq "and the archive's bytes are unchanged" "$(sha256sum < "$work/a.db")" "$sum"

# a user's own SQLite file is refused, untouched, by readers and writers
sqlite3 "$work/mine.db" "CREATE TABLE notes(t); INSERT INTO notes VALUES('private')"
mine=$(sha256sum < "$work/mine.db")
for cmd in "stats" "count x" "show 1" "ingest $DATA/mail" "keys import /dev/null"; do
    out=$(mt mine.db $cmd 2>&1 >/dev/null); code=$?
    eq "$cmd on a database mailtrove did not make: exit 1, says so" "$code ${out#mailtrove: }" \
       "1 $work/mine.db: not a mailtrove archive (an SQLite database mailtrove did not make); nothing was changed"
done
eq "and it is unchanged, with no table of ours" \
   "$(sha256sum < "$work/mine.db"; sqlite3 "$work/mine.db" .tables)" "$mine
notes"
: > "$work/empty.db"
eq "an empty file is not an archive to a reading command" \
   "$(mt empty.db stats 2>&1 >/dev/null | grep -c 'not a mailtrove archive'; stat -c %s "$work/empty.db")" "1
0"

# what an ingest killed before its first commit leaves (T110): a database
# with no tables; a reading command says so and what to do
sqlite3 "$work/born.db" "PRAGMA page_size=16384; PRAGMA journal_mode=WAL" >/dev/null
eq "a database with no tables yet: the reading command says to run the ingest again" \
   "$(mt born.db stats 2>&1 >/dev/null)" \
   "mailtrove: $work/born.db: not a mailtrove archive yet (empty: if an ingest made it, it stopped before storing anything; run it again)"
mt born.db ingest "$DATA/mail/simple.eml" >/dev/null 2>&1
eq "and the ingest run again makes it an archive" "$(mt born.db count 2>&1)" 1

# As a user who can read the archive and not write its directory.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
    mkdir -m 755 "$work/ro"
    cp "$work/a.db" "$work/ro/a.db"
    chmod 644 "$work/ro/a.db"
    chmod 755 "$work"
    ro() { as_nobody "$MAILTROVE" --archive "$work/ro/a.db" "$@"; }
    eq "count works for a user who can only read" "$(ro count budget 2>&1)" "$(mt a.db count budget)"
    eq "show works for a user who can only read" "$(ro show --json 1 2>&1)" "$(mt a.db show --json 1)"
    eq "stats works for a user who can only read" "$(ro stats --json 2>&1)" "$(mt a.db stats --json)"
    port=$((20000 + RANDOM % 20000))
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
        "$MAILTROVE" --archive "$work/ro/a.db" serve --listen "127.0.0.1:$port" >/dev/null 2>"$work/serve.err" &
    server=$!
    trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    eq "serve works for a user who can only read" \
       "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/stats")" 200
    kill $server; wait $server 2>/dev/null
    eq "nothing was made in the read-only directory" "$(ls "$work/ro")" "a.db"

    # finding 9: a file rejected for "permission denied", readable on the
    # next ingest, is stored and no longer counted as rejected
    mkdir -m 777 "$work/dump" "$work/rw"
    cp "$DATA/mail/simple.eml" "$work/dump/locked.eml"
    chmod 000 "$work/dump/locked.eml"
    first=$(as_nobody "$MAILTROVE" --archive "$work/rw/r.db" ingest --json "$work/dump" 2>/dev/null)
    eq "an unreadable file is rejected" "$first" '{"read":1,"stored":0,"duplicates":0,"rejected":1}'
    eq "with its reason" "$(as_nobody "$MAILTROVE" --archive "$work/rw/r.db" rejected --json | jq_py '[r["reason"] for r in d]')" \
       "['could not be opened: Permission denied']"
    chmod 644 "$work/dump/locked.eml"
    second=$(as_nobody "$MAILTROVE" --archive "$work/rw/r.db" ingest --json "$work/dump" 2>/dev/null)
    eq "readable on the next ingest, it is stored" "$second" '{"read":1,"stored":1,"duplicates":0,"rejected":0}'
    eq "and the earlier rejection no longer holds: rejected lists nothing" \
       "$(as_nobody "$MAILTROVE" --archive "$work/rw/r.db" rejected --json)" "[]"
    eq "stats counts no rejection" \
       "$(as_nobody "$MAILTROVE" --archive "$work/rw/r.db" stats --json | jq_py 'd["rejected"]')" 0
else
    skip "not root or no setpriv: read-only user and permission-denied cases not run"
fi

