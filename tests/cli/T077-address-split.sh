# Addresses are kept as local part and domain, split at the first '@'
# (schema 17, docs/ingest.md "Addresses"): every form of from:/to:/cc:
# finds what the whole address found, show gives back each address as it
# was, and an archive of schema 16 (addr and domain columns, two indexes)
# is upgraded by its first writing command to the same answers.
. "$(dirname "$0")/lib.sh"

mkdir -p "$work/mail"
cp "$DATA"/mail/*.eml "$work/mail/"
# odd addresses: none at all, no '@', an '@' inside a quoted local part
cat > "$work/mail/odd.eml" <<'EOF'
From: "Odd Sender" <odd@Example.ORG>
To: undisclosed-recipients:;, ___@example.net
Cc: noatsign, "quoted@part"@example.org
Subject: odd addresses
Date: Tue, 14 Mar 2017 10:00:00 +0000
Message-ID: <odd@example.org>

about the budget
EOF
mt a.db ingest "$work/mail" >/dev/null 2>&1
id=$(mt a.db search --json 'subject:odd' | jq_py 'd["results"][0]["id"]')
queries=("from:bob@example.net" "from:example.net" "from:@example.org" "to:@example.org"
         "from:jean.dupont@" "cc:bob" "from:Bob" "to:alice" "from:odd@example.org"
         "cc:example.org" "cc:noatsign" "cc:part" "cc:quoted" "to:___@" "to:bob@" "budget from:example.org")
answers() { # ARCHIVE: each query's ids, the odd email's addresses, stats
    for q in "${queries[@]}"; do
        printf '%s: %s\n' "$q" "$(mt "$1" search --json --limit 100 "$q" | jq_py '" ".join(str(r["id"]) for r in d["results"])')"
    done
    mt "$1" show --json "$id" | jq_py 'json.dumps([d["from"], d["to"], d["cc"]])'
    mt "$1" stats --json
}
before=$(answers a.db)
eq "the odd email's addresses come back as written" \
   "$(mt a.db show --json "$id" | jq_py 'json.dumps([d["from"], d["cc"]])')" \
   '["Odd Sender <odd@Example.ORG>", ["noatsign", "\"quoted@part\"@example.org"]]'
eq "from:example.net finds Bob's emails by their domain" \
   "$(mt a.db count from:example.net)" "$(mt a.db count from:bob@example.net)"
check "a domain finds some emails" [ "$(mt a.db count from:example.net)" -gt 0 ]
eq "cc:part finds the quoted local part's '@' kept in the domain column" "$(mt a.db count cc:part)" 1
# the prefix form narrows by the full-text people column when the local
# part has a letter or digit, and reads every address when it has none
eq "to:bob@ finds Bob's emails as to:bob@example.net does" \
   "$(mt a.db count to:bob@)" "$(mt a.db count to:bob@example.net)"
eq "to:___@ (no letter or digit) finds its one email" "$(mt a.db count to:___@)" 1
eq "cc:noatsign finds the address with no '@'" "$(mt a.db count cc:noatsign)" 1
eq "the columns: local part and domain" \
   "$(sqlite3 "$work/a.db" "SELECT group_concat(name, ' ') FROM pragma_table_info('address')")" \
   "email_id role position name local domain"

# The same archive as schema 16 kept it.
cp "$work/a.db" "$work/old.db"
sqlite3 "$work/old.db" "
CREATE TABLE address_old(email_id INTEGER NOT NULL REFERENCES email(id), role INTEGER NOT NULL,
  position INTEGER NOT NULL, name TEXT, addr TEXT, domain TEXT,
  PRIMARY KEY(email_id, role, position)) WITHOUT ROWID;
INSERT INTO address_old SELECT email_id, role, position, name,
  CASE WHEN domain IS NULL THEN local ELSE local || '@' || domain END, domain FROM address;
DROP TABLE address;
ALTER TABLE address_old RENAME TO address;
CREATE INDEX address_addr ON address(addr, role);
CREATE INDEX address_domain ON address(domain, role);
CREATE INDEX email_from ON email(from_addr);
PRAGMA user_version = 16;"
mt old.db count budget >/dev/null 2>&1
eq "a reading command leaves schema 16 alone" "$(sqlite3 "$work/old.db" 'PRAGMA user_version')" 16
mt old.db keys import /dev/null >/dev/null 2>&1
eq "a writing command upgrades it to 17, with the address split" \
   "$(sqlite3 "$work/old.db" "PRAGMA user_version; SELECT group_concat(name, ' ') FROM pragma_table_info('address');
      SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE tbl_name = 'address' AND type = 'index' AND sql IS NOT NULL ORDER BY name)")" \
   "17
email_id role position name local domain
address_domain"
eq "and the index no query read, on From addresses, is gone" \
   "$(sqlite3 "$work/old.db" "SELECT count(*) FROM sqlite_master WHERE name = 'email_from'")" 0
eq "and every query, the odd email's addresses and stats answer as before" "$(answers old.db)" "$before"
eq "the upgraded archive is sound" "$(sqlite3 "$work/old.db" 'PRAGMA integrity_check; PRAGMA foreign_key_check')" ok
