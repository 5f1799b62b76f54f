# Outlook input (issue 22): every PST/OST of ../shared/corpora/outlook
# against readpst (Debian pst-utils) item by item, every .msg against
# python3-olefile, the ledger (sources), provenance and derived_from,
# folder:, stores inside archives, re-ingest, and hostile stores.
. "$(dirname "$0")/lib.sh"

OUTLOOK="$CORPORA/outlook"
if [ ! -d "$OUTLOOK" ]; then
    skip "no ../shared/corpora/outlook: Outlook cases not run"
    exit 0
fi
mkdir -p "$work/pst"
cp "$OUTLOOK"/pst/*.pst "$work/pst/"
xz -dc "$OUTLOOK/pst/pstextractortest_outlook.com.ost.xz" > "$work/pst/outlook.ost"

# 1. Each store against readpst: the same e-mails, subjects and attachment names.
if command -v readpst >/dev/null; then
    for f in "$work"/pst/*; do
        b=$(basename "$f")
        rm -rf "$work/rp" && mkdir "$work/rp"
        # -j 0: readpst's parallel jobs race (the OST gave 14, 13 or 8 e-mails)
        readpst -j 0 -D -S -t e -o "$work/rp" "$f" >/dev/null 2>&1
        want=$(find "$work/rp" -type f | grep -cE '/[0-9]+$')
        rm -f "$work/one.db"*
        # readpst writes an embedded message inside its carrier: so do we, here
        mt one.db ingest --attached-inside "$f" >/dev/null 2>&1
        eq "$b: stored = readpst's e-mails ($want)" "$(mt one.db stats --json | jq_py 'd["emails"]')" "$want"
        mt one.db export --format jsonl > "$work/one.jsonl"
        eq "$b: each item's subject and attachment names as readpst writes them" \
           "$($PY "$DATA/pst-oracle.py" "$work/rp" "$work/one.jsonl")" "same $want"
    done
else
    skip "readpst (pst-utils) missing: item-by-item comparison not run"
fi

# 2. All of them in one archive: the ledger proves nothing was lost.
mt all.db ingest "$work/pst" "$OUTLOOK/msg" > "$work/ingest.out" 2> "$work/ingest.err"
eq "ingest of every store and .msg succeeds" "$?" 0
mt all.db sources --json > "$work/sources.json"
eq "every row: read = stored + duplicates + rejected" \
   "$(jq_py 'all(r["read"] == r["stored"] + r["duplicates"] + r["rejected"] for r in d)' < "$work/sources.json")" True
eq "the rows sum to ingest's own counts" \
   "$(jq_py '"read %d, stored %d new" % (sum(r["read"] for r in d), sum(r["stored"] for r in d))' < "$work/sources.json")" \
   "$(head -1 "$work/ingest.out" | sed 's/, [0-9]* duplicates.*//')"
eq "a store's row has its kind and what its folders promise" \
   "$(jq_py '[(r["kind"], r["expected"]) for r in d if r["path"] == "pst/tika-testPST.pst"]' < "$work/sources.json")" \
   "[('pst', 7)]"
eq "the OST is an ost" "$(jq_py '[r["kind"] for r in d if r["path"].endswith(".ost")]' < "$work/sources.json")" "['ost']"
eq ".msg files count under their directory (12, and the 4 messages attached to them); expected is null there" \
   "$(jq_py '[(r["kind"], r["read"], r["expected"]) for r in d if r["path"] == "msg"]' < "$work/sources.json")" \
   "[('directory', 16, None)]"
eq "every rejection has a reason" "$(mt all.db rejected --json | jq_py 'all(r["reason"] for r in d)')" True
eq "contacts are rejected by kind, with their folder" \
   "$(mt all.db rejected --json | jq_py 'sorted(set(r["member"].split("#")[0] for r in d if r["reason"] == "not an email: contact" and r["source"] == "pst/hiraoka-contacts.pst"))')" \
   "['Outlook データ ファイルのトップ/連絡先 (Contact dedicated)']"
eq "the OST's 169 calendar entries are listed as such" \
   "$(mt all.db rejected --json | jq_py 'sum(1 for r in d if r["reason"] == "not an email: calendar entry" and r["source"] == "pst/outlook.ost")')" 169
eq "posts in a store are rejected as readpst skips them" \
   "$(mt all.db rejected --json | jq_py 'sum(1 for r in d if r["reason"] == "not an email: post")')" 3
eq "no store fell short of its promise, so ingest named none" "$(grep -c promise "$work/ingest.err")" 0

# 3. Provenance, derived_from, the page, folder:.
id=$(mt all.db search --json 'subject:"Feature Generators"' | jq_py 'd["results"][0]["id"]')
mt all.db show --json "$id" > "$work/one.json"
eq "derived_from is pst for a store's item" "$(jq_py 'd["derived_from"]' < "$work/one.json")" pst
eq "its member is the folder path from the root folder, then # and the node id" \
   "$(jq_py 'd["sources"][0]["member"].split("#")[0]' < "$work/one.json")" "Début du fichier de données Outlook"
eq "node id" "$(jq_py 'd["sources"][0]["member"].split("#")[1].isdigit()' < "$work/one.json")" True
mid=$(mt all.db search --json 'subject:"test pièce jointe 1"' | jq_py 'd["results"][0]["id"]')
eq "derived_from is msg for a .msg" "$(mt all.db show --json "$mid" | jq_py 'd["derived_from"]')" msg
eq "mail read as it travelled has no derived_from" \
   "$(printf 'From: a@example.org\nSubject: plain\n\nbody\n' > "$work/plain.eml"; mt all.db ingest "$work/plain.eml" >/dev/null; mt all.db search --json 'subject:plain' | jq_py 'd["results"][0]["id"]' | xargs -I{} "$MAILTROVE" --archive "$work/all.db" show --json {} | jq_py 'd["derived_from"]')" None
eq "show says the email was rebuilt" "$(mt all.db show "$id" | grep -c '^REBUILT: from an Outlook store')" 1
eq "folder:WORD finds the items filed in it (accents folded)" "$(mt all.db count 'folder:debut')" 7
eq "folder: takes the folder path only, not the node id" "$(mt all.db count "folder:$(jq_py 'd["sources"][0]["member"].split("#")[1]' < "$work/one.json")")" 0
eq "folder:tmp" "$(mt all.db count folder:tmp)" 4

# 4. The same store again stores nothing new: its bytes are deterministic.
eq "re-ingest of the stores: all duplicates" "$(mt all.db ingest --json "$work/pst" | jq_py '(d["stored"], d["duplicates"])')" "(0, 32)"

# 5. Stores inside archives, compressed.
(cd "$work/pst" && tar czf "$work/stores.tgz" tika-testPST.pst pstsdk-sample1.pst)
$PY -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED).write(sys.argv[2], "in/various.pst")' \
    "$work/stores.zip" "$work/pst/tika-testPST_variousBodyTypes.pst"
mt arch.db ingest --attached-inside "$work/stores.tgz" >/dev/null 2>&1
eq "stores in a .tar.gz are read" "$(mt arch.db stats --json | jq_py 'd["emails"]')" 8
eq "their member is the store's name, !/, then the folder path" \
   "$(mt arch.db export --format jsonl 'subject:"Here is a sample message"' | jq_py 'd["sources"][0]["member"].split("#")[0]')" \
   "pstsdk-sample1.pst!/Top of Outlook data file/Sample1"
mt arch.db ingest --attached-inside "$work/stores.zip" >/dev/null 2>&1
eq "a store in a zip is read" "$(mt arch.db stats --json | jq_py 'd["emails"]')" 12

# 6. Hostile stores and .msg files: a clear rejection each, never a crash.
mkdir -p "$work/hostile"
$PY - "$work/pst/tika-testPST.pst" "$OUTLOOK/msg/poi-quick.msg" "$work/hostile" <<'PY'
import random, struct, sys
pst, msg, out = sys.argv[1:4]
d = open(pst, "rb").read()
open(out + "/truncated.pst", "wb").write(d[:20000])
b = bytearray(d); r = random.Random(7); mid = len(b) // 2
b[mid:mid + 4096] = bytes(r.randrange(256) for _ in range(4096))
open(out + "/corrupt-block.pst", "wb").write(b)
open(out + "/zero-filled.pst", "wb").write(d[:512] + bytes(len(d) - 512))
m = bytearray(open(msg, "rb").read())
ss = 1 << struct.unpack_from("<H", m, 0x1E)[0]
dirstart = struct.unpack_from("<I", m, 0x30)[0]
fat0 = struct.unpack_from("<I", m, 0x4C)[0]
struct.pack_into("<I", m, (fat0 + 1) * ss + 4 * dirstart, dirstart)   # a loop in the FAT
open(out + "/fat-loop.msg", "wb").write(m)
PY
mt hostile.db ingest "$work/hostile" > /dev/null 2> "$work/hostile.err"
eq "hostile Outlook input: ingest exits 0" "$?" 0
eq "nothing on stderr from the libraries" "$(cat "$work/hostile.err")" ""
eq "a truncated store: rejected with the reason" \
   "$(mt hostile.db rejected --json | jq_py '[r["reason"] for r in d if r["source"].endswith("truncated.pst")]')" \
   "['the store has no top folder (libpst)']"
eq "a zero-filled store: rejected" \
   "$(mt hostile.db rejected --json | jq_py '[r["reason"] for r in d if r["source"].endswith("zero-filled.pst")]')" \
   "['the store has no top folder (libpst)']"
eq "a .msg with a loop in its FAT: rejected as damaged" \
   "$(mt hostile.db rejected --json | jq_py '[r["reason"][:30] for r in d if r["source"].endswith("fat-loop.msg")]')" \
   "['a damaged OLE2 compound file (']"
eq "a store with a corrupted block: what can be read is, the ledger balances" \
   "$(mt hostile.db sources --json | jq_py '[r["read"] == r["stored"] + r["duplicates"] + r["rejected"] for r in d if r["path"].endswith("corrupt-block.pst")]')" \
   "[True]"

# 7. The .msg files against olefile: subject, body, recipients, attachments.
if $PY -c 'import olefile' 2>/dev/null; then
    mt msg.db ingest --attached-inside "$OUTLOOK/msg" >/dev/null 2>&1
    mt msg.db export --format jsonl > "$work/msg.jsonl"
    $PY "$DATA/msg-oracle.py" "$OUTLOOK/msg" "$work/msg.jsonl" | while read -r verdict name rest; do
        eq "$name as olefile reads it${rest:+ ($rest)}" "$verdict" ok
    done
else
    skip "python3-olefile missing: .msg oracle not run"
fi

# 8. The pages: an email from a store says so and shows its folder;
# /sources lists the files, linked from /stats.
"$MAILTROVE" --archive "$work/all.db" serve --listen 127.0.0.1:0 > "$work/serve.out" 2>"$work/serve.err" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q "^serving" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
U=$(sed -n 's/.* at \(http[^ ]*\)/\1/p' "$work/serve.out")
page=$(curl -s "${U}email/$id")
check "the page says the email was rebuilt from a store" grep -q 'Rebuilt from an Outlook store.</b> These are not the bytes that travelled' <<<"$page"
check "the page shows its folder" grep -q '<span class="folder">Début du fichier de données Outlook</span>' <<<"$page"
check "a .msg's page says so" grep -q 'Rebuilt from an Outlook .msg file' <<<"$(curl -s "${U}email/$mid")"
sources=$(curl -s "${U}sources")
check "/sources lists each store as its last ingest found it (all duplicates), with its promise" grep -q '<code>pst/tika-testPST.pst</code></td><td>pst</td><td>7</td><td>0</td><td>7</td><td>0</td><td>7</td>' <<<"$sources"
check "/stats links to /sources" grep -q 'href="/sources"' <<<"$(curl -s "${U}stats")"
kill $server; wait $server 2>/dev/null
