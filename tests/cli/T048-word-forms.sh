# Word forms (issue 23, item 4): --language fr|en, stem:, against
# Snowball's own French vocabulary and its expected stems
# (../shared/corpora/french/snowball-french-{voc,output}.txt): a word
# form finds the email that holds another form of the same stem, and
# only those; plain words stay exact.
. "$(dirname "$0")/lib.sh"

mkdir -p "$work/mail"
printf 'From: a@example.fr\nSubject: Les candidats\nMessage-ID: <s1@example.fr>\n\nLes électeurs ont choisi leur candidat.\n' > "$work/mail/1.eml"
printf 'From: b@example.org\nSubject: Running late\nMessage-ID: <s2@example.org>\n\nThe committees were running the elections.\n' > "$work/mail/2.eml"
mt plain.db ingest "$work/mail" >/dev/null 2>&1
eq "without a language, stem: says how to get one (exit 1)" \
   "$(mt plain.db count stem:candidats 2>&1; echo $?)" \
   "mailtrove: this archive has no index of word forms: run 'mailtrove reindex --language fr' (or en) once to make one
1"
eq "an unknown language is a usage error" "$(mt plain.db reindex --language de >/dev/null 2>&1; echo $?)" 2
eq "reindex --language fr makes the index" "$(mt plain.db reindex --language fr)" \
   "reindexed 2 emails, with their word forms in French"
eq "stem:candidats finds candidat" "$(mt plain.db count stem:candidats)" 1
eq "stem:électeurs finds électeurs (and so would électeur)" "$(mt plain.db count stem:électeur)" 1
eq "accents need not be typed" "$(mt plain.db count stem:electeurs)" 1
eq "plain words stay exact" "$(mt plain.db count candidat)" 1
eq "... and exact means exact" "$(mt plain.db count choisir)" 0
eq "stem: takes the French forms" "$(mt plain.db count stem:choisir)" 1
eq "ingest --language en on a new archive" \
   "$(mt en.db ingest --json --language en "$work/mail" | jq_py 'd["stored"]')" 2
eq "English: stem:run finds running" "$(mt en.db count stem:run)" 1
eq "English: stem:committee finds committees" "$(mt en.db count stem:committee)" 1
eq "a phrase of word forms" "$(mt en.db count 'stem:"run the election"')" 1
eq "search --json takes stem: too" "$(mt en.db search --json stem:elect | jq_py 'd["total"]')" 1

# The web's "similar word forms" box (contract: stem: "and the web's
# similar word forms box"): shown when the archive has a language, and a
# search with it finds the other forms, the page saying what was searched.
port=$((20000 + RANDOM % 20000))
"$MAILTROVE" --archive "$work/plain.db" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
check "the home page's advanced form has the word-forms box (French)" sh -c \
    "curl -s 'http://127.0.0.1:$port/' | grep -q 'name=\"forms\" type=\"checkbox\".*French'"
check "without the box, choisir stays exact (the text says choisi): nothing" sh -c \
    "curl -s 'http://127.0.0.1:$port/search?q=candidat+choisir' | grep -q '<h1>0 emails'"
check "with it, the forms are found" sh -c \
    "curl -s 'http://127.0.0.1:$port/search?q=candidats+choisir&forms=yes' | grep -q '<h1>1 email '"
check "and the page says what was searched" sh -c \
    "curl -s 'http://127.0.0.1:$port/search?q=candidats+choisir&forms=yes' | grep -q 'stem:choisir'"
kill $server; wait $server 2>/dev/null
"$MAILTROVE" --archive "$work/en.db" reindex --language none >/dev/null 2>&1
"$MAILTROVE" --archive "$work/en.db" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
check "an archive without a language has no box" sh -c \
    "! curl -s 'http://127.0.0.1:$port/' | grep -q 'name=\"forms\"'"
kill $server; wait $server 2>/dev/null
eq "--language none drops the index" "$(mt en.db reindex --language none)" "reindexed 2 emails"

F="$CORPORA/french"
if [ ! -f "$F/snowball-french-voc.txt" ]; then
    skip "no ../shared/corpora/french: Snowball pairs not run"
    exit 0
fi
# Stems that two or more vocabulary words share: one email holds the
# first word, and every other word of the stem must find it.
$PY - "$F/snowball-french-voc.txt" "$F/snowball-french-output.txt" "$work/snow" <<'PY'
import collections, os, sys
voc = open(sys.argv[1], encoding="utf-8").read().split()
out = open(sys.argv[2], encoding="utf-8").read().split()
assert len(voc) == len(out)
by_stem = collections.defaultdict(list)
for w, s in zip(voc, out):
    if w.isalpha() and len(w) >= 4:
        by_stem[s].append(w)
groups = [(s, ws) for s, ws in sorted(by_stem.items()) if len(set(ws)) >= 3][::40][:60]
os.makedirs(sys.argv[3])
with open(os.path.join(sys.argv[3], "cases"), "w", encoding="utf-8") as cases:
    for i, (s, ws) in enumerate(groups):
        ws = sorted(set(ws))
        with open(os.path.join(sys.argv[3], "%03d.eml" % i), "w", encoding="utf-8") as f:
            f.write("From: v@example.fr\nMessage-ID: <snow-%d@example.fr>\n"
                    "Content-Type: text/plain; charset=utf-8\n\nmot %s\n" % (i, ws[0]))
        for w in ws[1:]:
            cases.write("%d %s %s\n" % (i, w, ws[0]))
PY
mt snow.db ingest --language fr "$work/snow" >/dev/null 2>&1
total=0; found=0; wrong=""
while read -r i form first; do
    total=$((total + 1))
    got=$(mt snow.db search --json --limit 5 "stem:$form" | jq_py '[r["message_id"] for r in d["results"]]')
    if [ "$got" = "['snow-$i@example.fr']" ]; then
        found=$((found + 1))
    else
        wrong="$wrong $form($first):$got"
    fi
done < "$work/snow/cases"
check "the Snowball pairs give cases ($total)" [ "$total" -gt 60 ]
eq "each form finds the one email with another form of its stem, as Snowball stems them" \
   "$found of $total${wrong:+ (wrong:$wrong)}" "$total of $total"
