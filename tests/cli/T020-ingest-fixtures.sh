# Ingest of the hand-made fixtures (tests/data): counts established by hand
# in tests/data/README.md, bytes compared with the files and with the
# expected mbox splits written by make-fixtures.py.
. "$(dirname "$0")/lib.sh"

out=$(mt a.db ingest --json "$DATA/mail" "$DATA/mbox" "$DATA/maildir" "$DATA/junk")
# the message attached to attachments.eml is stored on its own, after the rest
eq "first ingest counts" "$out" '{"read":17,"stored":12,"duplicates":1,"rejected":4}'
stats=$(mt a.db stats --json)
eq "stats" "$stats" '{"emails":12,"attachments":3,"unique_senders":7,"date_first":"2017-03-12T10:00:00Z","date_last":"2017-04-24T18:03:11Z","rejected":4,"verdicts":{"verified":0,"weak":0,"failed":0,"nokey":0,"unsigned":12},"signing_domains":{},"failed_kinds":{"altered":0,"unchecked":0},"affiliated":0,"org_domains":[]}'
out=$(mt a.db ingest --json "$DATA/mail" "$DATA/mbox" "$DATA/maildir" "$DATA/junk")
# (a carrier already archived is not parsed again: its attached message is not read again)
eq "second ingest stores nothing new" "$out" '{"read":16,"stored":0,"duplicates":12,"rejected":4}'
eq "rejections are not listed twice" "$(mt a.db stats --json | jq_py 'd["rejected"]')" 4

# ids follow input order: directories sorted by name
for f in alternative attachments french-crlf html-only simple; do
    id=$((${id:-0} + 1))
    a=$(mt a.db show --raw $id | sha256sum | cut -d' ' -f1)
    b=$(sha256sum < "$DATA/mail/$f.eml" | cut -d' ' -f1)
    eq "show --raw $id is $f.eml byte for byte" "$a" "$b"
    eq "show --json sha256 of $id matches" "$(mt a.db show --json $id | jq_py 'd["sha256"]')" "$b"
done
for pair in 6:crlf-1 7:crlf-2 8:list-1 9:list-2 10:list-3; do
    id=${pair%%:*}; f=${pair#*:}
    a=$(mt a.db show --raw $id | sha256sum | cut -d' ' -f1)
    b=$(sha256sum < "$DATA/expected/$f.eml" | cut -d' ' -f1)
    eq "mbox message $id is split and unquoted as $f.eml" "$a" "$b"
done

j=$(mt a.db show --json 3)
eq "RFC 2047 subject decoded" "$(echo "$j" | jq_py 'd["subject"]')" "Réunion à l'Élysée"
eq "From name decoded" "$(echo "$j" | jq_py 'd["from"]')" "Jean Dupont <Jean.Dupont@en-marche.fr>"
eq "To has both recipients" "$(echo "$j" | jq_py 'len(d["to"])')" 2
eq "latin-1 recipient name" "$(echo "$j" | jq_py 'd["to"][1]')" "François Léger <francois@example.com>"
eq "Cc" "$(echo "$j" | jq_py 'd["cc"]')" "['equipe@en-marche.fr']"
eq "date in UTC" "$(echo "$j" | jq_py 'd["date"]')" "2017-03-14T08:30:00Z"
eq "quoted-printable latin-1 body decoded, LF line ends" \
   "$(echo "$j" | jq_py 'd["body"].splitlines()[2]')" "La réunion à l'Élysée est déplacée à jeudi."
eq "references kept in order" "$(echo "$j" | jq_py 'd["references"]')" "['older@example.org', 'simple-1@example.org']"
eq "in_reply_to" "$(echo "$j" | jq_py 'd["in_reply_to"]')" "simple-1@example.org"

j=$(mt a.db show --json 2)
eq "attachments listed" "$(echo "$j" | jq_py '[(a["n"], a["filename"], a["content_type"]) for a in d["attachments"]]')" \
   "[(1, 'budget 2017.pdf', 'application/pdf'), (2, 'photo.png', 'image/png'), (3, None, 'message/rfc822')]"
eq "attachment size is decoded size" "$(echo "$j" | jq_py 'd["attachments"][1]["size"]')" 512
eq "body is the text part" "$(echo "$j" | jq_py 'd["body"].strip()')" "Here are the budget and the photo."

j=$(mt a.db show --json 4)
eq "HTML-only body converted, undeclared 8-bit read as windows-1252" \
   "$(echo "$j" | jq_py 'd["body"].splitlines()[0]')" "Café crème & croissants"
eq "script and style dropped from HTML text" "$(echo "$j" | jq_py '"alert" in d["body"] or "color" in d["body"]')" False
eq "multipart/alternative prefers text/plain" "$(mt a.db show --json 1 | jq_py 'd["body"].strip()')" "The plain text wins."

j=$(mt a.db show --json 5)
eq "duplicate keeps both sources" "$(echo "$j" | jq_py 'len(d["sources"])')" 2
eq "mbox source keeps offset and separator" \
   "$(mt a.db show --json 9 | jq_py '(d["sources"][0]["offset"], d["sources"][0]["separator"], d["sources"][0]["unquoted_lines"])')" \
   "(253, 'From bob@example.net Sat Apr  1 11:00:00 2017', 1)"
eq "mboxrd unquoting is counted" "$(mt a.db show --json 8 | jq_py 'd["sources"][0]["unquoted_lines"]')" 2
check "show (text) names the sender" sh -c "'$MAILTROVE' --archive '$work/a.db' show 5 | grep -q '^From:    Alice Martin <alice@example.org>'"

r=$(mt a.db rejected --json)
eq "rejected --json lists four" "$(echo "$r" | jq_py 'len(d)')" 4
eq "rejection reasons" "$(echo "$r" | jq_py 'sorted(x["reason"] for x in d)')" \
   "['binary data, not an email message', 'empty file', 'empty file', 'no header block: not an email message or mbox']"

# export round trip: the mbox export splits back into the same messages
mt a.db export --format mbox > "$work/export.mbox"
out=$(mt b.db ingest --json "$work/export.mbox")
# 12 emails, and the carrier's attached message once more: the exported one
# gained a final newline (mbox), so its bytes differ
eq "mbox export re-ingests to the same emails" "$out" '{"read":13,"stored":13,"duplicates":0,"rejected":0}'
for id in 1 5 8 9; do
    eq "exported email $id is byte-identical" "$(mt b.db show --raw $id | sha256sum)" "$(mt a.db show --raw $id | sha256sum)"
done
# mbox cannot say "no newline at the end": the export adds one (docs/formats.md)
eq "exported email without a final newline gains exactly one" \
   "$(mt b.db show --raw 10 | sha256sum)" "$( (mt a.db show --raw 10; echo) | sha256sum)"
n=$(mt a.db export --format jsonl | $PY -c 'import json,sys; print(sum(1 for l in sys.stdin if json.loads(l)["id"]))')
eq "jsonl export has one valid object per email" "$n" 12

# Regression: an empty directory (qsort on no array) and an archive without
# verified mail (corroboration with nothing to index) are fine, also under UBSan.
mkdir -p "$work/empty-dir"
eq "an empty directory reads nothing" "$(mt empty.db ingest --json "$work/empty-dir")" \
   '{"read":0,"stored":0,"duplicates":0,"rejected":0}'
