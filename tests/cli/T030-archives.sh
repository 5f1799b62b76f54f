# tar, tar.gz, zip, nested archives and compressed single files, built here
# from the fixtures; each must give the same emails as the plain files.
. "$(dirname "$0")/lib.sh"

$PY - "$DATA" "$work" <<'PY'
import gzip, io, os, sys, tarfile, zipfile
data, work = sys.argv[1], sys.argv[2]
files = [os.path.join(d, f) for d in ("mail", "mbox") for f in sorted(os.listdir(os.path.join(data, d)))]
def add_tar(path, mode):
    with tarfile.open(path, mode) as t:
        for f in files:
            t.add(os.path.join(data, f), arcname="dump/" + f)
add_tar(os.path.join(work, "dump.tar"), "w")
add_tar(os.path.join(work, "dump.tar.gz"), "w:gz")
add_tar(os.path.join(work, "dump.tar.bz2"), "w:bz2")
add_tar(os.path.join(work, "dump.tar.xz"), "w:xz")
with zipfile.ZipFile(os.path.join(work, "dump.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for f in files:
        z.write(os.path.join(data, f), "dump/" + f)
# a zip holding a tar.gz holding the files, plus one loose message
inner = open(os.path.join(work, "dump.tar.gz"), "rb").read()
with zipfile.ZipFile(os.path.join(work, "nested.zip"), "w") as z:
    z.writestr("inner.tar.gz", inner)
    z.writestr("../escape/loose.eml", open(os.path.join(data, "mail/simple.eml"), "rb").read())
with gzip.open(os.path.join(work, "list.mboxrd.gz"), "wb") as g:
    g.write(open(os.path.join(data, "mbox/list.mboxrd"), "rb").read())
raw = open(os.path.join(work, "dump.tar.gz"), "rb").read()
open(os.path.join(work, "truncated.tar.gz"), "wb").write(raw[: len(raw) // 2])
PY
zstd -q -o "$work/list.mboxrd.zst" "$DATA/mbox/list.mboxrd"

plain=$(mt plain.db ingest --json "$DATA/mail" "$DATA/mbox")
# 10 messages, and the message attached to attachments.eml stored on its own
eq "plain files" "$plain" '{"read":11,"stored":11,"duplicates":0,"rejected":0}'
mt plain.db export --format jsonl | jq_py 'd["sha256"]' >/dev/null 2>&1
sums() { for i in $(seq 1 10); do mt "$1" show --json $i | jq_py 'd["sha256"]'; done | sort; }
want=$(sums plain.db)
for a in dump.tar dump.tar.gz dump.tar.bz2 dump.tar.xz dump.zip nested.zip; do
    out=$(mt "$a.db" ingest --json "$work/$a")
    if [ "$a" = nested.zip ]; then
        eq "$a counts (10 inside the tar.gz + 1 loose, + 1 attached message)" "$out" '{"read":12,"stored":11,"duplicates":1,"rejected":0}'
    else
        eq "$a counts (+ 1 attached message)" "$out" '{"read":11,"stored":11,"duplicates":0,"rejected":0}'
    fi
    eq "$a gives the same bytes" "$(sums "$a.db")" "$want"
done
eq "member names are recorded" "$(mt dump.zip.db show --json 1 | jq_py 'd["sources"][0]["member"]')" "dump/mail/alternative.eml"
eq "nested members are joined with !/" "$(mt nested.zip.db show --json 1 | jq_py 'd["sources"][0]["member"]')" "inner.tar.gz!/dump/mail/alternative.eml"
eq "a path-traversal member name is only a name" \
   "$(mt nested.zip.db show --json 5 | jq_py '[s["member"] for s in d["sources"]]')" "['inner.tar.gz!/dump/mail/simple.eml', '../escape/loose.eml']"
check "nothing was written outside the work dir" test ! -e "$work/../escape"

for c in list.mboxrd.gz list.mboxrd.zst; do
    out=$(mt "$c.db" ingest --json "$work/$c")
    eq "$c counts" "$out" '{"read":3,"stored":3,"duplicates":0,"rejected":0}'
    eq "$c message 3 bytes" "$(mt "$c.db" show --raw 3 | sha256sum)" "$(sha256sum < "$DATA/expected/list-3.eml")"
    eq "$c offsets are in the decompressed stream" "$(mt "$c.db" show --json 2 | jq_py 'd["sources"][0]["offset"]')" 253
done

out=$(mt trunc.db ingest --json "$work/truncated.tar.gz"); rc=$?
eq "a truncated archive does not fail the run" $rc 0
n=$(mt trunc.db stats --json | jq_py 'd["rejected"]')
check "a truncated archive is listed as rejected" test "$n" -ge 1
check "the truncation reason says damaged or truncated" sh -c "'$MAILTROVE' --archive '$work/trunc.db' rejected | grep -qiE 'damaged|truncat|could not be read'"
check "ingest counts add up on a truncated archive" $PY -c "
import json,sys; d=json.loads('$out'); sys.exit(d['read'] != d['stored']+d['duplicates']+d['rejected'])"
