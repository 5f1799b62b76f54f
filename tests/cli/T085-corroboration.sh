# Chain corroboration on a constructed, DKIM-signed conversation
# (tests/data/make-chain.py): spans found, the altered word never inside
# one, only verified mail vouching; precision must be 100%, recall shown.
. "$(dirname "$0")/lib.sh"
if ! $PY -c 'import dkim' 2>/dev/null; then
    skip "python3-dkim not installed: corroboration chain not built"
    exit 0
fi
$PY "$DATA/make-chain.py" "$work/chain"
mt c.db ingest --keys "$work/chain/chain.zone" "$work/chain"/*.eml >/dev/null
id_of() { sqlite3 "$work/c.db" "SELECT id FROM email WHERE message_id = '$1'"; }
a=$(id_of a1@example.net); b=$(id_of b1@example.org); c=$(id_of c1@example.com)
d=$(id_of d1@example.com); e=$(id_of e1@example.com)
eq "the signed reply is verified" "$(sqlite3 "$work/c.db" "SELECT verdict FROM email WHERE id = $b")" verified
spans() { mt c.db show --json "$1" | jq_py '[(s["direction"], s["by"], s["text"]) for s in d["corroboration"]]'; }

eq "the original: its text is quoted by the verified reply" "$(spans "$a")" \
   "[('quoted_by_verified', $b, 'The campaign budget for March is forty thousand euros, of which twelve thousand go to the rally in Lyon and the rest to printing.')]"
eq "the re-quote: the untouched parts match, split at the changed word" "$(spans "$c")" \
   "[('quotes_verified', $b, 'I agree with the plan. We should sign the printing contract before the ninth of March and keep'), ('quotes_verified', $b, 'The campaign budget for March is forty thousand euros, of which twelve thousand go to the rally in Lyon and the rest to printing.')]"
check "the changed word is in no span" sh -c "! '$MAILTROVE' --archive '$work/c.db' show --json $c | $PY -c 'import json,sys; print(json.load(sys.stdin)[\"corroboration\"])' | grep -q 'ten'"
eq "an Outlook-style quote (with a no-break space) matches" "$(spans "$d")" \
   "[('quotes_verified', $b, 'I agree with the plan. We should sign the printing contract before the ninth of March and keep nine thousand euros in reserve for travel.')]"
eq "text show lists the same span, who vouches and how (issue 25)" \
   "$(mt c.db show "$a" | sed -n '/^Corroborated:/,/^Found in:/p')" \
   "Corroborated: text a verified email vouches for
  \"The campaign budget for March is forty thousand euros, of which twelve thousand go to the rally in Lyon and the rest to printing.\"
    quoted, as it stands here, by verified email $b
Found in:"
eq "the verified email itself: nothing vouches for it but itself" "$(spans "$b")" "[]"
eq "unrelated mail in another conversation gets nothing" "$(spans "$e")" "[]"
eq "corroborated:yes finds the three" "$(mt c.db search --json corroborated:yes | jq_py 'sorted(r["id"] for r in d["results"])')" \
   "$(printf '[%s, %s, %s]' $(printf '%s\n' "$a" "$c" "$d" | sort -n))"

# Precision over every span: each is word for word in the verified email's
# normalized text.  Recall: quoted words of the chain covered.
result=$($PY - "$work/c.db" "$MAILTROVE" <<'PY'
import json, re, subprocess, sys
db, mt = sys.argv[1], sys.argv[2]
def show(i): return json.loads(subprocess.run([mt, "--archive", db, "show", "--json", str(i)], capture_output=True, text=True).stdout)
ids = [int(x) for x in subprocess.run(["sqlite3", db, "SELECT id FROM email"], capture_output=True, text=True).stdout.split()]
norm = lambda t: " ".join(re.sub(r"^[> ]+", "", l) for l in t.replace("\u00a0", " ").splitlines()).split()
bad = spans = words = 0
for i in ids:
    for s in show(i)["corroboration"]:
        spans += 1
        words += len(s["text"].split())
        if " ".join(s["text"].split()) not in " ".join(norm(show(s["by"])["body"])):
            bad += 1
print("spans %d, not in the vouching email %d, words %d" % (spans, bad, words))
PY
)
eq "precision: every span is word for word in its verified email" "$result" "spans 4, not in the vouching email 0, words 91"
# Recall, by hand from make-chain.py: the words that could be vouched for
# are Alice's 24 (quoted by Bob), Carol's 49 quoted words less the changed
# one (48), and Dave's 25: 97; found 91 = 94%.  Lost: the 6 words between
# "ten" and the end of Bob's paragraph, too few for an 8-word window.
echo "# corroboration recall on the constructed chain: 91 of 97 words (94%), precision 100%" >&2

# Rerunning with the same verified emails and conversations redoes nothing
# and keeps the table; a change of verdict recomputes it.
before=$(sqlite3 "$work/c.db" "SELECT email_id, position, text, by_email FROM corroboration ORDER BY 1, 2")
out=$(mt c.db corroborate)
case $out in *unchanged*) pass "corroborate with the same inputs says it is unchanged" ;;
    *) fail "corroborate rerun: got '$out'" ;; esac
eq "and the spans are those of before" \
   "$(sqlite3 "$work/c.db" "SELECT email_id, position, text, by_email FROM corroboration ORDER BY 1, 2")" "$before"
# A span altered in the file by hand survives an unchanged rerun (its
# inputs did not change); corroborate --recompute puts back what the
# verified text proves.
sqlite3 "$work/c.db" "UPDATE corroboration SET text = 'forged words' WHERE position = 0"
out=$(mt c.db corroborate --recompute)
case $out in *unchanged*) fail "corroborate --recompute skipped: '$out'" ;;
    *"emails examined"*) pass "corroborate --recompute redoes the work" ;;
    *) fail "corroborate --recompute: got '$out'" ;; esac
eq "and the altered span is back to the verified text" \
   "$(sqlite3 "$work/c.db" "SELECT email_id, position, text, by_email FROM corroboration ORDER BY 1, 2")" "$before"
# Only the emails whose rows differ are written again (corroborate_table.c):
# each kind of difference is put back, and nothing else is written (a
# trigger in the archive notes every email a row is inserted for).
full=$(sqlite3 "$work/c.db" "SELECT * FROM corroboration ORDER BY 1, 2")
sqlite3 "$work/c.db" "UPDATE corroboration SET by_email = $a WHERE email_id = $c AND position = 1;
  UPDATE corroboration SET direction = 'quoted_by_verified' WHERE email_id = $c AND position = 0;
  DELETE FROM corroboration WHERE email_id = $a;
  INSERT INTO corroboration VALUES($e, 0, 'words of no verified email', $b, 'quotes_verified');
  CREATE TABLE t085_written(email INTEGER);
  CREATE TRIGGER t085_note AFTER INSERT ON corroboration
  BEGIN INSERT INTO t085_written VALUES(new.email_id); END;"
mt c.db corroborate --recompute >/dev/null
eq "every altered, missing or extra row is put back as found (the extra one gone)" \
   "$(sqlite3 "$work/c.db" "SELECT * FROM corroboration ORDER BY 1, 2")" "$full"
eq "and only the two emails with a missing or altered row were written, not $d" \
   "$(sqlite3 "$work/c.db" "SELECT DISTINCT email FROM t085_written ORDER BY 1")" \
   "$(printf '%s\n' "$a" "$c" | sort -n)"
sqlite3 "$work/c.db" "DROP TRIGGER t085_note; DROP TABLE t085_written"
# Stored texts that run past their span's words, or have one letter
# changed (compared in place, not rebuilt), are found different too.
sqlite3 "$work/c.db" "UPDATE corroboration SET text = text || ' extra' WHERE email_id = $d;
  UPDATE corroboration SET text = replace(text, 'March', 'Marsh') WHERE email_id = $c"
mt c.db corroborate --recompute >/dev/null
eq "a row with words past its span, or a letter changed, is put back" \
   "$(sqlite3 "$work/c.db" "SELECT * FROM corroboration ORDER BY 1, 2")" "$full"
check "corroborate rejects an unknown option" sh -c "! '$MAILTROVE' --archive '$work/c.db' corroborate --bogus 2>/dev/null"
# The same chain, verified without its keys: nothing vouches any more.
cp "$work/c.db" "$work/c2.db"
sqlite3 "$work/c2.db" "DELETE FROM key"
mt c2.db verify >/dev/null
eq "without keys, verify recomputes: no spans left" "$(sqlite3 "$work/c2.db" "SELECT count(*) FROM corroboration")" 0
out=$(mt c2.db corroborate)
case $out in *"0 spans"*unchanged*) pass "and that empty result is the one kept" ;;
    *) fail "after recompute: got '$out'" ;; esac
