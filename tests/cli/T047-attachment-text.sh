# Attachment text (issue 23): every text-bearing file of
# ../shared/corpora/attachments, mailed as an attachment by Python's email
# package, is found by attached: with the words an independent reader
# finds in it (tests/data/attachment-oracle.py: pdftotext, zipfile + etree,
# html.parser, codecs); hostile files give their outcome with a reason and
# their carrier is stored; attached messages become emails of their own;
# show --json and /email/ID/attachment/N/text.
. "$(dirname "$0")/lib.sh"

# jq_py_lines EXPRESSION: a list-valued expression over each JSON line (d), joined
jq_py_lines() {
    $PY -c 'import json, sys
out = []
for l in sys.stdin:
    out.extend(eval(sys.argv[1], {"d": json.loads(l)}))
print(out)' "$1"
}

A="$CORPORA/attachments"
if [ ! -d "$A" ]; then
    skip "no ../shared/corpora/attachments: attachment text cases not run"
    exit 0
fi
mkdir -p "$work/mail"
$PY - "$A" "$work/mail" "$CORPORA/outlook/msg/poi-quick.msg" <<'PY'
import email.message, mimetypes, os, sys
root, out, msg = sys.argv[1:4]
n = 0
def carrier(label, data, filename, ctype=None):
    global n
    n += 1
    m = email.message.EmailMessage()
    m["From"] = "desk@example.org"
    m["To"] = "editor@example.net"
    m["Subject"] = "carrier of " + label
    m["Message-ID"] = "<carrier-%s@test>" % label.replace("/", "-")
    m.set_content("This email carries one file.")
    ct = ctype or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    m.add_attachment(data, maintype=ct.split("/")[0], subtype=ct.split("/")[1], filename=filename)
    open(os.path.join(out, "%03d.eml" % n), "wb").write(bytes(m))
for sub in ("pdf", "office", "rtf", "html", "text", "hostile"):
    for f in sorted(os.listdir(os.path.join(root, sub))):
        if not f.endswith(".eml"):
            carrier(sub + "/" + f, open(os.path.join(root, sub, f), "rb").read(), f)
if os.path.exists(msg):
    carrier("msg/poi-quick.msg", open(msg, "rb").read(), "poi-quick.msg", "application/vnd.ms-outlook")
PY
cp "$A"/rfc822/*.eml "$work/mail/"
mt a.db ingest "$work/mail" > "$work/ingest.out" 2> "$work/ingest.err"
eq "every carrier ingests (exit 0)" "$?" 0
files=$(ls "$work"/mail/*.eml | wc -l)
eq "every carrier is stored, whatever its attachment" \
   "$(mt a.db count 'subject:carrier')" "$(( $(ls "$work"/mail/0*.eml | wc -l) ))"

# 1. The words an independent reader finds, found by attached:
$PY "$DATA/attachment-oracle.py" "$A" > "$work/words"
check "the oracle found words in the corpus" [ "$(wc -l < "$work/words")" -gt 40 ]
while IFS=$'\t' read -r file word; do
    id="carrier-${file//\//-}@test"
    eq "attached:\"$word\" finds the carrier of $file" "$(mt a.db count "id:$id attached:\"$word\"")" 1
done < "$work/words"
eq "plain words match attachment text too" \
   "$(mt a.db count 'id:carrier-pdf-tika-testPDF.pdf@test infrastructure')" 1
eq "attached: does not match the body" "$(mt a.db count 'attached:"carries one file"')" 0

# 2. Outcomes, with their reasons.
outcome() {  # outcome FILE: "extraction reason" of its carrier's attachment
    mt a.db export --format jsonl "id:carrier-${1//\//-}@test" \
        | jq_py '(d["attachments"][0]["extraction"], d["attachments"][0]["extraction_reason"] is not None)'
}
eq "an image-only PDF: empty, with a reason" "$(outcome pdf/tika-testOCR.pdf)" "('empty', True)"
eq "a legacy Word file (.doc): read, ok" "$(outcome office/tika-testWORD.doc)" "('ok', False)"
eq "a legacy Excel file (.xls): read, ok" "$(outcome office/tika-testEXCEL.xls)" "('ok', False)"
eq "a .xls's numbers, formulas' results included, are found" \
   "$(mt a.db count 'id:carrier-office-tika-testEXCEL.xls@test attached:225')" 1
eq "a .doc's field codes are not text (HYPERLINK), their results are" \
   "$(mt a.db count 'id:carrier-office-tika-testWORD.doc@test attached:HYPERLINK') $(mt a.db count 'id:carrier-office-tika-testWORD.doc@test attached:"tika.apache.org"')" "0 1"
for f in qpdf-enc-R2V1-U_view-O_master.pdf qpdf-enc-R3V2-U_view-O_master.pdf \
         qpdf-enc-R6V5-U_view-O_master.pdf tika-testPassword4Spaces.pdf \
         tika-testUnicodePassword.pdf tika-testODTEncrypted.odt \
         tika-testWORD_protected_passtika.docx tika-testEXCEL_protected_passtika.xlsx; do
    eq "$f: encrypted" "$(outcome "hostile/$f")" "('encrypted', True)"
done
eq "owner password only: opened with the empty user password" \
   "$(outcome hostile/qpdf-enc-R3V2-O_master.pdf)" "('ok', False)"
for f in poi-poc-xmlbomb.xlsx poi-poc-xmlbomb-empty.xlsx poi-54764.xlsx; do
    eq "$f: an entity bomb is a limit" "$(outcome "hostile/$f")" "('limit', True)"
done
for f in tika-testWORD_truncated.docx tika-testZIP_corrupted_oom.zip; do
    eq "$f: failed" "$(outcome "hostile/$f")" "('failed', True)"
done
eq "every hostile file has an outcome" \
   "$(mt a.db export --format jsonl 'subject:"carrier of hostile"' | $PY -c '
import json, sys
print(all(json.loads(l)["attachments"][0]["extraction"] in
          ("ok", "empty", "encrypted", "unsupported", "failed", "limit") for l in sys.stdin))')" True
eq "an external entity fetched nothing (no /etc/passwd in any text)" "$(mt a.db count 'attached:"root:x"')" 0
# The hostile files alone: the peak memory of the ingest and its helpers
# (GNU time's %M counts the reaped children) stays within the helper's
# documented 1 GiB (docs/limits.md); measured about 32 MiB plainly.
mkdir -p "$work/hostile"
grep -l '^Subject: carrier of hostile/' "$work"/mail/*.eml | xargs cp -t "$work/hostile"
/usr/bin/time -f %M -o "$work/hostile.peak" \
    "$MAILTROVE" --archive "$work/hostile.db" ingest "$work/hostile" > /dev/null 2>&1
eq "the hostile files' carriers are all stored" \
   "$(mt hostile.db count 'subject:carrier')" "$(ls "$work/hostile" | wc -l)"
check "ingest of the hostile files peaks within 1 GiB ($(( $(tail -1 "$work/hostile.peak") / 1024 )) MiB)" \
    [ "$(tail -1 "$work/hostile.peak")" -le 1048576 ]
# poi-xxe_in_schema.xlsx names a schema at http://localhost (xs:redefine):
# a reader that followed it would connect().  Every process of the ingest,
# the extraction helper included (-f), is watched for a network connect.
if command -v strace >/dev/null && [ -s "$A/hostile/poi-xxe_in_schema.xlsx" ]; then
    mkdir -p "$work/xxe"
    cp "$work/mail/$(grep -l 'carrier-hostile-poi-xxe_in_schema.xlsx@test' "$work"/mail/*.eml | head -1 | xargs basename)" "$work/xxe/"
    strace -f -qq -e trace=connect,execve -o "$work/xxe.strace" \
        "$MAILTROVE" --archive "$work/xxe.db" ingest "$work/xxe" > /dev/null 2>&1
    eq "the XXE file's carrier is stored under strace" "$(mt xxe.db count 'subject:carrier')" 1
    check "strace followed the ingest into its extraction helper" \
        grep -q "__extract" "$work/xxe.strace"
    eq "no connect() to a network address while reading it" \
        "$(grep -c 'AF_INET' "$work/xxe.strace")" 0
else
    skip "strace missing (apt-get install strace): no connect() check of the XXE file"
fi

# 3. Attached messages are emails of their own, linked to their carrier.
carrier=$(mt a.db search --json 'subject:"carrier of msg/poi-quick.msg"' | jq_py 'd["results"][0]["id"] if d["results"] else ""')
if [ -n "$carrier" ]; then
    eq "an attached .msg is an email of its own, derived from msg, at <carrier>/attachment/1" \
       "$(mt a.db export --format jsonl | jq_py_lines "[(d['derived_from'], s['member']) for s in d['sources'] if s['member'] == '$carrier/attachment/1']")" \
       "[('msg', '$carrier/attachment/1')]"
fi
embedded=$(mt a.db export --format jsonl | jq_py_lines "[d['id'] for s in d['sources'] if s['member'] and s['member'].endswith('/attachment/1') and s['path'].endswith('mimekit-simple-embedded-message.eml')]")
check "a message/rfc822 part is stored as an email of its own" [ "$embedded" != "[]" ]
eq "the ledger balances with them" \
   "$(mt a.db sources --json | jq_py 'all(r["read"] == r["stored"] + r["duplicates"] + r["rejected"] for r in d)')" True

# 4. show and the text route.
pdf=$(mt a.db search --json 'id:carrier-pdf-tika-testPDF.pdf@test' | jq_py 'd["results"][0]["id"]')
eq "show --json: text_bytes, extraction, extraction_reason" \
   "$(mt a.db show --json "$pdf" | jq_py '(d["attachments"][0]["text_bytes"] > 500, d["attachments"][0]["extraction"], d["attachments"][0]["extraction_reason"])')" \
   "(True, 'ok', None)"
"$MAILTROVE" --archive "$work/a.db" serve --listen 127.0.0.1:0 > "$work/serve.out" 2>"$work/serve.err" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q "^serving" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
U=$(sed -n 's/.* at \(http[^ ]*\)/\1/p' "$work/serve.out")
curl -s -D "$work/h" "${U}email/$pdf/attachment/1/text" > "$work/t"
check "the text route serves the text" grep -q "Apache Tika is a toolkit" "$work/t"
check "as text/plain in UTF-8" grep -qi '^content-type: text/plain; charset=utf-8' "$work/h"
check "with nosniff" grep -qi '^x-content-type-options: nosniff' "$work/h"
check "the page links it" grep -q "/email/$pdf/attachment/1/text" <<<"$(curl -s "${U}email/$pdf")"
eq "no such attachment: 404" "$(curl -s -o /dev/null -w '%{http_code}' "${U}email/$pdf/attachment/9/text")" 404
# A hit in an attachment: the snippet comes from it and says which.
eq "search --json: the snippet is cut from the attachment, which it names" \
   "$(mt a.db search --json 'id:carrier-pdf-tika-testPDF.pdf@test infrastructure' | jq_py 'd["results"][0]["snippet"].split("] ")[0] + "] " + str("**infrastructure**" in d["results"][0]["snippet"].lower())')" \
   "[attachment 1: tika-testPDF.pdf] True"
check "search (text) says in which attachment" sh -c \
    "'$MAILTROVE' --archive '$work/a.db' search 'id:carrier-pdf-tika-testPDF.pdf@test infrastructure' | grep -q 'in attachment 1, tika-testPDF.pdf: '"
eq "a word of the body still gives the body's snippet" \
   "$(mt a.db search --json 'id:carrier-pdf-tika-testPDF.pdf@test carries' | jq_py 'd["results"][0]["snippet"]')" \
   "This email **carries** one file."
check "the web's result says so and links the attachment's text" sh -c \
    "curl -s '${U}search?q=id%3Acarrier-pdf-tika-testPDF.pdf%40test+infrastructure' | grep -q 'In the attachment <a href=\"/email/$pdf/attachment/1/text\">tika-testPDF.pdf</a>:'"
kill $server; wait $server 2>/dev/null

# 5. OCR (opt-in): the image-only PDF, a picture of its page (made by
# pdftoppm, poppler-utils) and a PNG without text, read by Tesseract.
mkdir -p "$work/ocr"
if command -v pdftoppm >/dev/null; then
    pdftoppm -png -r 150 -singlefile "$A/pdf/tika-testOCR.pdf" "$work/ocr/page"
    $PY - "$A/pdf/tika-testOCR.pdf" "$work/ocr/page.png" "$work/ocr" <<'PY'
import email, email.message, os, sys
pdf, png, out = sys.argv[1:4]
src = email.message_from_binary_file(open(os.path.join(os.path.dirname(os.path.dirname(pdf)),
                                     "rfc822", "tika-testEmailWithPNGAtt.eml"), "rb"))
blank = next(p.get_payload(decode=True) for p in src.walk() if p.get_content_maintype() == "image")
for name, data, sub in (("scan", open(pdf, "rb").read(), "pdf"), ("picture", open(png, "rb").read(), "png"),
                        ("blank", blank, "png")):
    m = email.message.EmailMessage()
    m["From"], m["To"], m["Subject"] = "desk@example.org", "editor@example.net", "ocr " + name
    m["Message-ID"] = "<ocr-%s@test>" % name
    m.set_content("One attachment.")
    m.add_attachment(data, maintype="application" if sub == "pdf" else "image", subtype=sub,
                     filename=name + "." + sub)
    open(os.path.join(out, name + ".eml"), "wb").write(bytes(m))
PY
    ocr_outcome() {  # ocr_outcome DB NAME: "extraction reason" of its attachment
        mt "$1" export --format jsonl "id:ocr-$2@test" \
            | jq_py '(d["attachments"][0]["extraction"], d["attachments"][0]["extraction_reason"])'
    }
    mt noocr.db ingest "$work/ocr/scan.eml" "$work/ocr/picture.eml" >/dev/null 2>&1
    eq "without --ocr, a picture is unsupported and says --ocr reads it" \
       "$(ocr_outcome noocr.db picture)" \
       "('unsupported', 'an image: its text, if any, is read only with OCR (ingest --ocr)')"
    eq "without --ocr, the scan's words are not found" "$(mt noocr.db count 'attached:happy')" 0
    eq "reindex --ocr reads the scan and the picture" \
       "$(mt noocr.db reindex --ocr >/dev/null; mt noocr.db count 'attached:"happy new year"')" 2
    mt ocr.db ingest --ocr "$work/ocr/scan.eml" "$work/ocr/blank.eml" >/dev/null 2>&1
    eq "ingest --ocr: the image-only PDF's page is read (ok)" "$(ocr_outcome ocr.db scan)" "('ok', None)"
    eq "its words are found, and as a phrase" "$(mt ocr.db count 'attached:"happy new year" attached:2003')" 1
    eq "a picture without text: empty, with a reason" "$(ocr_outcome ocr.db blank)" "('empty', 'OCR found no text')"
    eq "the archive remembers: a later ingest reads pictures too" \
       "$(mt ocr.db ingest "$work/ocr/picture.eml" >/dev/null 2>&1; ocr_outcome ocr.db picture)" "('ok', None)"
else
    skip "no pdftoppm (poppler-utils): OCR cases not run"
fi
