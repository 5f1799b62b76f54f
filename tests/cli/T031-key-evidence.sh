# Key windows, published private keys, key recovery and evidence bundles
# (issue 24, items 3-5), on mail this test makes: keys generated now, the
# messages signed by dkimpy (tests/evidence-mail.py), some keys withheld.
# The oracle for recovery is the real key; for bundles, dkimpy itself,
# run on the bundle alone by the recipe its README gives.
. "$(dirname "$0")/lib.sh"

if ! $PY -c 'import dkim, nacl, cryptography' 2>/dev/null; then
    skip "python3-dkim, python3-nacl or python3-cryptography missing (scripts/install-deps)"
    exit 0
fi
$PY "$TESTS_DIR/evidence-mail.py" "$work/ev" || { fail "making the test mail"; exit 0; }
ev=$work/ev
id_of() { sqlite3 "$work/$1" "SELECT id FROM email WHERE message_id = '$2@org.example'"; }
sig() {   # sig ARCHIVE NAME EXPR: EXPR over the first signature of that email
    mt "$1" show --json "$(id_of "$1" "$2")" | jq_py "(lambda s: $3)(d['signatures'][0])"
}

# --- key windows and published private keys ---
mt a.db keys import --seen 2016-01-01..2016-12-31 "$ev/win.zone" >/dev/null
mt a.db keys import --private-published 2019-01-01 "$ev/leaked.zone" >/dev/null
mt a.db keys import "$ev/ed.zone" >/dev/null
mt a.db ingest "$ev/mail" >/dev/null
eq "a signature dated inside the key's window: no note, verified" \
   "$(sig a.db win-in "(s['key_window'], s['outside_key_window'], s['weaknesses'])")" \
   "({'from': '2016-01-01', 'to': '2016-12-31'}, False, [])"
eq "a signature dated (t=) after the window: a note, not a weakness" \
   "$(sig a.db win-out "(s['outside_key_window'], s['weaknesses'], s['result'])") $(mt a.db show --json "$(id_of a.db win-out)" | jq_py "d['verdict']")" \
   "(True, [], 'pass') verified"
check "show says the date lies outside the window" \
   grep -q "lies outside the window the key was seen published in" \
   <(mt a.db show "$(id_of a.db win-out)")
eq "a key with no window reports none" \
   "$(sig a.db ed "'key_window' in s")" "False"
eq "a key whose private half was published: pass, but weak with key_published" \
   "$(sig a.db leaked "(s['result'], s['weaknesses'], s['key_private_published'])") $(mt a.db show --json "$(id_of a.db leaked)" | jq_py "d['verdict']")" \
   "('pass', ['key_published'], '2019-01-01') weak"
check "show says anyone could have made it after that date" \
   grep -q "private half was published on 2019-01-01: after that date anyone could have made" \
   <(mt a.db show "$(id_of a.db leaked)")
mt a.db org add org.example >/dev/null
eq "a key_published signature does not make an email affiliated" \
   "$(mt a.db count affiliated:yes) $(mt a.db count affiliated:yes selector:leaked)" "5 0"

# --- dates, each with who claims it, and the window they allow ---
dates() { mt a.db show --json "$(id_of a.db "$1")" | jq_py "d['dates']$2"; }
eq "dates: the Date header, t= and each relay in order of travel, each with who claims it" \
   "$(dates relayed "['claims']" | $PY -c 'import ast, sys; print([(c["source"], c["claimed_by"], c.get("hop"), c.get("signed"), c["date"]) for c in ast.literal_eval(sys.stdin.read())])')" \
   "[('date_header', 'the sender', None, None, '2017-06-01T12:01:40Z'), ('dkim_t', 'org.example', None, True, '2017-06-01T12:01:40Z'), ('received', 'relay.org.example', 1, None, '2017-06-01T12:01:45Z'), ('received', 'mx.news.example', 2, None, '2017-06-01T12:01:50Z')]"
eq "dates: the first relay bounds when it was sent; nothing contradicts" \
   "$(dates relayed "['window']['to'], d['dates']['window']['from'], d['dates']['contradictions']")" \
   "('2017-06-01T12:01:45Z', None, [])"
eq "dates: a Date header a year after the relays had it is flagged" \
   "$(dates backdated "['contradictions']")" \
   "['the Date header (2018-06-01T12:00:00Z) is later than 2017-06-01T12:01:50Z (relay mx.news.example says it received the email then)']"
eq "dates: a key's window bounds the signing, and a t= outside it is flagged" \
   "$(dates win-out "['window']['from'], d['dates']['window']['to'], len(d['dates']['contradictions'])")" \
   "('2016-01-01T00:00:00Z', '2016-12-31T23:59:59Z', 2)"
check "show lists the dates and the contradiction" \
   grep -q "CONTRADICTION: the Date header (2018-06-01T12:00:00Z) is later than" \
   <(mt a.db show "$(id_of a.db backdated)")

# importing a record already held: one record, window updated, first source kept
mt a.db keys import --source "other copy" --seen 2015-03-01.. "$ev/win.zone" >/dev/null
eq "re-import: one record, its first source kept" \
   "$(mt a.db keys list --json | jq_py "[(k['source']) for k in d if k['name'].startswith('win.')]")" \
   "['win.zone']"
eq "re-import: the window is the new one, open-ended" \
   "$(sig a.db win-out "(s['key_window'], s['outside_key_window'])")" \
   "({'from': '2015-03-01', 'to': None}, False)"
mt a.db keys import "$ev/win.zone" >/dev/null
eq "re-import without --seen keeps the window" \
   "$(sig a.db win-out "s['key_window']")" "{'from': '2015-03-01', 'to': None}"
for bad in "2016-13-01..2017-01-01" ".." "2016-01-01" "soon..later"; do
    mt a.db keys import --seen "$bad" "$ev/win.zone" >/dev/null 2>"$work/err"
    eq "--seen '$bad' is refused with a usage error" \
       "$? $(grep -c 'takes FROM..TO' "$work/err")" "2 1"
done
mt a.db keys import --private-published yesterday "$ev/win.zone" >/dev/null 2>&1
eq "--private-published takes a date" "$?" "2"

# --- key recovery ---
mt a.db keys recover --json > "$work/recover.json"
eq "keys recover: every withheld RSA key with two or more signatures is recovered" \
   "$(jq_py "sorted((r['name'].split('.')[0], r['signatures'], r['recovered'], r['key_bits'], r['verified']) for r in d)" < "$work/recover.json")" \
   "[('lost1024', 2, True, 1024, 2), ('lost2048', 4, True, 2048, 3), ('mixed', 2, False, None, 0), ('single', 1, False, None, 0)]"
eq "recovered keys are recorded as such" \
   "$(mt a.db keys list --json | jq_py "sorted((k['name'].split('.')[0], k['source']) for k in d if k['source'].startswith('recovered'))")" \
   "[('lost1024', 'recovered from 2 signatures'), ('lost2048', 'recovered from 4 signatures')]"
mt a.db keys recover > "$work/recover.txt"
check "one signature: nothing recovered, and why" \
   grep -q "^single._domainkey.org.example: nothing recovered from 1 signature: only 1 RSA signature" "$work/recover.txt"
check "two signatures by two keys: nothing recovered, and why" \
   grep -q "^mixed._domainkey.org.example: nothing recovered from 2 signatures: 1 pair of the 2 signatures left no modulus" "$work/recover.txt"
eq "keys missing lists only what is still missing" \
   "$(mt a.db keys missing --json | jq_py "sorted(k['name'].split('.')[0] for k in d)")" \
   "['mixed', 'single']"

# the oracle: the same mail checked with the real keys
mt b.db keys import "$ev/withheld.zone" >/dev/null
mt b.db ingest "$ev/mail" >/dev/null
outcomes() {
    for name in lost2048-1 lost2048-2 lost2048-3 lost2048-altered lost1024-1 lost1024-sha1; do
        mt "$1" show --json "$(id_of "$1" "$name")" \
            | jq_py "(d['verdict'], [(s['result'], s['reason'], s['weaknesses'], s['key_bits']) for s in d['signatures']])"
    done
}
eq "verdicts and results with recovered keys equal those with the real keys" \
   "$(outcomes a.db)" "$(outcomes b.db)"
eq "... which are verified, a body altered after signing fails, sha1 is weak" \
   "$(outcomes a.db | cut -d, -f1 | tr -d "(\\'" | tr '\n' ' ')" \
   "verified verified verified failed verified weak "

# --- evidence bundles, re-verified offline by dkimpy from the README ---
for name in win-in leaked lost2048-1 lost2048-altered ed single; do
    id=$(id_of a.db "$name")
    rm -rf "$work/bundle"
    mkdir -p "$work/bundle"
    mt a.db evidence "$id" -o "$work/bundle/e.zip"
    members=$(cd "$work/bundle" && $PY -c 'import zipfile; z = zipfile.ZipFile("e.zip"); print(" ".join(z.namelist())); z.extractall(".")')
    eq "bundle of $name: exactly the contract's members" "$members" \
       "message.eml keys.zone report.json README.txt"
    check "bundle of $name: message.eml is the stored bytes" \
       cmp -s "$work/bundle/message.eml" <(mt a.db show --raw "$id")
    check "bundle of $name: report.json is show --json" \
       cmp -s "$work/bundle/report.json" <(mt a.db show --json "$id")
    sed -n '/^----- 8< -----$/,/^----- 8< -----$/p' "$work/bundle/README.txt" | sed '1d;$d' \
        > "$work/bundle/recipe.py"
    # offline: the recipe in an empty network namespace when unshare allows
    run=""
    unshare -rn true 2>/dev/null && run="unshare -rn"
    got=$(cd "$work/bundle" && $run $PY recipe.py 2>&1)
    want=$(jq_py "'\n'.join('%d %s' % (i + 1, 'pass' if s['result'] == 'pass' else 'fail') for i, s in enumerate(d['signatures']))" < "$work/bundle/report.json")
    eq "bundle of $name: dkimpy on the bundle alone gives report.json's results" "$got" "$want"
done
eq "the bundles cover verified, weak, failed, recovered and unchecked signatures" \
   "$(for n in win-in leaked lost2048-altered single; do mt a.db show --json "$(id_of a.db "$n")" | jq_py "d['verdict']"; done | tr '\n' ' ')" \
   "verified weak failed nokey "
check "keys.zone names each key's source and import time" \
   grep -q "^; source: recovered from 4 signatures; imported 20" \
   <(mt a.db evidence "$(id_of a.db lost2048-1)" | $PY -c 'import io, sys, zipfile; sys.stdout.write(zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())).read("keys.zone").decode())')
eq "the same archive gives the same bundle, byte for byte" \
   "$(mt a.db evidence 1 | sha256sum)" "$(mt a.db evidence 1 | sha256sum)"
mt a.db evidence 999 -o "$work/none.zip" 2>"$work/err"
eq "evidence of no such email: an error, no file" "$? $(test -e "$work/none.zip"; echo $?)" "1 1"
# the web: the page shows the dates and links the bundle, which is the CLI's
port=$((20000 + RANDOM % 20000))
"$MAILTROVE" --archive "$work/a.db" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
id=$(id_of a.db backdated)
page=$(curl -s "http://127.0.0.1:$port/email/$id")
check "the page links the evidence bundle" grep -q "href=\"/email/$id/evidence\"" <<<"$page"
check "the page flags the contradiction" grep -q '<li class="contradiction"><b>Contradiction:</b> the Date header' <<<"$page"
eq "/email/ID/evidence is the CLI's bundle, as a zip download" \
   "$(curl -s -D "$work/headers" "http://127.0.0.1:$port/email/$id/evidence" | sha256sum) $(grep -ci '^content-type: application/zip' "$work/headers")" \
   "$(mt a.db evidence "$id" | sha256sum) 1"
eq "/email/999/evidence: 404" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/email/999/evidence")" "404"
kill $server; wait $server 2>/dev/null

nothing_private=$(mt a.db evidence 2 | $PY -c 'import io, sys, zipfile
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
print(any(sys.argv[1].encode() in z.read(n) for n in z.namelist()))' "$work")
eq "no local path in a bundle" "$nothing_private" "False"
