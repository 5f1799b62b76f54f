# Hardening: a generated hostile dump (tests/data/make-hostile-dump.py),
# each case ingested alone with its expected outcome, bounded time and
# memory, byte-exact storage and valid JSON (tests/hostile-check.py); then
# all of it in one archive, served, with every email page and attachment
# fetched: no server error, no dropped connection.
. "$(dirname "$0")/lib.sh"

scale=1 size=full
case "$TEST_LABEL" in sanitized) scale=6 size=small ;; esac
$PY "$DATA/make-hostile-dump.py" "$work/dump" "$size"
mkdir -p "$work/archives"
$PY "$TESTS_DIR/hostile-check.py" "$MAILTROVE" "$work/dump" "$work/archives" "$scale"

# every case but the 5,000 look-alike members and the big ones (each page
# of a 300 MiB email parses it again; they are tried alone above), so the
# pages fetched are hostile ones
all=$(mt all.db ingest --json $(ls -d "$work"/dump/* | grep -v -e many-members -e bomb -e no-separators) 2>&1)
check "the hostile dump ingests in one run ($all)" \
    $PY -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(d['read'] != d['stored']+d['duplicates']+d['rejected'])" "$all"
port=$((20000 + RANDOM % 20000))
# Started directly, not through the mt function: '&' on a function forks a
# subshell, $! would be that subshell, and killing it would leave the
# server running (issue 21, finding 5).
"$MAILTROVE" --archive "$work/all.db" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
emails=$(mt all.db stats --json | jq_py 'd["emails"]')
bad=""
for id in $(seq 1 "$emails"); do
    for path in "/email/$id" "/email/$id/raw" "/api/email/$id" "/thread/$id" "/email/$id/attachment/1" "/email/$id/attachment/9"; do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path")
        case "$code" in 200|404) ;; *) bad="$bad $path:$code" ;; esac
    done
done
eq "every page of $emails hostile emails answers 200 or 404" "$bad" ""
check "the server is still running" kill -0 $server
kill $server; wait $server 2>/dev/null || true
