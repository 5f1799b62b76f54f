# verify --dns: keys fetched from live DNS only when asked, recorded with
# the time they were seen.  A local DNS server (tests/data/dns-server.py)
# answers for the chain's key; nothing leaves the machine.
. "$(dirname "$0")/lib.sh"

$PY "$DATA/make-chain.py" "$work/chain" >/dev/null
$PY "$DATA/dns-server.py" "$work/chain/chain.zone" "$work/dns.log" > "$work/dns.port" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/dns.port" ] && break; sleep 0.1; done
port=$(cat "$work/dns.port")

mt a.db ingest "$work/chain" >/dev/null
eq "without keys the signed email has no key" "$(mt a.db verify --json | jq_py 'd["nokey"]')" 1
check "plain verify asks DNS nothing" test ! -s "$work/dns.log"
eq "keys missing names the key --dns will look up" "$(mt a.db keys missing --json)" \
   '[{"name":"s1._domainkey.example.org","messages":1}]'

out=$(mt a.db verify --json --dns-server=127.0.0.1:$port 2>"$work/err")
eq "verify --dns fetches the missing key and verifies" "$(echo "$out" | jq_py 'd["verified"]')" 1
eq "it asked for exactly that key's TXT record" "$(cat "$work/dns.log")" "s1._domainkey.example.org 16"
check "it says what it looked up ($(cat "$work/err"))" grep -q "1 key names looked up: 1 answered (1 new records), 0 do not exist" "$work/err"
check "the key is kept with its source and the time it was seen" \
    sh -c "'$MAILTROVE' --archive '$work/a.db' keys list | grep -q 's1._domainkey.example.org.*DNS, seen 20[0-9-]*T[0-9:]*Z'"

# a signature whose key DNS does not have stays nokey
sed 's/s=s1;/s=gone;/' "$work/chain/2-reply.eml" > "$work/gone.eml"
mt b.db ingest "$work/gone.eml" >/dev/null
out=$(mt b.db verify --json --dns-server=127.0.0.1:$port 2>"$work/err")
eq "a key DNS does not know stays nokey" "$(echo "$out" | jq_py 'd["nokey"]')" 1
check "and is reported as not existing" grep -q "0 answered (0 new records), 1 do not exist" "$work/err"
eq "a bad server address is refused" "$(mt b.db verify --dns-server=nonsense 2>&1 >/dev/null | head -1)" \
   "mailtrove: nonsense: not an IPv4 address[:port]"
