# search and count: query language end to end, result sets checked against
# an independent oracle (tests/search-oracle.py: Python's email package
# and unicodedata), JSON shape, sorting, paging, errors.
. "$(dirname "$0")/lib.sh"
ORACLE="$TESTS_DIR/search-oracle.py"

# the oracle reads the fixture files: attached messages stay inside (docs/attachments.md)
mt s.db ingest --attached-inside "$DATA/mail" "$DATA/maildir" >/dev/null 2>&1
ids() { # ARCHIVE QUERY...: the Message-IDs search finds, sorted
    local archive=$1; shift
    mt "$archive" search --json --limit 1000 "$@" | jq_py '"\n".join(sorted({r["message_id"] or "" for r in d["results"]}))'
}
files=("$DATA"/mail/*.eml "$DATA"/maildir/cur/* "$DATA"/maildir/new/*)
for q in elysee ELYSÉE budget réunion photo from:example.org from:jean.dupont@en-marche.fr \
         from:en-marche.fr date:2017-03 date:2017-04 has:attachment; do
    eq "search '$q' finds what the oracle finds" "$(ids s.db "$q")" \
       "$($PY "$ORACLE" "$q" "${files[@]}")"
done

# operators
eq "a phrase" "$(ids s.db '"réunion à"')" "reunion-2017@en-marche.fr"
eq "a phrase in another order finds nothing" "$(mt s.db count '"à réunion"')" 0
eq "OR" "$(ids s.db 'budget OR elysee')" "$(printf 'docs@example.net\nreunion-2017@en-marche.fr')"
eq "-word" "$(mt s.db count 'date:2017-03 -budget')" 3
eq "NOT word" "$(mt s.db count 'date:2017-03 NOT budget')" 3
eq "parentheses" "$(ids s.db '(budget OR elysee) -photo')" "reunion-2017@en-marche.fr"
eq "subject: looks only at subjects" "$(ids s.db 'subject:lunch')" "simple-1@example.org"
eq "body: looks only at bodies" "$(mt s.db count 'body:lunch')" 0
eq "attachment: by extension" "$(ids s.db 'attachment:pdf')" "docs@example.net"
eq "attachment: by filename word" "$(ids s.db 'attachment:budget')" "docs@example.net"
eq "to: covers To and Cc" "$(mt s.db count 'to:example.net')" "$(mt s.db count 'to:@example.net')"
eq "date range" "$(mt s.db count 'date:2017-03-14..2017-03-15')" 2
eq "after: is inclusive of its day" "$(mt s.db count 'after:2017-04-24')" 1
eq "before: excludes its day" "$(mt s.db count 'before:2017-03-15')" 1
eq "id:" "$(ids s.db 'id:<docs@example.net>')" "docs@example.net"
eq "verified:no (nothing is signed here)" "$(mt s.db count 'verified:no')" "$(mt s.db count '')"
eq "dkim:unsigned" "$(mt s.db count 'dkim:unsigned')" "$(mt s.db count '')"
eq "corroborated:yes finds nothing before corroboration ran" "$(mt s.db count 'corroborated:yes')" 0
eq "the empty query is every email" "$(mt s.db count)" "$(mt s.db stats --json | jq_py 'd["emails"]')"

# JSON shape, sorting, paging
j=$(mt s.db search --json --limit 2 'date:2017')
eq "JSON keys" "$(echo "$j" | jq_py 'sorted(d.keys()), sorted(d["results"][0].keys())')" \
   "(['results', 'total'], ['date', 'from', 'id', 'message_id', 'snippet', 'subject', 'verdict'])"
eq "total counts all matches, not the page" "$(echo "$j" | jq_py 'd["total"], len(d["results"])')" "(6, 2)"
eq "default order without words is newest first" \
   "$(mt s.db search --json 'date:2017' | jq_py '[r["date"] for r in d["results"]] == sorted([r["date"] for r in d["results"]], reverse=True)')" True
eq "--sort date is oldest first" \
   "$(mt s.db search --json --sort date 'date:2017' | jq_py '[r["date"] for r in d["results"]] == sorted([r["date"] for r in d["results"]])')" True
all=$(mt s.db search --json --sort date 'date:2017' | jq_py '[r["id"] for r in d["results"]]')
paged=$(for o in 0 2 4; do mt s.db search --json --sort date --limit 2 --offset $o 'date:2017' | jq_py '[r["id"] for r in d["results"]]'; done | tr -d '[]\n' | sed 's/\([0-9]\)\([0-9]\)/\1, \2/g')
eq "paging walks the same order" "[$paged]" "$all"
eq "snippet highlights the accent-folded match" \
   "$(mt s.db search --json elysee | jq_py 'd["results"][0]["snippet"]')" \
   "Bonjour à tous, La réunion à l'**Élysée** est déplacée à jeudi. Merci de confirmer. Jean"
eq "relevance: a subject hit ranks above a body-only hit" \
   "$(mt s.db search --json 'documents OR budget' | jq_py 'd["results"][0]["message_id"]')" "docs@example.net"
# Regression: the page's end (offset + limit) overflowed in relevance order.
for sort in relevance date; do
    eq "an offset near the largest number: no results, the total still exact ($sort)" \
       "$(mt s.db search --json --sort $sort --offset 9223372036854775800 --limit 1000 budget)" \
       "{\"total\":$(mt s.db count budget),\"results\":[]}"
done

# export QUERY: the matching emails only
eq "export QUERY (jsonl) gives the matching emails" \
   "$(mt s.db export --format jsonl 'date:2017-03' | $PY -c 'import json,sys; print(sorted(json.loads(l)["id"] for l in sys.stdin))')" \
   "$(mt s.db search --json 'date:2017-03' | jq_py 'sorted(r["id"] for r in d["results"])')"
eq "export QUERY (mbox) re-ingests to those emails" \
   "$(mt s.db export 'budget OR elysee' > "$work/q.mbox"; mt q.db ingest --json --attached-inside "$work/q.mbox")" \
   '{"read":2,"stored":2,"duplicates":0,"rejected":0}'
eq "export QUERY matching nothing exports nothing" "$(mt s.db export xyzzyqq | wc -c)" 0
eq "export with a bad query is a usage error" "$(mt s.db export '(a' >/dev/null 2>&1; echo $?)" 2

# reindex rebuilds the same index
before=$(for q in elysee budget from:example.org has:attachment attachment:pdf; do ids s.db "$q"; done)
eq "reindex says how many" "$(mt s.db reindex)" "reindexed 6 emails"
eq "reindex gives the same answers" \
   "$(for q in elysee budget from:example.org has:attachment attachment:pdf; do ids s.db "$q"; done)" "$before"

# errors
out=$(mt s.db search 'budget (' 2>&1); code=$?
eq "a bad query exits 2" "$code" 2
eq "a bad query says where" "$out" "mailtrove: bad query, at character 8: this ( is never closed"
eq "count shares the parser" "$(mt s.db count 'date:2017-13' 2>&1; echo $?)" \
   "mailtrove: bad query, at character 1: date: expects YYYY, YYYY-MM, YYYY-MM-DD or a range A..B of those
2"
eq "--limit must be a number" "$(mt s.db search --limit x a >/dev/null 2>&1; echo $?)" 2
eq "a missing archive fails clearly" "$(mt none.db search a 2>&1; echo $?)" \
   "mailtrove: $work/none.db: no archive here (create one with 'mailtrove ingest')
1"
for q in '"' '(' ')' 'OR' 'a AND' '-' '--' 'from:' 'date:..' '((((((((((a' "'" '\' '*' 'NEAR(a b)' '{subject}:x' '^a' 'a:b:c'; do
    mt s.db search --json -- "$q" > "$work/out.json" 2>/dev/null; code=$?
    if [ $code -eq 0 ]; then
        check "query '$q' gives valid JSON" $PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/out.json"
    else
        eq "query '$q' is a clean usage error" "$code" 2
    fi
done

if ! have_corpora; then
    skip "../shared/corpora not present: search on the notmuch corpus not run"
    exit 0
fi
N="$CORPORA/maildir/notmuch"
mt nm.db ingest "$N" >/dev/null 2>&1
mapfile -t nfiles < <(find "$N" -type f ! -name README)
for q in from:cworth.org date:2009-11 from:keithp@keithp.com has:attachment; do
    eq "notmuch corpus: '$q' finds what the oracle finds" "$(ids nm.db "$q")" \
       "$($PY "$ORACLE" "$q" "${nfiles[@]}")"
done

# A word only in the HTML half of a multipart/alternative is found; the
# plain half stays the body (issue 25).
printf 'From: a@example.org\nSubject: halves\nMessage-ID: <halves@example.org>\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nThe plain half.\n--b\nContent-Type: text/html\n\n<p>The plain half, and the <b>xylophone</b> appendix.</p>\n--b--\n' > "$work/halves.eml"
mt halves.db ingest "$work/halves.eml" >/dev/null 2>&1
eq "a word only in the HTML alternative is found" "$(mt halves.db count xylophone)" 1
eq "body: finds it too" "$(mt halves.db count body:xylophone)" 1
eq "the body shown is still the plain half" "$(mt halves.db show --json 1 | jq_py 'repr(d["body"])')" "'The plain half.'"
