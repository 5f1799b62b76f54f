# Command-line conventions of notmuch, git and coreutils (issue 25):
# options anywhere before '--', an unknown option is an error, COMMAND
# --help prints that command's usage, a closed pipe ends quietly.
. "$(dirname "$0")/lib.sh"

mt a.db ingest "$DATA/mail" "$DATA/mbox" >/dev/null 2>&1
all=$(mt a.db search --json budget)

eq "search: options after the query are options" \
   "$(mt a.db search budget --json)" "$all"
eq "search: --limit after a phrase limits" \
   "$(mt a.db search '"the budget"' --limit 1 --json | jq_py 'len(d["results"])')" \
   "$(mt a.db search --limit 1 --json '"the budget"' | jq_py 'len(d["results"])')"
eq "search: --name=value works too" \
   "$(mt a.db search budget --limit=1 --json | jq_py 'len(d["results"])')" 1
eq "a one-dash word is still the query's negation" \
   "$(mt a.db count budget -photo)" "$(mt a.db count 'budget -photo')"
out=$(mt a.db count budget --json 2>&1); code=$?
eq "count: an unknown option is a usage error (exit 2), not a word" "$code" 2
case $out in *"count: unknown option '--json'"*"usage: mailtrove [--archive PATH] count QUERY..."*)
    pass "and the message names it and shows count's usage" ;;
    *) fail "and the message names it and shows count's usage: got '$out'" ;; esac
eq "after '--' it is a word to search" "$(mt a.db count -- --json 2>&1)" 0
eq "export --help prints export's usage, exports nothing" \
   "$(mt a.db export --help | head -1)" "usage: mailtrove [--archive PATH] export [--format mbox|jsonl|site|opensearch] [--search-url URL] [QUERY...|DIR]"
eq "export: --format after the query" \
   "$(mt a.db export budget --format jsonl | jq_py 'd["subject"]')" \
   "$(mt a.db export --format jsonl budget | jq_py 'd["subject"]')"
for cmd in ingest verify search count reindex thread serve corroborate show stats export rejected; do
    out=$(mt a.db $cmd --help 2>&1); code=$?
    case "$code $out" in "0 usage: mailtrove [--archive PATH] $cmd"*) pass "$cmd --help: its usage, exit 0" ;;
        *) fail "$cmd --help: got '$code $out'" ;; esac
done
eq "keys --help lists its four subcommands (import, list, missing, recover)" "$(mt a.db keys --help | grep -c '^usage: mailtrove \[--archive PATH\] keys ')" 4
eq "help show is show --help" "$(mt a.db help show)" "$(mt a.db show --help)"
eq "show: the id may follow the option or precede it" "$(mt a.db show 2 --json)" "$(mt a.db show --json 2)"
eq "show --json --raw is refused" "$(mt a.db show --json --raw 2 >/dev/null 2>&1; echo $?)" 2

# A closed pipe ends the command quietly (SIGPIPE), also when the parent
# ignores SIGPIPE, as Python does for its children.
# 4,000 distinct messages: far more output than a pipe holds, so the
# command is still writing when the reader goes.
$PY - "$work/big.mbox" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for n in range(4000):
        f.write("From a@example.org Mon Apr 24 18:03:11 2017\nFrom: a@example.org\n"
                "Subject: message %d\n\n%s\n\n" % (n, "line of text %d " % n * 20))
PY
mt big.db ingest "$work/big.mbox" >/dev/null 2>&1
got=$($PY - "$MAILTROVE" "$work/big.db" <<'PY'
import subprocess, sys
p = subprocess.Popen([sys.argv[1], "--archive", sys.argv[2], "export", "--format", "jsonl"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
p.stdout.readline()
p.stdout.close()
err = p.stderr.read().decode()
print(p.wait(), repr(err))
PY
)
eq "export | head: no message, ended by SIGPIPE" "$got" "-13 ''"

# Text show writes addresses as the mail does, as JSON does (issue 25).
printf 'From: Jean Dupont <Jean.Dupont@Example.FR>\nTo: Marie L\xc3\x89GER <Marie.Leger@Example.FR>\nSubject: casse\nMessage-ID: <case@example.fr>\n\nBonjour\n' > "$work/case.eml"
mt case.db ingest "$work/case.eml" >/dev/null 2>&1
eq "text show keeps the case of addresses" "$(mt case.db show 1 | sed -n '4,5p')" \
   "From:    Jean Dupont <Jean.Dupont@Example.FR>
To:      Marie LÉGER <Marie.Leger@Example.FR>"
eq "show --json too, in to" "$(mt case.db show --json 1 | jq_py 'd["to"]')" "['Marie LÉGER <Marie.Leger@Example.FR>']"
eq "search still folds the case" "$(mt case.db count from:jean.dupont@example.fr)" 1

# Ctrl-C during ingest: says what was committed and how to go on; the
# same command then finishes the work (issue 25).
$PY - "$work/long.mbox" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for n in range(30000):
        f.write("From a@example.org Mon Apr 24 18:03:11 2017\nFrom: a@example.org\n"
                "Subject: long run %d\nMessage-ID: <long-%d@example.org>\n\n%s\n\n"
                % (n, n, "word%d text " % n * 30))
PY
"$MAILTROVE" --archive "$work/long.db" ingest "$work/long.mbox" >/dev/null 2>"$work/int.err" &
pid=$!
for _ in $(seq 100); do [ -s "$work/long.db-wal" ] && break; sleep 0.05; done
sleep 0.5
kill -INT $pid
wait $pid; code=$?
committed=$(mt long.db stats --json | jq_py 'd["emails"]')
eq "interrupted ingest exits 130" "$code" 130
eq "and says so, with what it committed" "$(cat "$work/int.err")" \
   "mailtrove: interrupted: $committed emails committed ($committed read); run the same command again to continue"
check "it stopped part-way ($committed of 30000)" sh -c "[ '$committed' -gt 0 ] && [ '$committed' -lt 30000 ]"
eq "the same command again stores the rest" "$(mt long.db ingest --json "$work/long.mbox")" \
   "{\"read\":30000,\"stored\":$((30000 - committed)),\"duplicates\":$committed,\"rejected\":0}"
eq "one message in the summary is singular" "$(mt one.db ingest "$DATA/mail/simple.eml" "$DATA/mail/simple.eml")" \
   "read 2, stored 1 new, 1 duplicate, 0 rejected"

# from:/to:/cc: fold case and accents in names as words are folded.
printf 'From: =?utf-8?q?=C3=81lvaro_Fern=C3=A1ndez?= <alvaro@example.es>\nTo: Marie L\xc3\x89GER <Marie.Leger@Example.FR>\nCc: =?utf-8?b?zpHOu86tzr7Ot8+C?= <alex@example.gr>\nSubject: plis\nMessage-ID: <fold@example.es>\n\nhola\n' > "$work/fold.eml"
mt fold.db ingest "$work/fold.eml" >/dev/null 2>&1
for q in from:fernandez from:FERNÁNDEZ to:LÉGER to:leger cc:ΑΛΈΞΗΣ cc:αλεξης; do
    eq "$q finds the email (case and accents folded)" "$(mt fold.db count "$q")" 1
done
eq "and a name that is not there finds nothing" "$(mt fold.db count from:fernando)" 0

# Dates: the sender's own clock beside UTC, as mail clients show it.
printf 'From: a@example.org\nSubject: zone\nDate: Mon, 24 Apr 2017 13:03:11 -0500 (EST)\nMessage-ID: <zone@example.org>\n\nx\n' > "$work/zone.eml"
mt zone.db ingest "$work/zone.eml" >/dev/null 2>&1
eq "text show gives the sender's clock beside UTC" "$(mt zone.db show 1 | grep '^Date:')" \
   "Date:    2017-04-24T18:03:11Z (2017-04-24 13:03:11 -0500, the sender's clock)"
eq "show --json gives it as date_local" "$(mt zone.db show --json 1 | jq_py '(d["date"], d["date_local"])')" \
   "('2017-04-24T18:03:11Z', '2017-04-24 13:03:11 -0500')"

# Progress on a terminal: a share of the input and an ETA, for a compressed
# file too: the share is of the bytes read from disk, the compressed ones
# (issue 26; issue 25 had none for a compressed file).
if command -v script >/dev/null; then
    script -qec "'$MAILTROVE' --archive '$work/progress.db' ingest '$work/long.mbox'" /dev/null \
        | tr '\r' '\n' > "$work/progress.out"
    check "ingest on a terminal shows a share and an ETA" grep -qE '^[0-9]+%, ETA [0-9]+:[0-9]{2}, [0-9]+ messages' "$work/progress.out"
    zstd -q -f "$work/long.mbox" -o "$work/long.mbox.zst"
    script -qec "'$MAILTROVE' --archive '$work/progress-zst.db' ingest '$work/long.mbox.zst'" /dev/null \
        | tr '\r' '\n' > "$work/progress-zst.out"
    check "a compressed file: a share and an ETA too" grep -qE '^[0-9]+%, ETA [0-9]+:[0-9]{2}, [0-9]+ messages' "$work/progress-zst.out"
    # a directory holding a compressed file and a plain one: the share
    # never passes 100% (it counted unpacked bytes against packed sizes)
    mkdir -p "$work/progress-dir"
    cp "$work/long.mbox.zst" "$work/progress-dir/a.mbox.zst"
    sed 's/^Message-ID: <\(.*\)>/Message-ID: <dir-\1>/' "$work/long.mbox" > "$work/progress-dir/b.mbox"
    script -qec "'$MAILTROVE' --archive '$work/progress-dir.db' ingest '$work/progress-dir'" /dev/null \
        | tr '\r' '\n' > "$work/progress-dir.out"
    check "a directory with a compressed file: a share and an ETA" grep -qE '^[0-9]+%, ETA' "$work/progress-dir.out"
    eq "... never over 100%" "$(grep -oE '^[0-9]+%' "$work/progress-dir.out" | tr -d % | sort -n | tail -1 | awk '{ print ($1 <= 100) }')" 1
else
    skip "script (util-linux) missing: progress on a terminal not tried"
fi

# An unknown field is an error that names the field meant (issue 25).
out=$(mt a.db count verdict:failed 2>&1); code=$?
eq "count verdict:failed: exit 2, did you mean dkim:?" "$code ${out#mailtrove: }" \
   "2 bad query, at character 1: unknown field verdict: -- did you mean dkim:? (to search the text, write it in quotes: \"verdict:...\")"
