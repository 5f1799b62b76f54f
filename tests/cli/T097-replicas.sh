# Publishing (issue 27, items 1-3): `publish -o FILE`, a published copy
# served immutable with cache headers, and deploy/nginx.conf in front of
# two `serve` replicas: under wrk's load one replica is killed, and no
# request fails.  Every process started here is stopped by its PID.
. "$(dirname "$0")/lib.sh"

mt a.db ingest "$DATA/mail" >/dev/null
out=$(mt a.db publish -o "$work/pub.db")
eq "publish: a copy with the root, and its checksum beside it" \
   "$(cd "$work" && sha256sum -c pub.db.sha256 2>&1) $(mt pub.db root --json)" \
   "pub.db: OK $(mt a.db root --json)"
check "publish names the root and checksum" grep -q "root $(mt a.db root --json | jq_py 'd["root"]'); sha256 " <<<"$out"
eq "the copy answers as the archive does" \
   "$(mt pub.db search --json 'from:example' | sha256sum)" "$(mt a.db search --json 'from:example' | sha256sum)"
mt pub.db ingest "$DATA/mail" >/dev/null 2>"$work/err"
eq "a published copy is never written" "$? $(grep -c 'a published copy' "$work/err")" "1 1"
mt a.db publish -o "$work/pub.db" >/dev/null 2>&1
eq "publish does not overwrite" "$?" "1"
chmod a-w "$work/pub.db"
mkdir -p "$work/ro" && cp -p "$work/pub.db" "$work/ro/" && chmod a-w "$work/ro"
eq "read-only media: searched, no lock or -wal file made" \
   "$(mt ro/pub.db count from:example) $(ls "$work/ro" | tr '\n' ' ')" "$(mt a.db count from:example) pub.db "
chmod u+w "$work/ro"

# cache headers: a published copy's emails are immutable, search short-lived
start_serve() {   # start_serve ARCHIVE PORT: a replica, its PID in $served
    "$MAILTROVE" --archive "$work/$1" serve --listen "127.0.0.1:$2" >/dev/null 2>&1 &
    served=$!
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$2/" && return; sleep 0.1; done
}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
p1=$((20000 + RANDOM % 10000)); p2=$((p1 + 1)); pn=$((p1 + 2)); pa=$((p1 + 3))
start_serve pub.db "$p1"; r1=$served; pids+=("$r1")
start_serve a.db "$pa"; ra=$served; pids+=("$ra")
header() { grep -i "^$1:" "$work/h" | cut -d' ' -f2- | tr -d '\r'; }
curl -s -D "$work/h" -o "$work/body" "http://127.0.0.1:$p1/email/1"
etag=$(header etag)
eq "published: an email is cached for a year, with a strong ETag and Last-Modified" \
   "$(header cache-control) $(grep -c '^"[0-9a-f]\{32\}"$' <<<"$etag") $(header last-modified | grep -c GMT)" \
   "public, max-age=31536000, immutable 1 1"
eq "the ETag is the hash of the bytes" "$etag" "\"$(sha256sum "$work/body" | cut -c1-32)\""
eq "If-None-Match with it: 304, no body" \
   "$(curl -s -o "$work/body304" -w "%{http_code}" -H "If-None-Match: $etag" "http://127.0.0.1:$p1/email/1") $(cat "$work/body304" 2>/dev/null | wc -c)" \
   "304 0"
eq "another ETag: the page" \
   "$(curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: "0000"' "http://127.0.0.1:$p1/email/1")" "200"
for route in /email/1/raw /email/1/evidence /thread/1 /api/email/1; do
    curl -s -D "$work/h" -o /dev/null "http://127.0.0.1:$p1$route"
    eq "published: $route is immutable" "$(header cache-control)" "public, max-age=31536000, immutable"
done
curl -s -D "$work/h" -o /dev/null "http://127.0.0.1:$p1/search?q=budget"
eq "published: a search page is cached a minute" "$(header cache-control)" "public, max-age=60"
curl -s -D "$work/h" -o /dev/null "http://127.0.0.1:$p1/email/999"
eq "an error is not cached" "$(header cache-control) $(header etag)" "no-store "
curl -s -D "$work/h" -o /dev/null "http://127.0.0.1:$pa/email/1"
eq "an archive that may still grow: revalidate every time, same ETag" \
   "$(header cache-control) $(header etag)" "no-cache $etag"
kill "$ra"; wait "$ra" 2>/dev/null

# two replicas behind deploy/nginx.conf
if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
    skip "nginx or wrk missing (scripts/install-deps installs nginx and wrk)"
    exit 0
fi
start_serve pub.db "$p2"; r2=$served; pids+=("$r2")
mkdir -p "$work/nginx/cache" "$work/nginx/tmp"
sed -e "s|127.0.0.1:8081|127.0.0.1:$p1|; s|127.0.0.1:8082|127.0.0.1:$p2|" \
    -e "s|listen 80;|listen 127.0.0.1:$pn;|" \
    -e "s|/var/cache/nginx/mailtrove|$work/nginx/cache|" \
    -e "s|^http {|http {\n    client_body_temp_path $work/nginx/tmp/body; proxy_temp_path $work/nginx/tmp/proxy;\n    fastcgi_temp_path $work/nginx/tmp/f; uwsgi_temp_path $work/nginx/tmp/u; scgi_temp_path $work/nginx/tmp/s;|" \
    "$TESTS_DIR/../deploy/nginx.conf" > "$work/nginx/nginx.conf"
# as root, nginx's workers would run as nobody, who cannot enter $work
run_as=""
[ "$(id -u)" = 0 ] && run_as="user root root;"
nginx -t -p "$work/nginx" -c "$work/nginx/nginx.conf" \
      -g "$run_as pid $work/nginx/pid; error_log $work/nginx/error.log;" >/dev/null 2>&1
eq "deploy/nginx.conf is valid for nginx" "$?" "0"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" \
      -g "$run_as daemon off; pid $work/nginx/pid; error_log $work/nginx/error.log;" &
ngx=$!; pids+=("$ngx")
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$pn/" && break; sleep 0.1; done
curl -s -o /dev/null "http://127.0.0.1:$pn/email/1"
eq "through nginx: the second request for an email is a cache hit" \
   "$(curl -s -D - -o /dev/null "http://127.0.0.1:$pn/email/1" | grep -i '^x-cache:' | tr -d '\r')" \
   "X-Cache: HIT"
# load: distinct searches, which reach the replicas; one replica dies
cat > "$work/load.lua" <<'LUA'
counter = 0
request = function()
    counter = counter + 1
    return wrk.format("GET", "/search?q=budget" .. counter .. "x" .. math.random(1, 1e9))
end
LUA
wrk -t2 -c16 -d6s -s "$work/load.lua" "http://127.0.0.1:$pn/" > "$work/wrk.txt" 2>&1 &
load=$!; pids+=("$load")
sleep 2
kill -9 "$r1"; wait "$r1" 2>/dev/null
wait "$load"
requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$work/wrk.txt")
check "wrk ran requests through nginx ($requests)" [ "${requests:-0}" -gt 100 ]
eq "a replica killed under load: no failed request, no socket error" \
   "$(grep -cE 'Non-2xx|Socket errors' "$work/wrk.txt")" "0"
eq "after: the survivor answers everything" \
   "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$pn/email/2")" "200"
cp "$work/nginx/error.log" /tmp/t097-nginx-error.log 2>/dev/null; cp "$work/wrk.txt" /tmp/t097-wrk.txt
kill "$ngx" "$r2"; wait "$ngx" "$r2" 2>/dev/null
check "nginx and the replicas stopped" sh -c "! kill -0 $ngx 2>/dev/null && ! kill -0 $r2 2>/dev/null"
