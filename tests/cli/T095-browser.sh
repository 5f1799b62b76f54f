# The web archive in a real browser: Debian's headless Chromium driven by
# playwright-core (tests/browser, installed by scripts/install-deps).
# Search, open, download raw and an attachment, paging, the stats SVG, and
# hostile mail proving that no script runs and nothing loads from elsewhere.
. "$(dirname "$0")/lib.sh"
B="$TESTS_DIR/browser"
if ! command -v node >/dev/null || [ ! -d "$B/node_modules/playwright-core" ] \
   || ! command -v "${CHROMIUM:-chromium}" >/dev/null; then
    skip "node, chromium or tests/browser/node_modules missing (scripts/install-deps installs them): browser tests not run"
    exit 0
fi
$PY "$DATA/make-hostile-web.py" "$work/hostile"
mkdir -p "$work/paging"
for i in $(seq 1 45); do
    printf 'From: p%d@example.org\nTo: x@example.org\nSubject: paging test %d\nDate: Mon, 06 Mar 2017 10:%02d:00 +0000\nMessage-ID: <paging-%d@example.org>\n\nA paging message.\n' \
        "$i" "$i" "$i" "$i" > "$work/paging/$i.eml"
done
# a month's mail for 25 years: the timeline's year labels must not overlap
mkdir -p "$work/years"
for y in $(seq 1998 2022); do for m in 01 04 07 10; do
    printf 'From: archivist@example.org\nSubject: quarter %s-%s\nDate: 15 %s %s 12:00:00 +0000\nMessage-ID: <q-%s-%s@example.org>\n\nquarterly\n' \
        "$y" "$m" "$(case $m in 01) echo Jan;; 04) echo Apr;; 07) echo Jul;; 10) echo Oct;; esac)" "$y" "$y" "$m" \
        > "$work/years/$y-$m.eml"
done; done
mt b.db ingest "$DATA/mail" "$work/hostile" "$work/paging" "$work/years" >/dev/null 2>&1
# signed mail (dkimpy, throwaway keys): the failed badges' two kinds, l=
signed='"altered": null, "unchecked": null, "partial": null'
if $PY -c 'import dkim' 2>/dev/null; then
    $PY "$DATA/make-dkim-cases.py" "$work/dk" >/dev/null
    mt b.db ingest --keys "$work/dk/adv.zone" "$work/dk/adv/02-altered-body.eml" \
        "$work/dk/adv/09-no-bh.eml" "$work/dk/adv/04-l-appended.eml" >/dev/null 2>&1
    src_id() { sqlite3 "$work/b.db" "SELECT email_id FROM source WHERE path = '$1.eml'"; }
    signed="\"altered\": $(src_id 02-altered-body), \"unchecked\": $(src_id 09-no-bh), \"partial\": $(src_id 04-l-appended)"
fi
id_of() { sqlite3 "$work/b.db" "SELECT id FROM email WHERE message_id = '$1'"; }
mt b.db show --raw "$(id_of reunion-2017@en-marche.fr)" > "$work/raw.eml"
cat > "$work/expect.json" <<JSON
{"raw_file": "$work/raw.eml", "attachment_email": $(id_of docs@example.net),
 "attachment_name": "$(sqlite3 "$work/b.db" "SELECT filename FROM attachment WHERE email_id = $(id_of docs@example.net) AND n = 1")",
 "hostile": [$(id_of hostile-1@evil.example), $(id_of hostile-2@evil.example), $(id_of hostile-3@evil.example), $(id_of hostile-4@evil.example)],
 "related": $(id_of hostile-4@evil.example), $signed}
JSON
"$MAILTROVE" --archive "$work/b.db" serve --listen 127.0.0.1:0 > "$work/serve.out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q "^serving" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
U=$(sed -n 's/.* at \(http[^ ]*\)/\1/p' "$work/serve.out")
shots="${SCREENSHOTS:-$work/shots}"
mkdir -p "$shots"
timeout 120 node "$B/web.mjs" "$U" "$work/expect.json" "$shots" > "$work/browser.out" 2>&1
cat "$work/browser.out"
check "the browser run reported its checks" grep -q "^ok - browser: keyboard" "$work/browser.out"
