# Nothing of the ingesting machine is published (issue 21, finding 4):
# paths are recorded relative to the SOURCE argument as the user named it,
# a key file without --source by its name; no page, API document or
# export of a served archive holds the absolute ingest directory; older
# archives are migrated.
. "$(dirname "$0")/lib.sh"

leaks="$work/home/reporter-7f3a/leaks"
mkdir -p "$leaks/source-x/inbox" "$leaks/keys"
cp "$DATA"/mail/*.eml "$leaks/source-x/inbox/"
cp "$DATA"/mbox/list.mboxrd "$leaks/source-x/"
printf 'not mail\n' > "$leaks/source-x/notes.txt"
have_keys=no
if $PY -c 'import dkim' 2>/dev/null; then
    $PY "$DATA/make-dkim-cases.py" "$work/dk" >/dev/null
    cp "$work/dk/adv/00-good.eml" "$leaks/source-x/inbox/signed.eml"
    cp "$work/dk/adv.zone" "$leaks/keys/campaign.zone"
    have_keys=yes
else
    printf 'good._domainkey.example.org. TXT "v=DKIM1; p="\n' > "$leaks/keys/campaign.zone"
fi
mt p.db ingest --keys "$leaks/keys/campaign.zone" "$leaks/source-x/" >/dev/null 2>&1
mt p.db ingest "$leaks/source-x/inbox/simple.eml" >/dev/null 2>&1

eq "sources are recorded from the argument's last component down" \
   "$(sqlite3 "$work/p.db" "SELECT DISTINCT path FROM source WHERE path LIKE '%simple.eml' OR path LIKE '%.mboxrd' ORDER BY 1")" \
   "simple.eml
source-x/inbox/simple.eml
source-x/list.mboxrd"
eq "rejections too" "$(mt p.db rejected --json | jq_py '[r["source"] for r in d]')" "['source-x/notes.txt']"
eq "a key file without --source is recorded by its name" \
   "$(sqlite3 "$work/p.db" "SELECT DISTINCT source FROM key")" "campaign.zone"
eq "no recorded path is absolute" \
   "$(sqlite3 "$work/p.db" "SELECT count(*) FROM source WHERE path LIKE '/%'; SELECT count(*) FROM rejected WHERE path LIKE '/%'")" "0
0"
# '.' names the directory's own name
(cd "$leaks/source-x" && "$MAILTROVE" --archive "$work/dot.db" ingest . >/dev/null 2>&1)
eq "ingest . records the directory's name" \
   "$(sqlite3 "$work/dot.db" "SELECT path FROM source WHERE path LIKE '%simple.eml'")" "source-x/inbox/simple.eml"

# Everything a reader can get, searched for the ingest directory.
port=$((20000 + RANDOM % 20000))
"$MAILTROVE" --archive "$work/p.db" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
emails=$(mt p.db stats --json | jq_py 'd["emails"]')
: > "$work/published"
for route in / /stats /api/stats "/search?q=budget" "/api/search?q=budget" "/search?q=from:example"; do
    curl -s "http://127.0.0.1:$port$route" >> "$work/published"
done
for id in $(seq 1 "$emails"); do
    for route in "/email/$id" "/api/email/$id" "/thread/$id"; do
        curl -s "http://127.0.0.1:$port$route" >> "$work/published"
    done
    mt p.db show "$id" >> "$work/published" 2>&1
    mt p.db show --json "$id" >> "$work/published" 2>&1
    # the evidence bundle, its members unpacked (deflate would hide a path)
    curl -s "http://127.0.0.1:$port/email/$id/evidence" | $PY -c 'import io, sys, zipfile
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
for n in z.namelist(): sys.stdout.buffer.write(z.read(n))' >> "$work/published"
done
kill $server; wait $server 2>/dev/null
mt p.db export --format jsonl >> "$work/published"
mt p.db rejected --json >> "$work/published"
mt p.db keys list --json >> "$work/published"
check "pages, API documents and exports were fetched ($(wc -c < "$work/published") bytes)" \
    [ "$(grep -c 'source-x' "$work/published")" -gt 0 ]
eq "none of them names the ingest directory" "$(grep -c -F "$work" "$work/published")" 0
eq "none names the user" "$(grep -c -F 'reporter-7f3a' "$work/published")" 0
[ $have_keys = yes ] && eq "the signed email's report names its key by the file's name" \
   "$(mt p.db show --json "$(sqlite3 "$work/p.db" "SELECT email_id FROM source WHERE path LIKE '%signed.eml'")" | jq_py 'd["signatures"][0]["key_source"]')" \
   "campaign.zone"

# An archive made before: absolute paths and a key file's full path are
# migrated by the first writing command; reading commands refuse to.
cp "$work/p.db" "$work/old.db"
sqlite3 "$work/old.db" "UPDATE source SET path = '$leaks/' || path WHERE path LIKE 'source-x/%';
    UPDATE source SET path = '$leaks/elsewhere/' || path WHERE path = 'simple.eml';
    UPDATE rejected SET path = '$leaks/' || path;
    UPDATE key SET source = '$leaks/keys/campaign.zone';
    ALTER TABLE email DROP COLUMN truncated_from; DROP TABLE org_domain;
    DROP INDEX signature_selector; PRAGMA user_version = 9"
check "the old archive was made" [ "$(sqlite3 "$work/old.db" "PRAGMA user_version")" = 9 ]
mt old.db keys list >/dev/null 2>&1
eq "a reading command does not migrate" \
   "$(sqlite3 "$work/old.db" "PRAGMA user_version; SELECT count(*) > 0 FROM source WHERE path LIKE '/%'")" "9
1"
mt old.db keys import /dev/null >/dev/null 2>&1
eq "a writing command migrates: paths from the deepest common directory's name" \
   "$(sqlite3 "$work/old.db" "PRAGMA user_version; SELECT DISTINCT path FROM source WHERE path LIKE '%simple.eml' OR path LIKE '%.mboxrd' ORDER BY 1")" \
   "17
leaks/elsewhere/simple.eml
leaks/source-x/inbox/simple.eml
leaks/source-x/list.mboxrd"
eq "rejections and key sources too, nothing absolute left" \
   "$(sqlite3 "$work/old.db" "SELECT path FROM rejected; SELECT DISTINCT source FROM key; SELECT count(*) FROM source WHERE path LIKE '/%'")" \
   "leaks/source-x/notes.txt
campaign.zone
0"
eq "and schema 10's additions are there (truncated_from, org_domain)" \
   "$(mt old.db show --json 1 | jq_py 'd["truncated_from"]') $(sqlite3 "$work/old.db" "SELECT count(*) FROM org_domain")" "None 0"
eq "every email keeps its sources" \
   "$(sqlite3 "$work/old.db" "SELECT count(DISTINCT email_id) FROM source")" "$emails"
