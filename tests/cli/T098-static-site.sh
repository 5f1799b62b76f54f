# The static site (issue 27, item 4): `export --format site DIR` writes
# every email page, raw message, attachment, evidence bundle and thread
# page with relative links; the content is serve's (compared with a
# running serve); Chromium opens it from disk, no request leaves DIR.
. "$(dirname "$0")/lib.sh"

mt a.db ingest "$DATA/mail" >/dev/null
out=$(mt a.db export --format site "$work/site")
emails=$(mt a.db stats --json | jq_py 'd["emails"]')
check "export --format site reports what it wrote ($out)" grep -q "^exported $emails emails to " <<<"$out"
for f in index.html stats.html sources.html style.css; do
    check "site: $f" test -s "$work/site/$f"
done
missing=""
for id in $(seq 1 "$emails"); do
    for f in "email/$id.html" "email/$id.eml" "email/$id/evidence.zip"; do
        [ -s "$work/site/$f" ] || missing="$missing $f"
    done
done
eq "site: every email's page, raw message and evidence bundle" "$missing" ""

# the same content as serve gives
port=$((20000 + RANDOM % 20000))
"$MAILTROVE" --archive "$work/a.db" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
# links differ (routes against files), and forms are left out without a
# search URL: compare with both taken away
strip() { $PY -c 'import re, sys
t = sys.stdin.read()
t = re.sub(r"<form.*?</form>", "", t, flags=re.S)
print(re.sub(r" (href|src|action)=\"[^\"]*\"", "", t))'; }
differ=""
threads=0
for id in $(seq 1 "$emails"); do
    [ "$(curl -s "http://127.0.0.1:$port/email/$id" | strip)" = "$(strip < "$work/site/email/$id.html")" ] \
        || differ="$differ email/$id"
    cmp -s "$work/site/email/$id.eml" <(curl -s "http://127.0.0.1:$port/email/$id/raw") || differ="$differ raw/$id"
    cmp -s "$work/site/email/$id/evidence.zip" <(curl -s "http://127.0.0.1:$port/email/$id/evidence") \
        || differ="$differ evidence/$id"
    for f in "$work/site/email/$id/attachment/"*; do
        [ -e "$f" ] || continue
        n=$(basename "$f")
        route="/email/$id/attachment/${n%.txt}"
        [ "${n%.txt}" != "$n" ] && route="$route/text"
        cmp -s "$f" <(curl -s "http://127.0.0.1:$port$route") || differ="$differ $route"
    done
done
for f in "$work/site/thread/"*.html; do
    id=$(basename "$f" .html)
    threads=$((threads + 1))
    [ "$(curl -s "http://127.0.0.1:$port/thread/$id" | strip)" = "$(strip < "$f")" ] \
        || differ="$differ thread/$id"
done
eq "site: each page, raw message, bundle and attachment is what serve gives" "$differ" ""
check "site: thread pages written ($threads)" [ "$threads" -gt 0 ]
attachments=$(find "$work/site/email" -path '*/attachment/*' -type f | wc -l)
check "site: attachments and their texts written ($attachments)" [ "$attachments" -gt 0 ]
kill $server; wait $server 2>/dev/null

# links: every one relative, each resolving to a file of the site
bad=$($PY - "$work/site" <<'PY'
import os, re, sys
top = sys.argv[1]
bad = []
for d, _, files in os.walk(top):
    for f in files:
        if not f.endswith(".html"):
            continue
        for url in re.findall(r' (?:href|src|action)="([^"]*)"', open(os.path.join(d, f)).read()):
            url = url.replace("&amp;", "&")
            if url == "#":
                continue
            if url.startswith("/") or "://" in url or not os.path.exists(os.path.normpath(os.path.join(d, url))):
                bad.append(os.path.join(d, f)[len(top):] + " -> " + url)
print(len(bad), bad[:3])
PY
)
eq "site: every link is relative and resolves to a file of the site" "$bad" "0 []"
check "site: no search form without a search URL" sh -c "! grep -rl '<form' '$work/site' >/dev/null"
mt a.db export --format site --search-url https://search.example/search "$work/site2" >/dev/null
check "site: the search box points to --search-url" \
   grep -q 'action="https://search.example/search"' "$work/site2/index.html"
check "site: search links too" grep -q 'href="https://search.example/search?q=' "$work/site2/stats.html"
mt a.db export --format site >/dev/null 2>&1
eq "site: a DIR is needed" "$?" "2"
mt a.db export --search-url x >/dev/null 2>&1
eq "--search-url only with --format site" "$?" "2"
check "site: nothing of this machine in it" sh -c "! grep -rl '$work' '$work/site' >/dev/null"

# export --format opensearch: a mapping and _bulk files, one document an email
out=$(mt a.db export --format opensearch "$work/os")
check "export --format opensearch reports what it wrote ($out)" \
   grep -q "^exported $emails emails to .*: mapping.json and 1 bulk file" <<<"$out"
eq "opensearch: the mapping folds case and accents, addresses and verdicts are keywords; every document fits it" \
   "$($PY - "$work/os" "$work/site" <<'PY'
import glob, json, os, sys
top, site = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(top, "mapping.json")))
props = m["mappings"]["properties"]
ok = [m["settings"]["analysis"]["analyzer"]["folded"]["filter"] == ["lowercase", "asciifolding"],
      props["to"]["type"] == "keyword", props["verdict"]["type"] == "keyword",
      props["body"]["analyzer"] == "folded"]
docs = {}
for f in sorted(glob.glob(os.path.join(top, "bulk-*.ndjson"))):
    ok.append(os.path.getsize(f) <= 50 * 1000 * 1000)
    lines = open(f).read().splitlines()
    ok.append(len(lines) % 2 == 0)
    for action, doc in zip(lines[::2], lines[1::2]):
        a, d = json.loads(action), json.loads(doc)
        ok.append(a["index"]["_id"] == str(d["id"]) and set(d) <= set(props))
        docs[d["id"]] = d
# attachment text: what the site's text files hold is in the document
texts = 0
for f in glob.glob(os.path.join(site, "email", "*", "attachment", "*.txt")):
    t = open(f).read().strip()
    if t and not t.startswith("(no text"):
        texts += 1
        ok.append(t[:40] in docs[int(f.split(os.sep)[-3])]["attachment_text"])
print(all(ok), len(docs), texts > 0)
PY
)" "True $emails True"

B="$TESTS_DIR/browser"
if ! command -v node >/dev/null || [ ! -d "$B/node_modules/playwright-core" ] \
   || ! command -v "${CHROMIUM:-chromium}" >/dev/null; then
    skip "node, chromium or tests/browser/node_modules missing: the site not opened in a browser"
    exit 0
fi
timeout 120 node "$B/site.mjs" "$work/site" > "$work/browser.out" 2>&1
cat "$work/browser.out"
check "the browser run reported its checks" grep -q "^ok - site: every page opens from disk" "$work/browser.out"
