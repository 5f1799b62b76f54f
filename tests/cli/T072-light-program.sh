# The two programs: the light mailtrove answers search and count itself
# (linked against SQLite and zstd only) and hands everything else to
# mailtrove-full; an archive from before body texts were kept (schema 5)
# is searched through mailtrove-full until a writing command upgrades it.
. "$(dirname "$0")/lib.sh"

bindir=$(dirname "$MAILTROVE")
mt s.db ingest "$DATA/mail" "$DATA/maildir" >/dev/null 2>&1
want=$(mt s.db search --json budget)

# Alone, without mailtrove-full beside it or installed, the light program
# still searches: so it really did not hand the query over.
mkdir -p "$work/alone"
cp "$MAILTROVE" "$work/alone/mailtrove"
alone() { local archive=$1; shift; "$work/alone/mailtrove" --archive "$work/$archive" "$@"; }
eq "search runs in the light program" "$(alone s.db search --json budget)" "$want"
eq "count runs in the light program" "$(alone s.db count budget)" "$(mt s.db count budget)"
out=$(alone s.db stats 2>&1); code=$?
eq "other commands need mailtrove-full: exit 1" "$code" 1
case $out in
    *"cannot run mailtrove-full"*) pass "and the message says which program is missing" ;;
    *) fail "message names mailtrove-full: got '$out'" ;;
esac
if command -v ldd >/dev/null; then
    libs=$(ldd "$MAILTROVE" | grep -c -E 'gmime|glib|xml2|archive|microhttpd|crypto' || true)
    eq "the light program links none of the heavy libraries" "$libs" 0
fi
eq "a bad query is still a usage error in the light program" \
   "$(alone s.db count '(' >/dev/null 2>&1; echo $?)" 2

# Snippets come from the stored body text.
eq "every email has its body text" "$(sqlite3 "$work/s.db" 'SELECT count(*) FROM email WHERE id NOT IN (SELECT email_id FROM body)')" 0

# An archive as schema 5 made it: no body table.
cp "$work/s.db" "$work/old.db"
sqlite3 "$work/old.db" "DROP TABLE body; DROP TABLE upgrade_pending; DROP TABLE corroboration_input; PRAGMA user_version = 5;"
eq "an older archive: search gives the same answer (through mailtrove-full)" \
   "$(mt old.db search --json budget)" "$want"
eq "it is marked for upgrade, not yet filled" \
   "$(sqlite3 "$work/old.db" "SELECT count(*) FROM upgrade_pending WHERE task = 'body text'")" 1
out=$(alone old.db search budget 2>&1)
case $out in
    *"cannot run mailtrove-full"*) pass "the light program does not answer for it alone" ;;
    *) fail "light program with a pending upgrade: got '$out'" ;;
esac
mt old.db verify >/dev/null 2>&1
eq "a writing command fills the body texts" \
   "$(sqlite3 "$work/old.db" 'SELECT count(*) FROM email WHERE id NOT IN (SELECT email_id FROM body)')" 0
eq "and ends the upgrade" "$(sqlite3 "$work/old.db" 'SELECT count(*) FROM upgrade_pending')" 0
eq "then the light program answers alone" \
   "$(alone old.db search --json budget)" "$want"
mt s.db reindex >/dev/null
eq "reindex keeps the body texts" "$(mt s.db search --json budget)" "$want"
