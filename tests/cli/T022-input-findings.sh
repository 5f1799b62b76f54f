# What real dumps are made of (issue 21): mail behind junk (finding 1), a
# zip whose central directory is damaged (7), documents given as input
# (10).  Inputs are made here with Python (zipfile, email), and the real
# files of ../shared/corpora/attachments are used when present.
. "$(dirname "$0")/lib.sh"

$PY - "$work" "$DATA" <<'PY'
import io, os, sys, zipfile
work, data = sys.argv[1], sys.argv[2]
def message(n):
    return (b"From: Sender %d <s%d@example.org>\n"
            b"To: r@example.net\nSubject: carved message %d\n"
            b"Message-ID: <carved-%d@example.org>\n\nBody of message %d.\n" % (n, n, n, n, n))
mbox = b"".join(b"From s%d@example.org Mon Apr 24 18:03:11 2017\n" % n + message(n) + b"\n"
                for n in range(1, 4))
# binary junk (a disk carve: NULs, a stray "From " that is no separator)
junk = b"\x00\x13\xfe\xff junk\x00\nFrom nowhere really\n\x00\x01" + b"\x07" * 23 + b"\n"
open(os.path.join(work, "carved.mbox"), "wb").write(junk + mbox)
# what the test expects, computed from the bytes: junk length, offsets
offsets = [len(junk) + mbox.find(b"From s%d@" % n) for n in range(1, 4)]
open(os.path.join(work, "carved.expected"), "w").write(
    "%d\n%s\n" % (len(junk), ", ".join("carved message %d@%d" % (n + 1, o) for n, o in enumerate(offsets))))
# text junk: a line of notes above the first separator
open(os.path.join(work, "notes.mbox"), "wb").write(b"exported by hand, see below\n\n" + mbox)
# junk and no mbox at all stays one rejection
open(os.path.join(work, "junk.bin"), "wb").write(b"\x00\x01\x02" * 100)
# a zip of two messages whose end-of-central-directory record is damaged
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("mail/a.eml", message(11))
    z.writestr("mail/b.eml", message(12))
raw = buf.getvalue()
eocd = raw.rfind(b"PK\x05\x06")
open(os.path.join(work, "damaged-directory.zip"), "wb").write(raw[:eocd] + b"XX\x05\x06" + raw[eocd + 4:])
# an empty zip names nothing: still one rejection, never silence
buf = io.BytesIO()
zipfile.ZipFile(buf, "w").close()
open(os.path.join(work, "empty.zip"), "wb").write(buf.getvalue())
# documents as Word and LibreOffice write them (member order and all)
with zipfile.ZipFile(os.path.join(work, "memo.docx"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
    z.writestr("_rels/.rels", "<Relationships/>")
    z.writestr("word/document.xml", "<w:document/>")
    z.writestr("customXml/item1.xml", "<b:Sources/>")
with zipfile.ZipFile(os.path.join(work, "budget.ods"), "w") as z:
    z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
    z.writestr("content.xml", "<office:document-content/>")
open(os.path.join(work, "report.pdf"), "wb").write(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
# media: named at once (not read a megabyte deep for an mbox behind junk)
open(os.path.join(work, "photo.jpg"), "wb").write(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
open(os.path.join(work, "clip.mp4"), "wb").write(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2000)
PY

# --- finding 1: mail behind junk ---------------------------------------
out=$(mt junk.db ingest --json "$work/carved.mbox" "$work/notes.mbox" "$work/junk.bin")
eq "junk before an mbox: the messages are stored, the junk listed" "$out" \
   '{"read":9,"stored":3,"duplicates":3,"rejected":3}'
rej=$(mt junk.db rejected --json)
eq "the binary junk is one rejection at offset 0, with its length and kind" \
   "$(echo "$rej" | jq_py '[(r["offset"], r["reason"]) for r in d if r["source"].endswith("carved.mbox")]')" \
   "[(0, '$(sed -n 1p "$work/carved.expected") bytes before the first From line are not mail (binary data); the mbox after them was read')]"
eq "text junk is named as text" \
   "$(echo "$rej" | jq_py '[r["reason"] for r in d if r["source"].endswith("notes.mbox")]')" \
   "['29 bytes before the first From line are not mail (text); the mbox after them was read']"
eq "junk with no mbox after it is still one rejection" \
   "$(echo "$rej" | jq_py '[r["reason"] for r in d if r["source"].endswith("junk.bin")]')" \
   "['binary data, not an email message']"
eq "the carved messages keep their subjects and mbox offsets" \
   "$(sqlite3 "$work/junk.db" "SELECT group_concat(e.subject || '@' || s.offset, ', ') FROM email e JOIN source s ON s.email_id = e.id WHERE s.path LIKE '%carved.mbox' ORDER BY e.id")" \
   "$(sed -n 2p "$work/carved.expected")"
first=$(sqlite3 "$work/junk.db" "SELECT email_id FROM source WHERE path LIKE '%carved.mbox' AND offset = $(sed -n 1p "$work/carved.expected")")
eq "a carved message's stored bytes are the text after its separator" \
   "$(mt junk.db show --raw "$first" | head -c 40)" "From: Sender 1 <s1@example.org>
To: r@ex"

# --- finding 7: a zip that lists nothing -------------------------------
out=$(mt zip.db ingest --json "$work/damaged-directory.zip" "$work/empty.zip")
eq "a zip with a damaged central directory is read by its local headers" "$out" \
   '{"read":3,"stored":2,"duplicates":0,"rejected":1}'
eq "an empty zip is one rejection with a reason" \
   "$(mt zip.db rejected --json | jq_py '[r["reason"] for r in d if r["source"].endswith("empty.zip")]')" \
   "['archive holds no member that could be read (empty, or damaged beyond reading)']"
if have_corpora; then
    out=$(mt oom.db ingest --json "$CORPORA/attachments/hostile/tika-testZIP_corrupted_oom.zip")
    eq "Tika's corrupted zip does not vanish: read = rejected, every one with a reason" \
       "$(echo "$out" | jq_py 'd["read"] == d["rejected"] > 0')" True
    eq "rejected lists it" "$(mt oom.db rejected --json | jq_py 'len(d) > 0 and all(r["reason"] for r in d)')" True
else
    skip "../shared/corpora not present: Tika's corrupted zip not tried"
fi

# --- finding 10: documents are one rejection each ----------------------
out=$(mt docs.db ingest --json "$work/memo.docx" "$work/budget.ods" "$work/report.pdf")
eq "three documents: three rejections, nothing stored" "$out" \
   '{"read":3,"stored":0,"duplicates":0,"rejected":3}'
eq "each names the kind of document" \
   "$(mt docs.db rejected --json | jq_py 'sorted(r["reason"] for r in d)')" \
   "['a document, not an email: DOCX', 'a document, not an email: ODS', 'a document, not an email: PDF']"
if have_corpora; then
    A="$CORPORA/attachments"
    n=$(ls "$A"/office/* "$A"/pdf/* "$A"/rtf/*.rtf | wc -l)
    out=$(mt office.db ingest --json "$A/office" "$A/pdf" "$A/rtf"/*.rtf)
    eq "real Office, OpenDocument, PDF and RTF files: one rejection per file, none stored" \
       "$out" "{\"read\":$n,\"stored\":0,\"duplicates\":0,\"rejected\":$n}"
    eq "every one says which document it is" \
       "$(mt office.db rejected --json | jq_py 'sum(1 for r in d if r["reason"].startswith("a document, not an email: "))')" "$n"
else
    skip "../shared/corpora not present: real documents not tried"
fi

out=$(mt media.db ingest --json "$work/photo.jpg" "$work/clip.mp4")
eq "media files: one rejection each, named" \
   "$(mt media.db rejected --json | jq_py 'sorted(r["reason"] for r in d)')" \
   "['not an email: JPEG image', 'not an email: MP4/QuickTime video']"
