# Faults: kill -9 at many points of ingest, verify and reindex; a full
# disk; a file size limit; a read-only archive; an archive locked by
# another writer.  After each, the archive must pass SQLite's integrity
# check, stay self-consistent, and reach exactly the result of an
# uninterrupted run when the command is run again.
#
# Kill points are spread evenly over the measured length of an
# uninterrupted run (so they land in every phase: opening, parsing,
# batch commits, threading, corroboration).  FAULT_POINTS sets how many
# per command: 20 by default, 6 in the sanitizer pass (same code paths,
# 3-5x slower); `FAULT_POINTS=100 tests/run T110` for a longer run.
. "$(dirname "$0")/lib.sh"

points=${FAULT_POINTS:-20}
[ "$TEST_LABEL" = sanitized ] && points=${FAULT_POINTS:-6}

# 20,000 messages signed by one DKIM key: each message is the same signed
# one with a different unsigned X-Sequence header, so all verify.
$PY - "$work" <<'PY'
import base64, os, sys
import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
work = sys.argv[1]
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                        serialization.NoEncryption())
pub = base64.b64encode(key.public_key().public_bytes(serialization.Encoding.DER,
                       serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
open(os.path.join(work, "keys.zone"), "w").write(
    's1._domainkey.example.org. TXT "v=DKIM1; k=rsa; p=%s"\n' % pub)
body = (b"From: Press Office <press@example.org>\r\nTo: desk@example.net\r\n"
        b"Subject: Statement on the budget\r\nDate: Mon, 03 Apr 2017 09:00:00 +0000\r\n\r\n"
        b"The statement is attached to this message and embargoed until noon.\r\n")
signed = dkim.sign(body, b"s1", b"example.org", pem,
                   include_headers=[b"from", b"to", b"subject", b"date"]) + body
with open(os.path.join(work, "big.mbox"), "wb") as f:
    for i in range(20000):
        f.write(b"From press@example.org Mon Apr  3 09:00:00 2017\n")
        f.write(b"X-Sequence: %d\n" % i + signed.replace(b"\r\n", b"\n") + b"\n")
PY

consistent() {
    sqlite3 "$1" "PRAGMA integrity_check" 2>&1 | tr '\n' ' '
    sqlite3 "$1" "SELECT (SELECT count(*) FROM email) = (SELECT count(*) FROM raw)
        AND (SELECT count(*) FROM email) = (SELECT count(DISTINCT email_id) FROM source)" 2>&1
}
# duration COMMAND...: seconds (float) an uninterrupted run takes
duration() {
    $PY -c 'import subprocess, sys, time
t = time.monotonic(); subprocess.run(sys.argv[1:], capture_output=True)
print("%.2f" % (time.monotonic() - t))' "$@"
}
# kill_at SECONDS COMMAND...: start it, kill -9 after SECONDS
kill_at() {
    local delay=$1; shift
    "$@" >/dev/null 2>&1 &
    local pid=$!
    sleep "$delay"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
}
# delays LENGTH: POINTS delays spread over LENGTH seconds
delays() {
    $PY -c "import sys; n=int(sys.argv[2]); print(' '.join('%.3f' % (float(sys.argv[1]) * (i + 0.5) / n) for i in range(n)))" "$1" "$points"
}

# --- the uninterrupted runs -------------------------------------------------
mt base.db ingest "$work/big.mbox" >/dev/null
mt base.db keys import "$work/keys.zone" >/dev/null
base_ingest=$(mt base.db stats --json)
eq "uninterrupted verify" "$(mt base.db verify --json)" \
   '{"verified":20000,"weak":0,"failed":0,"nokey":0,"unsigned":0}'
base_verified=$(mt base.db stats --json)
base_search=$(mt base.db search --json --limit 5 embargoed statement)
cp "$work/base.db" "$work/verified.db"

# --- ingest -------------------------------------------------------------------
length=$(duration "$MAILTROVE" --archive "$work/time-ingest.db" ingest "$work/big.mbox")
survived=0
for delay in $(delays "$length"); do
    rm -f "$work"/k.db*
    kill_at "$delay" "$MAILTROVE" --archive "$work/k.db" ingest "$work/big.mbox"
    # killed before its first commit: a database with no tables yet
    # (reading commands say it is empty, T024), which the re-run
    # makes an archive
    if [ -e "$work/k.db" ] && [ "$(sqlite3 "$work/k.db" "SELECT count(*) FROM sqlite_master")" != 0 ]; then
        state=$(consistent "$work/k.db")
        [ "$state" = "ok 1" ] || { fail "ingest killed after ${delay}s: archive damaged: $state"; continue; }
    fi
    mt k.db ingest "$work/big.mbox" >/dev/null 2>&1
    got=$(mt k.db stats --json)
    [ "$got" = "$base_ingest" ] || { fail "ingest killed after ${delay}s: re-ingest gives $got"; continue; }
    survived=$((survived + 1))
done
eq "ingest killed at $points points over ${length}s: archive intact, re-run complete each time" \
   "$survived" "$points"

# --- verify -----------------------------------------------------------------------
cp "$work/base.db" "$work/time-verify.db"
sqlite3 "$work/time-verify.db" "PRAGMA journal_mode=DELETE" >/dev/null
length=$(duration "$MAILTROVE" --archive "$work/time-verify.db" verify)
survived=0
for delay in $(delays "$length"); do
    rm -f "$work"/k.db*
    cp "$work/time-verify.db" "$work/k.db"
    # start from unverified results, so a kill leaves a mixture
    sqlite3 "$work/k.db" "UPDATE email SET verdict = 'nokey'" 2>/dev/null
    kill_at "$delay" "$MAILTROVE" --archive "$work/k.db" verify
    state=$(consistent "$work/k.db")
    [ "$state" = "ok 1" ] || { fail "verify killed after ${delay}s: archive damaged: $state"; continue; }
    mt k.db verify >/dev/null 2>&1
    got=$(mt k.db stats --json)
    [ "$got" = "$base_verified" ] || { fail "verify killed after ${delay}s: re-verify gives $got"; continue; }
    survived=$((survived + 1))
done
eq "verify killed at $points points over ${length}s: archive intact, re-run complete each time" \
   "$survived" "$points"

# --- reindex -------------------------------------------------------------------------
length=$(duration "$MAILTROVE" --archive "$work/time-verify.db" reindex)
survived=0
for delay in $(delays "$length"); do
    rm -f "$work"/k.db*
    cp "$work/time-verify.db" "$work/k.db"
    kill_at "$delay" "$MAILTROVE" --archive "$work/k.db" reindex
    state=$(consistent "$work/k.db")
    [ "$state" = "ok 1" ] || { fail "reindex killed after ${delay}s: archive damaged: $state"; continue; }
    # the index is whole even before the re-run: reindex is one transaction
    got=$(mt k.db search --json --limit 5 embargoed statement)
    [ "$got" = "$base_search" ] || { fail "reindex killed after ${delay}s: search gives ${got:0:200}"; continue; }
    mt k.db reindex >/dev/null 2>&1
    got=$(mt k.db search --json --limit 5 embargoed statement)
    [ "$got" = "$base_search" ] || { fail "reindex killed after ${delay}s: re-run search gives ${got:0:200}"; continue; }
    survived=$((survived + 1))
done
eq "reindex killed at $points points over ${length}s: archive and index intact each time" \
   "$survived" "$points"

# --- a full disk and a file size limit ---------------------------------------------------
fixtures=$(mt full.db ingest --json "$DATA/mail" "$DATA/mbox")
before=$(mt full.db stats --json | jq_py 'd["emails"]')
if unshare -m true 2>/dev/null; then
    mkdir -p "$work/small"
    out=$(unshare -m sh -c 'mount -t tmpfs -o size=3m tmpfs "$1" && cp "$2"/full.db "$1"/ &&
          "$3" --archive "$1/full.db" ingest "$4"; echo "rc=$?";
          cp "$1"/full.db* "$2"/' - "$work/small" "$work" "$MAILTROVE" "$work/big.mbox" 2>&1)
    check "disk full: ingest fails with a clear message ($(echo "$out" | grep mailtrove: | head -1))" \
        sh -c "echo '$out' | grep -q 'rc=1' && echo '$out' | grep -q 'disk is full'"
    eq "disk full: the archive is intact" "$(consistent "$work/full.db")" "ok 1"
    eq "disk full: what was there before is still there" \
       "$(mt full.db stats --json | jq_py 'd["emails"] >= '"$before")" True
    mt full.db ingest "$work/big.mbox" >/dev/null 2>&1
    eq "disk full: with space again, ingest completes" \
       "$(mt full.db stats --json | jq_py 'd["emails"]')" $((before + 20000))
else
    skip "disk full: cannot mount a small tmpfs here (unshare -m not permitted)"
fi
mt limit.db ingest "$DATA/mail" >/dev/null
out=$(ulimit -f 3000; "$MAILTROVE" --archive "$work/limit.db" ingest "$work/big.mbox" 2>&1); rc=$?
eq "file size limit: ingest exits 1" "$rc" 1
check "file size limit: the message says what to check ($(echo "$out" | tail -1))" \
    sh -c "echo '$out' | grep -q 'file size limit'"
eq "file size limit: the archive is intact" "$(consistent "$work/limit.db")" "ok 1"

# --- read-only and locked archives ---------------------------------------------------------
if unshare -m true 2>/dev/null; then
    mkdir -p "$work/ro"
    cp "$work/verified.db" "$work/ro/a.db"
    out=$(unshare -m sh -c 'mount --bind -o ro "$1" "$1" &&
          "$2" --archive "$1/a.db" ingest "$3"; echo "ingest rc=$?";
          "$2" --archive "$1/a.db" count embargoed; echo "count rc=$?"' - "$work/ro" "$MAILTROVE" "$DATA/mail" 2>&1)
    check "read-only archive: ingest refuses, saying why" \
        sh -c "echo '$out' | grep -q 'ingest rc=1' && echo '$out' | grep -q 'archive is read-only'"
    check "read-only archive (published on read-only media): searching still works" \
        sh -c "echo '$out' | grep -q '^20000$' && echo '$out' | grep -q 'count rc=0'"
else
    skip "read-only archive: cannot make a read-only mount here"
fi
cp "$work/verified.db" "$work/locked.db"
$PY - "$work/locked.db" "$MAILTROVE" "$DATA/mail" <<'PY' > "$work/locked.out" 2>&1
import sqlite3, subprocess, sys
db, mailtrove, data = sys.argv[1:]
holder = sqlite3.connect(db, isolation_level=None)
holder.execute("PRAGMA journal_mode=WAL")
holder.execute("BEGIN EXCLUSIVE")
w = subprocess.run([mailtrove, "--archive", db, "ingest", data], capture_output=True, text=True)
r = subprocess.run([mailtrove, "--archive", db, "count", "embargoed"], capture_output=True, text=True)
print("ingest", w.returncode, w.stderr.strip())
print("count", r.returncode, r.stdout.strip())
PY
check "locked archive: ingest gives up with a clear message ($(head -1 "$work/locked.out"))" \
    grep -q "^ingest 1 .*another process is writing this archive" "$work/locked.out"
check "locked archive: readers are not blocked" grep -q "^count 0 20000" "$work/locked.out"
