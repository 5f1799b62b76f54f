# Affiliation by signing domain (issue 24, item 1): org add|remove|list,
# affiliated:yes|no, stats' affiliated and org_domains, the overview and
# /stats.  Keys made here; messages signed by dkimpy (a signer not ours).
. "$(dirname "$0")/lib.sh"

if ! $PY -c 'import dkim, cryptography' 2>/dev/null; then
    skip "python3-dkim missing: affiliation cases not signed"
    exit 0
fi
$PY - "$work" <<'PY'
import base64, os, sys, dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
work = sys.argv[1]
os.makedirs(os.path.join(work, "mail"))
def keypair(bits):
    k = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                          serialization.NoEncryption())
    pub = base64.b64encode(k.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    return pem, pub
zone, expected = [], {}
# (domain, selector, bits, algorithm, how many, verified-grade?)
cases = [("org.example", "s1", 2048, b"rsa-sha256", 5, True),
         ("mail.org.example", "s1", 2048, b"rsa-sha256", 3, True),      # a subdomain counts
         ("evil-org.example", "s1", 2048, b"rsa-sha256", 4, False),     # a look-alike does not
         ("org.example", "old", 2048, b"rsa-sha1", 2, False),           # weak: not verified-grade
         ("org.example", "tiny", 768, b"rsa-sha256", 2, False)]         # weak: short key
n = 0
for domain, sel, bits, alg, count, grade in cases:
    pem, pub = keypair(bits)
    zone.append('%s._domainkey.%s. TXT "v=DKIM1; k=rsa; p=%s"' % (sel, domain, pub))
    for i in range(count):
        n += 1
        msg = ("From: Staff %d <staff%d@%s>\r\nTo: press@example.net\r\nSubject: note %d\r\n"
               "Message-ID: <aff-%d@%s>\r\n\r\nNote number %d.\r\n" % (n, n, domain, n, n, domain, n)).encode()
        sig = dkim.sign(msg, sel.encode(), domain.encode(), pem, signature_algorithm=alg)
        open(os.path.join(work, "mail", "%03d.eml" % n), "wb").write(sig + msg)
        expected[n] = grade
open(os.path.join(work, "keys.zone"), "w").write("\n".join(zone) + "\n")
open(os.path.join(work, "expected"), "w").write("%d\n" % sum(expected.values()))
PY
mt a.db ingest --keys "$work/keys.zone" "$work/mail" >/dev/null 2>&1
want=$(cat "$work/expected")
eq "before any org domain, nothing is affiliated" "$(mt a.db stats --json | jq_py '(d["affiliated"], d["org_domains"])')" "(0, [])"
eq "org add names what it added" "$(mt a.db org add ORG.example.)" "added org.example"
eq "adding it again changes nothing" "$(mt a.db org add org.example)" "added org.example (already one)"
eq "affiliated = the verified-grade signatures by org.example or a subdomain ($want)" \
   "$(mt a.db stats --json | jq_py '(d["affiliated"], d["org_domains"])')" "($want, ['org.example'])"
eq "affiliated:yes finds them" "$(mt a.db count affiliated:yes)" "$want"
eq "affiliated:no finds the rest" "$(mt a.db count affiliated:no)" "$(( $(mt a.db stats --json | jq_py 'd["emails"]') - want ))"
eq "evil-org.example does not count for org.example" \
   "$(mt a.db count 'affiliated:yes dkim-domain:evil-org.example')" 0
eq "mail.org.example, a subdomain, does" "$(mt a.db count 'affiliated:yes dkim-domain:mail.org.example')" 3
eq "weak signatures (sha1, short key) do not make mail affiliated" \
   "$(mt a.db count 'affiliated:yes dkim:weak')" 0
eq "org list counts per domain" "$(mt a.db org list --json)" "[{\"domain\":\"org.example\",\"affiliated\":$want}]"
eq "a name that is not a domain is refused (exit 2)" "$(mt a.db org add 'not a domain' >/dev/null 2>&1; echo $?)" 2

port=$((20000 + RANDOM % 20000))
"$MAILTROVE" --archive "$work/a.db" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
check "the overview says how many emails were verified as sent through the org domain" sh -c \
    "curl -s 'http://127.0.0.1:$port/' | grep -q '<b>$want</b> emails verified as sent through org.example'"
check "/stats marks the org's signing domains" sh -c \
    "curl -s 'http://127.0.0.1:$port/stats' | grep -q 'org.example (organization)'"
check "and not the look-alike" sh -c \
    "! curl -s 'http://127.0.0.1:$port/stats' | grep -q 'evil-org.example (organization)'"
kill $server; wait $server 2>/dev/null

eq "org remove takes it back" "$(mt a.db org remove org.example; mt a.db stats --json | jq_py 'd["affiliated"]')" "removed org.example
0"
