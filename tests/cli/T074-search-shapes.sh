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
