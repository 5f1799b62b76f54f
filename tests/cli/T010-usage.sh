# Exit codes and messages of the contract: 0 done, 1 failed, 2 usage.
. "$(dirname "$0")/lib.sh"

"$MAILTROVE" >/dev/null 2>&1; eq "no command is a usage error" $? 2
"$MAILTROVE" frobnicate >/dev/null 2>&1; eq "unknown command is a usage error" $? 2
"$MAILTROVE" --version | grep -q '^mailtrove [0-9]'; eq "--version prints a version" $? 0
err=$("$MAILTROVE" --archive "$work/none.db" stats 2>&1); rc=$?
eq "stats on a missing archive fails" $rc 1
case "$err" in "mailtrove: "*) pass "failure message has the mailtrove: prefix" ;;
    *) fail "failure message has the mailtrove: prefix: $err" ;; esac
check "a missing archive is not created by a reading command" test ! -e "$work/none.db"
mt a.db ingest "$work/does-not-exist" >/dev/null 2>&1; eq "ingest of a missing source fails" $? 1
mt a.db ingest >/dev/null 2>&1; eq "ingest without a source is a usage error" $? 2
mt a.db ingest "$DATA/mail/simple.eml" >/dev/null
mt a.db show abc >/dev/null 2>&1; eq "show with a non-numeric id is a usage error" $? 2
mt a.db show 999 >/dev/null 2>&1; eq "show of an unknown id fails" $? 1
MAILTROVE_ARCHIVE="$work/a.db" "$MAILTROVE" stats --json | jq_py 'd["emails"]' > "$work/n"
eq "MAILTROVE_ARCHIVE names the archive" "$(cat "$work/n")" 1
printf 'not sqlite at all, just text that is long enough to be looked at by sqlite\n%.0s' {1..80} > "$work/bad.db"
err=$("$MAILTROVE" --archive "$work/bad.db" stats 2>&1); rc=$?
eq "a file that is not an archive fails cleanly" $rc 1
sqlite3 "$work/a.db" "PRAGMA user_version = 999"
err=$(mt a.db stats 2>&1); rc=$?
eq "an archive from a newer mailtrove is refused" $rc 1
case "$err" in *"newer"*) pass "the refusal names the version problem" ;;
    *) fail "the refusal names the version problem: $err" ;; esac

# Everything a user needs is in the repository (issue 25): no document a
# user reads points outside it for the contract.
check "README and docs/ never send readers to ../shared" sh -c \
    "! grep -rn 'shared/CONTRACT' '$TESTS_DIR/../README.md' '$TESTS_DIR/../docs'"
check "docs/contract.md gives the JSON shapes" grep -q '"read":N,"stored":N' "$TESTS_DIR/../docs/contract.md"
