# Every query plan of src/search.c against answers computed independently:
# 12,000 generated emails (tests/data/make-search-shapes.py), dates shuffled
# against archive order; counts, both date orders at three offsets, and
# relevance pages (tests/search-shapes-check.py).
. "$(dirname "$0")/lib.sh"
$PY "$DATA/make-search-shapes.py" "$work/shapes.mbox" "$work/shapes.json"
mt shapes.db ingest "$work/shapes.mbox" >/dev/null
$PY "$TESTS_DIR/search-shapes-check.py" "$MAILTROVE" "$work/shapes.db" "$work/shapes.json"

# A date range whose ids lie mostly in one block with a few far away (as
# attached messages stored after everything read): the scan is bounded by
# the block and the few outliers are named (src/search.c,
# tighten_id_bounds); every match is still found.  Ids 1-50 are of 2005,
# 51-1,196 of 2011, then 4 of 2005 again; a second archive has two blocks
# of 100 of 2005, too many outside either to name: the plain range.
$PY - "$work/outliers.mbox" "$work/many.mbox" <<'PY'
import sys
def write(path, years):
    with open(path, "w") as f:
        for i, (year, tag) in enumerate(years):
            f.write("From x@example.org Thu Jan  1 00:00:00 1970\n"
                    "From: x@example.org\nSubject: %s %d\nMessage-ID: <%s-%d@example.org>\n"
                    "Date: Mon, 3 Jan %d 10:00:00 +0000\n\nbudget line %d\n\n" % (tag, i, tag, i, year, i))
write(sys.argv[1], [(2005, "block")] * 50 + [(2011, "middle")] * 1146 + [(2005, "outlier")] * 4)
write(sys.argv[2], [(2005, "block")] * 100 + [(2011, "middle")] * 1146 + [(2005, "outlier")] * 100)
PY
mt outliers.db ingest "$work/outliers.mbox" >/dev/null
mt many.db ingest "$work/many.mbox" >/dev/null
eq "a year whose ids have 4 far away: every match found" "$(mt outliers.db count 'budget date:2005')" 54
eq "... the far ones among them" "$(mt outliers.db count 'budget date:2005 subject:outlier')" 4
eq "... a page of 100 lists all 54, the far ones with them" \
   "$(mt outliers.db search --json --limit 100 'budget date:2005' | jq_py '(len(d["results"]), sorted(r["id"] for r in d["results"])[-5:])')" \
   "(54, [50, 1197, 1198, 1199, 1200])"
eq "... and nothing outside the year" "$(mt outliers.db count 'budget date:2011')" 1146
eq "100 far away, too many to name: every match found" "$(mt many.db count 'budget date:2005')" 200
eq "... the far ones among them" "$(mt many.db count 'budget date:2005 subject:outlier')" 100

# A year whose ids are one block but for a few emails inside it of other
# days (the day before in another time zone, one undated): with the words
# and the year as the only filter the full-text index answers alone, the
# block less those few (src/search_range.c, store_ids_dated_outside).
# Ids 1-100 are of 2010, 101-400 of 2011 but for ids 150, 151, 250 and 399
# (31 December 2010, late) and 300 (no Date); 401-420 of 2012.
$PY - "$work/holes.mbox" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(1, 421):
        year = 2010 if i <= 100 else 2011 if i <= 400 else 2012
        date = "Date: Mon, 3 Jan %d 10:00:00 +0000\n" % year
        if i in (150, 151, 250, 399):
            date = "Date: Fri, 31 Dec 2010 23:%02d:00 +0000\n" % (i % 60)
        if i == 300:
            date = ""
        word = "zanzibar" if i % 50 == 7 else "budget"
        f.write("From x@example.org Thu Jan  1 00:00:00 1970\nFrom: x@example.org\n"
                "Subject: note %d\nMessage-ID: <hole-%d@example.org>\n%s\n%s line %d\n\n"
                % (i, i, date, word, i))
PY
mt holes.db ingest "$work/holes.mbox" >/dev/null
eq "a year with five emails of other days inside its ids: every match, none of theirs" \
   "$(mt holes.db count 'budget date:2011')" 289
eq "... a page of them is of the year" \
   "$(mt holes.db search --json --limit 1000 'budget date:2011' | jq_py 'sorted(set(r["date"][:4] for r in d["results"]))')" \
   "['2011']"
eq "... and the words alone in them: the day before" "$(mt holes.db count 'budget date:2010-12-31')" 4
eq "... a rare word: the same" "$(mt holes.db count 'zanzibar date:2011')" 6
eq "... the year without words, from the days" "$(mt holes.db count 'date:2011')" 295
eq "... after: an open end" "$(mt holes.db count 'budget after:2011')" 308
# The same with the per-day counts stale (a writer at work): read from the
# date index and the email rows instead, the same answers.
sqlite3 "$work/holes.db" "INSERT INTO facet_count VALUES('stale', 0)"
eq "stale day counts: the year with five of other days inside" "$(mt holes.db count 'budget date:2011')" 289
eq "... the year without words" "$(mt holes.db count 'date:2011')" 295
eq "... the day before" "$(mt holes.db count 'budget date:2010-12-31')" 4
