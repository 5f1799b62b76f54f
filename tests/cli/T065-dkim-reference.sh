# DKIM agreement with the established verifiers, run here: dkimpy (Debian
# python3-dkim) and Mail::DKIM (libmail-dkim-perl), keys fed from the same
# zone files (no DNS).  Per signature, "passes" must agree; each known
# disagreement is listed in tests/data/dkim-differences.tsv and explained in
# docs/dkim.md, and a listed one that no longer occurs fails too (the list
# cannot go stale).
. "$(dirname "$0")/lib.sh"

if ! $PY -c 'import dkim' 2>/dev/null || ! perl -MMail::DKIM::Verifier -e1 2>/dev/null; then
    skip "python3-dkim or libmail-dkim-perl missing: reference comparison not run"
    exit 0
fi
REF="$TESTS_DIR/reference"
$PY "$DATA/make-dkim-cases.py" "$work"

# compare NAME ZONE FILE...: one archive per set; our per-signature
# pass/not-pass against both references.
base_names() { awk -F'\t' -v OFS='\t' '{n = split($1, p, "/"); $1 = p[n]; print}'; }
seen="$work/seen.tsv"
: > "$seen"
compare() {
    local name=$1 zone=$2; shift 2
    mt "$name.db" ingest --keys "${zone%%,*}" "$@" >/dev/null 2>&1
    local extra
    for extra in $(echo "$zone" | tr ',' ' ' | tail -n +1); do
        mt "$name.db" keys import "$extra" >/dev/null 2>&1
    done
    mt "$name.db" verify >/dev/null
    # Files are matched by name: the archive records paths from the
    # argument's last component down, the references print them as given.
    sqlite3 -separator $'\t' "$work/$name.db" \
        "SELECT s.path, g.position, g.result FROM signature g JOIN source s ON s.email_id = g.email_id" \
        | base_names | sort > "$work/$name.ours"
    "$REF/dkimpy-verify" "$zone" "$@" 2>/dev/null | cut -f1,2,5 | base_names | sort > "$work/$name.dkimpy"
    "$REF/maildkim-verify" "$zone" "$@" 2>/dev/null | cut -f1,2,5 | base_names | sort > "$work/$name.maildkim"
    local verifier
    for verifier in dkimpy maildkim; do
        # A signature the reference did not report (it could not parse the
        # message at all) counts as not passing there.
        join -t $'\t' -j1 -a1 -e fail -o 0,1.2,2.2 \
            <(awk -F'\t' '{print $1":"$2"\t"($3=="pass"?"pass":"fail")}' "$work/$name.ours" | sort) \
            <(awk -F'\t' '{print $1":"$2"\t"$3}' "$work/$name.$verifier" | sort) \
            > "$work/$name.$verifier.joined"
        awk -F'\t' -v v="$verifier" '$2 != $3 {n=split($1,p,"/"); print v"\t"p[n]"\t"$2"\t"$3}' \
            "$work/$name.$verifier.joined" >> "$seen"
        local reported
        reported=$(wc -l < "$work/$name.$verifier")
        echo "# $name: $(awk -F'\t' '$2 == $3' "$work/$name.$verifier.joined" | wc -l) of $(wc -l < "$work/$name.ours") signatures agree with $verifier ($reported reported by it)" >&2
        eq "$name: $verifier reports no signature mailtrove does not see" \
           "$(awk -F'\t' '{print $1":"$2}' "$work/$name.$verifier" | sort | comm -13 <(awk -F'\t' '{print $1":"$2}' "$work/$name.ours" | sort) -)" ""
    done
}

compare adversarial "$work/adv.zone" "$work"/adv/*.eml
compare tags "$work/tags.zone" "$work"/tags/*.eml

if have_corpora; then
    D="$CORPORA/dkim"
    compare mail-dkim "$D/mail-dkim/keys.zone" "$D"/mail-dkim/messages/*.txt
    compare mimekit "$D/mimekit/keys.zone" "$D"/mimekit/*.msg
    compare dkimpy "$D/dkimpy/keys.zone" "$D/dkimpy/test2.message" \
        "$D/dkimpy/rfc6376.signed.msg" "$D/dkimpy/rfc6376.signed.rsa.msg" \
        "$D/dkimpy/ed25519test2.msg" "$D/dkimpy/test.message.baddomain"
    compare mailauth "$D/mimekit/keys.zone" "$D"/mailauth/*.eml
    compare arc-suite "$D/arc_test_suite/keys.zone" "$D"/arc_test_suite/validation/*.eml \
        "$D"/arc_test_suite/sign/*.eml
    compare smoke "$CORPORA/smoke/keys.zone" "$CORPORA"/smoke/*.eml
else
    skip "../shared/corpora not present: corpus cases of the reference comparison not run"
fi

known="$DATA/dkim-differences.tsv"
sort -u "$seen" > "$work/seen.sorted"
grep -v '^#' "$known" | cut -f1-4 | sort -u > "$work/known.sorted"
unexplained=$(comm -23 "$work/seen.sorted" "$work/known.sorted" | tr '\t' ' ' | paste -sd';')
eq "every disagreement with dkimpy or Mail::DKIM is a documented one" "$unexplained" ""
if have_corpora; then
    stale=$(comm -13 "$work/seen.sorted" "$work/known.sorted" | tr '\t' ' ' | paste -sd';')
    eq "every documented disagreement still occurs" "$stale" ""
fi
