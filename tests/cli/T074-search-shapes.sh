# Every query plan of src/search.c against answers computed independently:
# 6,500 generated emails (tests/data/make-search-shapes.py), dates shuffled
# against archive order; counts, both date orders at three offsets, and
# relevance pages (tests/search-shapes-check.py).
. "$(dirname "$0")/lib.sh"
$PY "$DATA/make-search-shapes.py" "$work/shapes.mbox" "$work/shapes.json"
mt shapes.db ingest "$work/shapes.mbox" >/dev/null
$PY "$TESTS_DIR/search-shapes-check.py" "$MAILTROVE" "$work/shapes.db" "$work/shapes.json"
