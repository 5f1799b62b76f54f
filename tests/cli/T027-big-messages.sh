# Big mail (issue 25): a message of 70 MB (a 52 MB video attached) is
# stored whole; past the size limit (512 MiB, or --max-message) what fits
# is stored, marked truncated, never nothing, and DKIM never calls the cut
# a tampering.
. "$(dirname "$0")/lib.sh"

$PY - "$work" <<'PY'
import base64, hashlib, os, random, sys
work = sys.argv[1]
rng = random.Random(52)
video = rng.randbytes(52_000_000)
b64 = base64.encodebytes(video)
msg = (b"From: Field Reporter <reporter@example.org>\nTo: desk@example.org\n"
       b"Subject: the footage\nMessage-ID: <footage@example.org>\nMIME-Version: 1.0\n"
       b"Content-Type: multipart/mixed; boundary=\"v\"\n\n--v\nContent-Type: text/plain\n\n"
       b"Footage attached.\n--v\nContent-Type: video/mp4\nContent-Disposition: attachment; "
       b"filename=\"rally.mp4\"\nContent-Transfer-Encoding: base64\n\n" + b64 + b"--v--\n")
open(os.path.join(work, "footage.eml"), "wb").write(msg)
open(os.path.join(work, "footage.sha256"), "w").write(
    "%s %s %d\n" % (hashlib.sha256(msg).hexdigest(), hashlib.sha256(video).hexdigest(), len(msg)))
PY
read msg_sha video_sha msg_size < "$work/footage.sha256"
eq "a 70 MB message is stored" "$(mt big.db ingest --json "$work/footage.eml")" \
   '{"read":1,"stored":1,"duplicates":0,"rejected":0}'
eq "byte for byte" "$(mt big.db show --raw 1 | sha256sum | cut -d' ' -f1)" "$msg_sha"
eq "its 52 MB attachment is listed with its size and hash" \
   "$(sqlite3 "$work/big.db" "SELECT filename, size, lower(hex(sha256)) FROM attachment WHERE email_id = 1")" \
   "rally.mp4|52000000|$video_sha"
eq "and it is not marked truncated" "$(mt big.db show --json 1 | jq_py 'd["truncated_from"]')" None

# Past the limit (lowered here to 64 KiB): the headers and the start of the
# body are stored, marked; a signature over the whole body is not checkable,
# never "failed: altered".
$PY - "$work" <<'PY'
import os, sys
work = sys.argv[1]
body = b"".join(b"line %06d of a long report that goes on and on\n" % i for i in range(5000))
msg = (b"From: a@example.org\nTo: b@example.org\nSubject: long report\n"
       b"Message-ID: <long-report@example.org>\n\n" + body)
open(os.path.join(work, "long.eml"), "wb").write(msg)
with open(os.path.join(work, "long.mbox"), "wb") as f:
    f.write(b"From a@example.org Mon Apr 24 18:03:11 2017\n" + msg.replace(b"long-report", b"long-mbox") + b"\n")
    f.write(b"From b@example.org Mon Apr 24 18:04:11 2017\nFrom: b@example.org\nSubject: short\n\nafter\n")
open(os.path.join(work, "long.size"), "w").write("%d\n" % len(msg))
PY
size=$(cat "$work/long.size")
eq "past --max-message the message is stored, not rejected" \
   "$(mt cut.db ingest --json --max-message 64K "$work/long.eml" "$work/long.mbox")" \
   '{"read":3,"stored":3,"duplicates":0,"rejected":0}'
eq "marked with its whole size" "$(mt cut.db show --json 1 | jq_py 'd["truncated_from"]')" "$size"
check "its stored bytes are the file's first 64 KiB" sh -c \
    "[ \"\$('$MAILTROVE' --archive '$work/cut.db' show --raw 1 | sha256sum)\" = \"\$(head -c 65536 '$work/long.eml' | sha256sum)\" ]"
check "show says it is truncated, and by how much" sh -c \
    "'$MAILTROVE' --archive '$work/cut.db' show 1 | grep -q '^TRUNCATED: this message was $size bytes, over the size limit; only its first 65536 bytes'"
eq "its headers are all there" "$(mt cut.db show --json 1 | jq_py 'd["subject"]')" "long report"
eq "in an mbox, the message after the big one is read as usual" \
   "$(mt cut.db search --json 'subject:short' | jq_py 'd["total"]')" 1
eq "a bad size is a usage error" "$(mt x.db ingest --max-message lots "$work/long.eml" >/dev/null 2>&1; echo $?)" 2

if $PY -c 'import dkim' 2>/dev/null; then
    $PY - "$work" <<'PY'
import base64, os, sys, dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
work = sys.argv[1]
k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
pem = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                      serialization.NoEncryption())
pub = base64.b64encode(k.public_key().public_bytes(serialization.Encoding.DER,
                       serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
open(os.path.join(work, "big.zone"), "w").write('s._domainkey.example.org. TXT "v=DKIM1; p=%s"\n' % pub)
msg = open(os.path.join(work, "long.eml"), "rb").read().replace(b"\n", b"\r\n")
open(os.path.join(work, "signed-long.eml"), "wb").write(dkim.sign(msg, b"s", b"example.org", pem) + msg)
PY
    mt sig.db ingest --max-message 64K --keys "$work/big.zone" "$work/signed-long.eml" >/dev/null 2>&1
    eq "a signed message cut at the limit: the signature could not be checked, not altered" \
       "$(sqlite3 "$work/sig.db" "SELECT e.verdict || ' ' || g.result || ': ' || g.reason FROM email e JOIN signature g ON g.email_id = e.id")" \
       "failed permerror: the message was cut at ingest (over the size limit): its body cannot be checked"
    eq "search calls it unchecked" "$(mt sig.db count dkim:unchecked) $(mt sig.db count dkim:altered)" "1 0"
    mt sig.db keys import "$work/big.zone" >/dev/null 2>&1
    sqlite3 "$work/sig.db" "UPDATE signature SET result = 'nokey'; UPDATE email SET verdict = 'nokey'"
    mt sig.db verify >/dev/null 2>&1
    eq "verify from the stored bytes says the same" \
       "$(sqlite3 "$work/sig.db" "SELECT e.verdict || ' ' || g.result FROM email e JOIN signature g ON g.email_id = e.id")" \
       "failed permerror"
else
    skip "python3-dkim missing: signed truncated message not tried"
fi
