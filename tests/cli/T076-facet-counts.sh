# A search that is one facet (verified:yes|no, dkim:VERDICT,
# has:attachment) is counted from facet_count, and a date range from
# email_day (store_facets.c, schema 15 and 16), which every writer brings
# up to date when it closes.  After every step that can
# change a verdict or an attachment count (ingest, keys import + verify,
# more ingest, reindex, an upgrade from schema 14), each count must equal
# what the email rows themselves say, read here with Python's sqlite3.
. "$(dirname "$0")/lib.sh"

compare() { # STEP ARCHIVE
    $PY - "$work/$2" "$1" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
rows = dict(db.execute("SELECT facet, emails FROM facet_count WHERE emails <> 0"))
truth = {"verdict:" + v: n for v, n in db.execute("SELECT verdict, count(*) FROM email GROUP BY 1")}
n = db.execute("SELECT count(*) FROM email WHERE attachment_count > 0").fetchone()[0]
if n:
    truth["has:attachment"] = n
print(("ok - " if rows == truth else "not ok - ") + "%s: facet_count is the email rows' %s"
      % (sys.argv[2], truth if rows == truth else "%s, not %s" % (truth, rows)))
days = db.execute("SELECT day, emails, min_id, max_id FROM email_day ORDER BY day").fetchall()
want = {}
for i, d in db.execute("SELECT id, date FROM email WHERE date IS NOT NULL"):
    n, lo, hi = want.get(d // 86400, (0, i, i))
    want[d // 86400] = (n + 1, min(lo, i), max(hi, i))
want = sorted((k,) + v for k, v in want.items())
print(("ok - " if days == want else "not ok - ") + "%s: email_day is the email rows' (%d days)"
      % (sys.argv[2], len(want)))
EOF
    local db="$work/$2"
    for y in $(sqlite3 "$db" "SELECT DISTINCT strftime('%Y', date, 'unixepoch') FROM email WHERE date IS NOT NULL"); do
        eq "$1: count date:$y from the days" "$(mt "$2" count "date:$y")" \
           "$(sqlite3 "$db" "SELECT count(*) FROM email WHERE date >= strftime('%s', '$y-01-01') AND date < strftime('%s', '$((y + 1))-01-01')")"
    done
    for q in verified:yes verified:no dkim:weak dkim:failed dkim:nokey dkim:unsigned has:attachment; do
        local want
        case $q in
            verified:yes) want="verdict = 'verified'" ;;
            verified:no) want="verdict <> 'verified'" ;;
            dkim:*) want="verdict = '${q#dkim:}'" ;;
            has:attachment) want="attachment_count > 0" ;;
        esac
        eq "$1: count $q" "$(mt "$2" count "$q")" "$(sqlite3 "$db" "SELECT count(*) FROM email WHERE $want")"
        eq "$1: search $q gives the same total" \
           "$(mt "$2" search --json --limit 3 "$q" | jq_py 'd["total"]')" \
           "$(sqlite3 "$db" "SELECT count(*) FROM email WHERE $want")"
    done
}

mt f.db ingest "$DATA/mail" "$DATA/mbox" >/dev/null
compare "first ingest, no keys" f.db
if $PY -c 'import dkim' 2>/dev/null; then
    $PY "$DATA/make-dkim-cases.py" "$work"
    mt f.db ingest "$work/adv" >/dev/null
    compare "signed mail added, no keys yet" f.db
    mt f.db keys import "$work/adv.zone" >/dev/null
    mt f.db verify >/dev/null
    compare "keys imported, verified" f.db
    eq "... some verified and some failed (the counts moved)" \
       "$(sqlite3 "$work/f.db" "SELECT count(DISTINCT verdict) >= 4 FROM email")" 1
else
    skip "python3-dkim not installed: no signed cases, verdicts stay nokey/unsigned"
fi
# and dates on both sides of 1970 (days before it are negative: rounded down)
printf 'From x Thu Jan  1 00:00:00 1970\nFrom: a@example.org\nSubject: old\nDate: Wed, 31 Dec 1969 23:59:59 +0000\n\nold\n\nFrom x Thu Jan  1 00:00:00 1970\nFrom: a@example.org\nSubject: epoch\nDate: Thu, 1 Jan 1970 00:00:00 +0000\n\nepoch\n\nFrom x Thu Jan  1 00:00:00 1970\nFrom: a@example.org\nSubject: older\nDate: Mon, 1 Dec 1969 12:00:00 +0000\n\nolder\n' > "$work/epoch.mbox"
mt f.db ingest "$DATA/maildir" "$DATA/mail" "$work/epoch.mbox" >/dev/null
compare "more mail and duplicates" f.db
eq "... 1969 from the days" "$(mt f.db count date:1969)" 2
eq "... 31 December 1969 alone" "$(mt f.db count date:1969-12-31)" 1
eq "... words and 1969" "$(mt f.db count 'older date:1969')" 1
mt f.db reindex >/dev/null
compare "after reindex" f.db

# An archive of schema 14 (no facet_count, no email_day) is counted afresh
# when a writing command upgrades it.
cp "$work/f.db" "$work/old.db"
sqlite3 "$work/old.db" "DROP TRIGGER facet_count_insert; DROP TRIGGER facet_count_delete;
    DROP TRIGGER facet_count_verdict; DROP TRIGGER facet_count_attachment;
    DROP TABLE facet_count; DROP TABLE email_day; PRAGMA user_version = 14"
mt old.db keys import /dev/null >/dev/null 2>&1
eq "an upgraded archive is at the current schema (17)" "$(sqlite3 "$work/old.db" 'PRAGMA user_version')" 17
compare "upgraded from schema 14" old.db

# A writer killed before it closed leaves the counts marked stale: readers
# count the email rows instead (here a verdict changed behind its back),
# a reader never recounts, and the next writer's close does.
sqlite3 "$work/f.db" "INSERT INTO facet_count VALUES('stale', 0);
    UPDATE email SET verdict = 'verified' WHERE id IN (SELECT id FROM email WHERE verdict <> 'verified' LIMIT 3)"
eq "stale counts: verified:yes counted from the emails" "$(mt f.db count verified:yes)" \
   "$(sqlite3 "$work/f.db" "SELECT count(*) FROM email WHERE verdict = 'verified'")"
eq "... and verified:no" "$(mt f.db count verified:no)" \
   "$(sqlite3 "$work/f.db" "SELECT count(*) FROM email WHERE verdict <> 'verified'")"
eq "... a reader leaves them stale" "$(sqlite3 "$work/f.db" "SELECT count(*) FROM facet_count WHERE facet = 'stale'")" 1
mt f.db keys import /dev/null >/dev/null 2>&1
compare "the next writer recounted" f.db
eq "... and they are no longer stale" "$(sqlite3 "$work/f.db" "SELECT count(*) FROM facet_count WHERE facet = 'stale'")" 0

# A copy published while the counts were stale is counted afresh: it is
# never written again.
sqlite3 "$work/f.db" "INSERT INTO facet_count VALUES('stale', 0)"
mt f.db publish -o "$work/pub.db" >/dev/null
eq "a published copy of stale counts is not stale" \
   "$(sqlite3 "$work/pub.db" "SELECT count(*) FROM facet_count WHERE facet = 'stale'")" 0
compare "the published copy" pub.db
