# The three programs: the light mailtrove answers search and count itself
# (linked against SQLite and zstd only), hands verify to mailtrove-verify
# (SQLite, zstd, OpenSSL) and everything else to mailtrove-full; an
# archive from before body texts were kept (schema 5) is upgraded by a
# writing command (reading commands never change a file), then searched
# and verified through mailtrove-full until its body texts are filled.
. "$(dirname "$0")/lib.sh"

bindir=$(dirname "$MAILTROVE")
mt s.db ingest "$DATA/mail" "$DATA/maildir" >/dev/null 2>&1
want=$(mt s.db search --json budget)

# Alone, without mailtrove-full beside it or installed, the light program
# still searches: so it really did not hand the query over.
mkdir -p "$work/alone"
cp "$MAILTROVE" "$work/alone/mailtrove"
alone() { local archive=$1; shift; "$work/alone/mailtrove" --archive "$work/$archive" "$@"; }
# run_alone ARCHIVE ARGS...: its output in $out, its exit status in $code;
# names_full LABEL: passes when that output says mailtrove-full is missing.
run_alone() { out=$(alone "$@" 2>&1); code=$?; }
names_full() {
    case $out in
        *"cannot run mailtrove-full"*) pass "$1" ;;
        *) fail "$1: got '$out'" ;;
    esac
}
eq "search runs in the light program" "$(alone s.db search --json budget)" "$want"
eq "count runs in the light program" "$(alone s.db count budget)" "$(mt s.db count budget)"
run_alone s.db stats
eq "other commands need mailtrove-full: exit 1" "$code" 1
names_full "and the message says which program is missing"
if command -v ldd >/dev/null; then
    libs=$(ldd "$MAILTROVE" | grep -c -E 'gmime|glib|xml2|archive|microhttpd|crypto' || true)
    eq "the light program links none of the heavy libraries" "$libs" 0
fi
eq "a bad query is still a usage error in the light program" \
   "$(alone s.db count '(' >/dev/null 2>&1; echo $?)" 2

# verify runs in mailtrove-verify: beside the light program, without
# mailtrove-full, it verifies alone, the same counts and stored results.
cp "$bindir/mailtrove-verify" "$work/alone/mailtrove-verify"
if ! $PY -c 'import dkim' 2>/dev/null; then
    skip "python3-dkim not installed: no signed messages to verify alone"
else
    $PY "$DATA/make-dkim-cases.py" "$work"
    mt sig.db ingest --keys "$work/adv.zone" "$work/adv" >/dev/null 2>&1
    results() { sqlite3 "$work/$1" "SELECT email_id, position, result, reason, weaknesses, key_id FROM signature ORDER BY 1, 2; SELECT id, verdict FROM email ORDER BY id"; }
    want_results=$(results sig.db)
    want_counts=$(mt sig.db verify --json)
    cp "$work/sig.db" "$work/alone.db"
    sqlite3 "$work/alone.db" "DELETE FROM signature; UPDATE email SET verdict = 'unsigned', signature_count = NULL"
    eq "verify runs in mailtrove-verify, alone" "$(alone alone.db verify --json)" "$want_counts"
    eq "and stores the same results as mailtrove-full did" "$(results alone.db)" "$want_results"
    check "some of them verified, some failed" sh -c "echo '$want_counts' | grep -q '\"verified\":[1-9].*\"failed\":[1-9]'"
    # Without mailtrove-verify, the light program hands verify to mailtrove-full.
    mkdir -p "$work/no-verify"
    cp "$MAILTROVE" "$bindir/mailtrove-full" "$work/no-verify/"
    eq "without mailtrove-verify, mailtrove-full verifies" \
       "$("$work/no-verify/mailtrove" --archive "$work/sig.db" verify --json)" "$want_counts"
fi
run_alone s.db verify --dns-server=127.0.0.1:9
eq "verify --dns is left to mailtrove-full: exit 1 without it" "$code" 1
names_full "and the message names mailtrove-full"
if command -v ldd >/dev/null; then
    libs=$(ldd "$bindir/mailtrove-verify" | grep -c -E 'gmime|glib|xml2|archive|microhttpd' || true)
    eq "mailtrove-verify links none of the MIME, web or archive libraries" "$libs" 0
fi

# Snippets come from the stored body text.
eq "every email has its body text" "$(sqlite3 "$work/s.db" 'SELECT count(*) FROM email WHERE id NOT IN (SELECT email_id FROM body)')" 0

# An archive as schema 5 made it: no body table.  Reading commands never
# change it (issue 21, finding 8): they say how to upgrade it.
cp "$work/s.db" "$work/old.db"
sqlite3 "$work/old.db" "DROP TABLE body; DROP TABLE upgrade_pending; DROP TABLE corroboration_input; DROP TABLE email_length; PRAGMA user_version = 5;"
old_sum=$(sha256sum < "$work/old.db")
old_err=$(mt old.db search --json budget 2>&1 >/dev/null; echo "exit $?")
case $old_err in
    *"made by an older mailtrove (schema 5, now "*"run 'mailtrove --archive "*" verify' (or any writing command) once to upgrade it"*"exit 1")
        pass "an older archive: a reading command says how to upgrade it" ;;
    *) fail "an older archive: a reading command says how to upgrade it: got '$old_err'" ;;
esac
eq "and leaves the file as it was, with no -wal or -shm beside it" \
   "$(sha256sum < "$work/old.db"; ls "$work" | grep -c 'old.db-')" "$old_sum
0"
run_alone old.db verify
names_full "mailtrove-verify upgrades the schema, then hands the body texts over"
eq "it is marked for upgrade, not yet filled" \
   "$(sqlite3 "$work/old.db" "SELECT count(*) FROM upgrade_pending WHERE task = 'body text'")" 1
run_alone old.db search budget
names_full "the light program does not answer for it alone"
eq "through mailtrove-full, search gives the same answer meanwhile" \
   "$(mt old.db search --json budget)" "$want"
eq "its body texts still not filled" \
   "$(sqlite3 "$work/old.db" "SELECT count(*) FROM upgrade_pending WHERE task = 'body text'; SELECT count(*) FROM body")" "1
0"
mt old.db verify >/dev/null 2>&1
eq "a writing command fills the body texts" \
   "$(sqlite3 "$work/old.db" 'SELECT count(*) FROM email WHERE id NOT IN (SELECT email_id FROM body)')" 0
eq "and ends the upgrade" "$(sqlite3 "$work/old.db" 'SELECT count(*) FROM upgrade_pending')" 0
eq "then the light program answers alone" \
   "$(alone old.db search --json budget)" "$want"
eq "and it has the lengths ranking reads, one per email" \
   "$(sqlite3 "$work/old.db" 'SELECT sum(length(lengths)) / 2 FROM email_length')" \
   "$(sqlite3 "$work/old.db" 'SELECT max(id) FROM email')"

# An archive whose lengths for ranking are not laid out yet (as schema 7
# made it, once a writer has migrated it without filling them).  The
# light program ranks it alone, reading FTS5's own counts, the same way.
cp "$work/s.db" "$work/v7.db"
sqlite3 "$work/v7.db" "DELETE FROM email_length; INSERT INTO upgrade_pending VALUES('lengths')"
for q in budget meeting 'photo OR budget'; do
    eq "lengths not yet filled: search $q" \
       "$(alone v7.db search --json "$q")" "$(mt s.db search --json "$q")"
done
eq "it is marked for upgrade" \
   "$(sqlite3 "$work/v7.db" "SELECT task FROM upgrade_pending")" "lengths"
mt v7.db keys import /dev/null >/dev/null 2>&1
eq "a writing command fills the lengths" \
   "$(sqlite3 "$work/v7.db" "SELECT count(*) FROM upgrade_pending; SELECT hex(group_concat(lengths, '')) FROM email_length")" \
   "$(sqlite3 "$work/s.db" "SELECT 0; SELECT hex(group_concat(lengths, '')) FROM email_length")"

# An archive as schema 8 made it: the indexes verify and corroboration
# read instead of email rows are made on upgrade, and answers stay.
cp "$work/s.db" "$work/v8.db"
sqlite3 "$work/v8.db" "DROP INDEX email_signature_count; DROP INDEX email_thread;
    CREATE INDEX email_thread ON email(thread_id); DROP INDEX email_verdict;
    CREATE INDEX email_verdict ON email(verdict); PRAGMA user_version = 8;"
before=$(mt s.db verify --json)
eq "schema 8: verify counts the same after the upgrade" "$(mt v8.db verify --json)" "$before"
eq "schema 8: upgraded to the current schema with the new indexes" \
   "$(sqlite3 "$work/v8.db" "PRAGMA user_version; SELECT group_concat(sql, ' | ') FROM (SELECT sql FROM sqlite_master WHERE name IN ('email_signature_count', 'email_thread', 'email_verdict') ORDER BY name)")" \
   "17
CREATE INDEX email_signature_count ON email(signature_count) | CREATE INDEX email_thread ON email(thread_id, verdict) | CREATE INDEX email_verdict ON email(verdict, thread_id)"

mt s.db reindex >/dev/null
eq "reindex writes the same lengths" \
   "$(sqlite3 "$work/s.db" "SELECT hex(group_concat(lengths, '')) FROM email_length")" \
   "$(sqlite3 "$work/v7.db" "SELECT hex(group_concat(lengths, '')) FROM email_length")"
eq "reindex keeps the body texts" "$(mt s.db search --json budget)" "$want"
