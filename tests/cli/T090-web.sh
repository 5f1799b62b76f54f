# serve: routes, status codes, security headers, escaping of hostile mail,
# downloads.  (Browser behaviour is T095; load is bench/web.)
. "$(dirname "$0")/lib.sh"
if ! command -v curl >/dev/null; then
    skip "curl not installed: web tests not run"
    exit 0
fi
$PY "$DATA/make-hostile-web.py" "$work/hostile"
mt w.db ingest "$DATA/mail" "$DATA/mbox" "$work/hostile" >/dev/null 2>&1
"$MAILTROVE" --archive "$work/w.db" serve --listen 127.0.0.1:0 > "$work/serve.out" 2>"$work/serve.err" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q "^serving" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
U=$(sed -n 's/.* at \(http[^ ]*\)/\1/p' "$work/serve.out")
check "serve announces its address" [ -n "$U" ]
get() { curl -s --max-time 10 "$U${1#/}"; }
code() { curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$U${1#/}"; }
header() { curl -s --max-time 10 -D - -o /dev/null "$U${1#/}" | tr -d '\r' | sed -n "s/^$2: //Ip"; }

id_of() { sqlite3 "$work/w.db" "SELECT id FROM email WHERE message_id = '$1'"; }
h1=$(id_of hostile-1@evil.example); h2=$(id_of hostile-2@evil.example); h3=$(id_of hostile-3@evil.example)
docs=$(id_of docs@example.net)

eq "/ is 200" "$(code /)" 200
check "/ shows the overview" sh -c "curl -s '$U' | grep -q 'unique senders'"
eq "/search finds" "$(get '/search?q=elysee' | grep -o '<h1>[^<]*')" "<h1>1 email for "
eq "/search with the advanced fields" "$(get '/search?from=example.org&date_from=2017-04-01&date_to=2017-04-30' | grep -o '<h1>[0-9]* email')" "<h1>3 email"
eq "a bad query is 400" "$(code '/search?q=%28budget')" 400
check "a bad query page says where" sh -c "curl -s '${U}search?q=%28budget' | grep -q 'at character 1'"
eq "zero results is 200 with help" "$(get '/search?q=xyzzyqq' | grep -c 'Nothing matches')" 1
eq "an unknown email is 404" "$(code /email/99999)" 404
eq "id 0 is 404" "$(code /email/0)" 404
eq "a non-number id is 404" "$(code /email/abc)" 404
eq "an unknown route is 404" "$(code /nothing)" 404
eq "an unknown attachment is 404" "$(code /email/$docs/attachment/99)" 404
eq "page 0 is 400" "$(code '/search?q=a&page=0')" 400
eq "POST is 405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$U")" 405
eq "/stats is 200" "$(code /stats)" 200
eq "/stats draws its SVG charts (no signing domains here)" "$(get /stats | grep -o '<svg' | wc -l)" 3
check "/stats timeline has a bar per month" sh -c "curl -s '${U}stats' | grep -q '<title>2017-03: '"
eq "/thread is 200" "$(code /thread/$docs)" 200
# the mbox fixture is one conversation of three: its middle email links both ways
mid=$(sqlite3 "$work/w.db" "SELECT id FROM email WHERE message_id = 'm2@example.net'")
eq "an email page links to the previous and next in its conversation" \
   "$(get /email/$mid | grep -o 'rel="[a-z]*" href="/email/[0-9]*"' | tr '\n' ' ')" \
   "rel=\"prev\" href=\"/email/$(sqlite3 "$work/w.db" "SELECT id FROM email WHERE message_id = 'm1@example.org'")\" rel=\"next\" href=\"/email/$(sqlite3 "$work/w.db" "SELECT id FROM email WHERE message_id = 'm3@example.org'")\" "

# the API gives exactly the CLI's JSON
eq "/api/stats = stats --json" "$(get /api/stats)" "$(mt w.db stats --json)"
eq "/api/email/ID = show --json" "$(get /api/email/$docs)" "$(mt w.db show --json $docs)"
eq "/api/search = search --json" "$(get '/api/search?q=figures&sort=date')" "$(mt w.db search --json --sort date figures)"
eq "/api/search bad query is 400" "$(curl -s -o /dev/null -w '%{http_code}' "${U}api/search?q=%22x")" 400
eq "/api/email of an unknown id is 404" "$(code /api/email/99999)" 404

# headers on every response
for path in / /search?q=a /email/$h1 /stats /email/$h1/raw /email/$docs/attachment/1 /nothing /api/stats; do
    csp=$(header "$path" Content-Security-Policy)
    case "$csp" in *"default-src 'none'"*) pass "CSP default-src 'none' on $path" ;;
                   *) fail "CSP on $path: '$csp'" ;; esac
    eq "nosniff on $path" "$(header "$path" X-Content-Type-Options)" nosniff
    eq "no-referrer on $path" "$(header "$path" Referrer-Policy)" no-referrer
    eq "frames denied on $path" "$(header "$path" X-Frame-Options)" DENY
done
check "pages allow no script at all" sh -c "! curl -s -D - -o /dev/null '$U' | grep -i 'content-security-policy' | grep -qi 'script-src'"

# downloads
get "/email/$docs/raw" > "$work/raw.eml"
check "raw is the stored bytes exactly" cmp -s "$work/raw.eml" <(mt w.db show --raw "$docs")
eq "raw is message/rfc822" "$(header /email/$docs/raw Content-Type)" message/rfc822
eq "raw is a download" "$(header /email/$docs/raw Content-Disposition)" "attachment; filename=\"$docs.eml\""
get "/email/$docs/attachment/1" > "$work/a1"
check "an attachment downloads whole" [ -s "$work/a1" ]
eq "attachments are served as octet-stream" "$(header /email/$h3/attachment/1 Content-Type)" application/octet-stream
disposition=$(header /email/$h3/attachment/1 Content-Disposition)
eq "a hostile attachment name is made safe" "$disposition" 'attachment; filename="evil__.html"'
eq "downloads are sandboxed" "$(header /email/$h3/attachment/2 Content-Security-Policy)" "default-src 'none'; sandbox; frame-ancestors 'none'"

# hostile mail stays text
for id in $h1 $h2 $h3; do
    page=$(get /email/$id)
    check "email $id: no <script> element" sh -c "! printf '%s' \"\$1\" | grep -qi '<script'" _ "$page"
    check "email $id: no event handler attribute" sh -c "! printf '%s' \"\$1\" | grep -qiE '<[^>]* on[a-z]+='" _ "$page"
    check "email $id: no javascript: link" sh -c "! printf '%s' \"\$1\" | grep -qi 'href=\"javascript:'" _ "$page"
    check "email $id: nothing from another origin" sh -c "! printf '%s' \"\$1\" | grep -qiE '(src|href|action)=\"https?://'" _ "$page"
    check "email $id: no meta refresh" sh -c "! printf '%s' \"\$1\" | grep -qi '<meta http-equiv'" _ "$page"
done
check "a markup subject is shown as text" sh -c "curl -s '${U}email/$h1' | grep -q '&lt;img src=x onerror=alert'"
check "an encoded-word that decodes to markup stays text" sh -c "curl -s '${U}email/$h2' | grep -q '&lt;script&gt;alert(&#39;ew&#39;)'"
check "HTML bodies are shown as text, with a note" sh -c "curl -s '${U}email/$h1' | grep -q 'it is shown here as text'"
results=$(get '/search?q=figures')
check "search results escape subjects, names and snippets" sh -c "! printf '%s' \"\$1\" | grep -qiE '<script|<img|<iframe'" _ "$results"
eq "search results list the hostile mail" "$(printf '%s' "$results" | grep -c 'class="result"')" 4

# The sanitized HTML view (docs/web.md): its own sandboxing CSP, only
# allow-listed markup, inline images from the email itself.
h4=$(id_of hostile-4@evil.example)
headers=$(curl -s -D - -o "$work/view.html" "${U}email/$h4/html")
check "HTML view: served as HTML with a sandboxing CSP" sh -c "printf '%s' \"\$1\" | grep -qi '^content-security-policy: sandbox; default-src .none.; img-src .self.; style-src .sha256-'" _ "$headers"
check "HTML view: no script, handler, style attribute, object or base" sh -c "! grep -qiE '<script|<object|<base|<math|<svg| on[a-z]+=|style=' '$work/view.html'"
check "HTML view: no URL of another origin but the plain https link" sh -c "! grep -oiE '(src|href)=\"[^\"]*\"' '$work/view.html' | grep -v 'href=\"https://example.org/\"' | grep -qiE '\"(https?:|javascript|data:|//)'"
check "HTML view: the cid: image points into the archive" grep -q "src=\"/email/$h4/cid/logo@evil.example\"" "$work/view.html"
eq "HTML view: table cells keep colspan, lose handlers" "$(grep -o '<td[^>]*>' "$work/view.html")" '<td colspan="2">'
img=$(curl -s -D - -o "$work/logo.png" "${U}email/$h4/cid/logo@evil.example")
check "inline image: image/png, nosniff, sandboxed" sh -c "printf '%s' \"\$1\" | grep -qi '^content-type: image/png' && printf '%s' \"\$1\" | grep -qi '^x-content-type-options: nosniff' && printf '%s' \"\$1\" | grep -qi '^content-security-policy: default-src .none.; sandbox'" _ "$img"
eq "inline image: the decoded bytes" "$(head -c 4 "$work/logo.png" | od -An -c | tr -d ' ')" '211PNG'
eq "an SVG part is not served as an image" "$(curl -s -o /dev/null -w '%{http_code}' "${U}email/$h4/cid/svg@evil.example")" 404
eq "an email without HTML has no HTML view" "$(curl -s -o /dev/null -w '%{http_code}' "${U}email/$h2/html")" 404
check "the email page links its HTML version" sh -c "curl -s '${U}email/$h4' | grep -q 'href=\"/email/$h4/html\"'"
check "the server is still up" [ "$(code /)" = 200 ]

# serve keeps answering while an ingest writes to the same archive (WAL)
mkdir -p "$work/more"
for i in $(seq 1 400); do
    printf 'From: m%d@example.org\nTo: x@example.org\nSubject: concurrent %d\nDate: Tue, 07 Mar 2017 10:00:00 +0000\nMessage-ID: <more-%d@example.org>\n\nconcurrent body %d\n' \
        "$i" "$i" "$i" "$i" > "$work/more/$i.eml"
done
mt w.db ingest "$work/more" > /dev/null 2>&1 &
writer=$!
codes=""
while kill -0 $writer 2>/dev/null; do
    codes="$codes $(code /search?q=concurrent) $(code /email/1)"
done
wait $writer
eq "every request during the ingest answered 200" "$(echo $codes | tr ' ' '\n' | grep -v '^200$' | sort -u | tr '\n' ' ')" ""
check "requests were made during the ingest" [ -n "$codes" ]
eq "after it, the new mail is searchable" "$(get '/api/search?q=concurrent&limit=0' | jq_py 'd["total"]')" 400
