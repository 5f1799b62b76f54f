# make demo's dump and script (issue 21, finding 6): the demo shows what the
# project is for: signatures that verify, one altered in transit, weak and
# nokey ones, unsigned mail, corroborated replies; and it ends with the
# command that serves the archive.
. "$(dirname "$0")/lib.sh"

if ! $PY -c 'import dkim, cryptography' 2>/dev/null; then
    skip "python3-dkim or python3-cryptography missing: the demo cannot sign its dump"
    exit 0
fi
out=$(DEMO_ARCHIVE="$work/demo.db" DEMO_DIR="$work/demo" sh "$TESTS_DIR/../scripts/demo" 2>&1)
eq "scripts/demo runs to its end" "$?" 0
stats=$(mt demo.db stats --json)
eq "every message of the dump is stored, none rejected" \
   "$(echo "$stats" | jq_py '(d["emails"], d["rejected"])')" "(231, 0)"
eq "the demo holds every verdict: some verified, weak, nokey, unsigned; two failed" \
   "$(echo "$stats" | jq_py 'sorted(k for k, v in d["verdicts"].items() if v > 0), d["verdicts"]["failed"]')" \
   "(['failed', 'nokey', 'unsigned', 'verified', 'weak'], 2)"
eq "one failed altered since signed, one that could not be checked" \
   "$(echo "$stats" | jq_py 'd["failed_kinds"]')" "{'altered': 1, 'unchecked': 1}"
eq "weak ones are weak for sha1 and a short key" \
   "$(sqlite3 "$work/demo.db" "SELECT DISTINCT weaknesses FROM signature WHERE result = 'pass' AND weaknesses != '' ORDER BY 1")" \
   "sha1
short_key"
eq "the altered one fails on its body hash" \
   "$(sqlite3 "$work/demo.db" "SELECT reason FROM signature WHERE result = 'fail'")" "body hash mismatch (the body was altered)"
check "corroboration shows: unsigned replies vouched for by verified mail" \
   [ "$(mt demo.db count 'corroborated:yes dkim:unsigned')" -gt 0 ]
case $out in
    *"DKIM:    verified"*"the whole body is signed"*) pass "the demo shows a verified email's report in plain words" ;;
    *) fail "the demo shows a verified email's report in plain words" ;;
esac
eq "it ends with the command that serves the archive" \
   "$(echo "$out" | tail -2 | head -1)" "== to browse it: $MAILTROVE --archive $work/demo.db serve   (then open http://127.0.0.1:8080/)"
