# Shared helpers for the end-to-end tests: each check prints one line,
# "ok - ...", "not ok - ..." or "skip - ...", which tests/run counts.
set -u
: "${MAILTROVE:?run through tests/run}"
DATA="$TESTS_DIR/data"
PY=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }

# eq DESCRIPTION GOT WANT
eq() {
    if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi
}
# check DESCRIPTION COMMAND...: passes when the command succeeds
check() {
    local d=$1; shift
    if "$@"; then pass "$d"; else fail "$d"; fi
}
# mt ARCHIVE ARGS...: run mailtrove on an archive in the work dir
mt() {
    local archive=$1; shift
    "$MAILTROVE" --archive "$work/$archive" "$@"
}
# jq_py EXPRESSION: evaluate a Python expression over the JSON on stdin (d)
jq_py() {
    $PY -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}
have_corpora() { [ -d "$CORPORA" ]; }
