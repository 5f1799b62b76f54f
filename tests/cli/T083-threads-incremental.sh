# Threading an addition relinks only the conversations it can change
# (thread_update), and must store exactly what threading the whole archive
# stores (thread_rebuild, which `corroborate --recompute` runs).  The
# oracle is our own whole-archive threading, itself checked against an
# independent reading in T080/T082; this test checks that the shortcut
# never differs from it.
. "$TESTS_DIR/cli/lib.sh"

# A random archive (seeded; made here) of the shapes that make threading
# order-dependent, given in a shuffled order so that replies come before
# what they answer: chains, replies naming two conversations, missing
# parents that come later, copies of one Message-ID with other bytes,
# header-less replies joined by subject to originals that come later (and
# earlier originals of the same subject later still), no Message-ID, and
# junk In-Reply-To.
$PY - "$work" <<'EOF'
import random, sys, email.utils
work = sys.argv[1]
rnd = random.Random(83)
subjects = ["quarterly budget planning meeting notes", "draft of the press release text",
            "hotel booking for the spring conference", "short", "board meeting minutes for march",
            "the new office lease agreement draft"]
msgs = []
ids = []
for i in range(420):
    mid = "<m%d@example.org>" % i
    date = 1600000000 + rnd.randrange(0, 120 * 86400)
    subject = rnd.choice(subjects)
    headers = []
    kind = rnd.random()
    if ids and kind < 0.45:
        parent = rnd.choice(ids)
        chain = [parent] if rnd.random() < 0.5 else rnd.sample(ids, min(3, len(ids)))
        if rnd.random() < 0.1:
            chain.insert(0, "<missing%d@example.org>" % rnd.randrange(30))
        headers.append("References: " + " ".join(chain))
        headers.append("In-Reply-To: " + chain[-1])
        subject = "Re: " + subject
    elif ids and kind < 0.55:
        headers.append("In-Reply-To: " + rnd.choice(ids))
        subject = "RE: " + subject
    elif kind < 0.70:
        subject = rnd.choice(["Re: ", "Fwd: ", "TR : "]) + subject   # header-less reply
    elif kind < 0.73:
        headers.append("In-Reply-To: <yes>")
    if rnd.random() < 0.04 and ids:
        mid = rnd.choice(ids)                                    # a copy of an id
    elif rnd.random() < 0.05:
        mid = "<missing%d@example.org>" % rnd.randrange(30)      # a missing one arrives
    elif rnd.random() < 0.03:
        mid = None
    if mid and mid not in ids:
        ids.append(mid)
    text = "From: Person %d <p%d@example.org>\n" % (i % 9, i % 9)
    text += "To: list@example.org\nSubject: %s\nDate: %s\n" % (subject, email.utils.formatdate(date))
    if mid:
        text += "Message-ID: %s\n" % mid
    text += "".join(h + "\n" for h in headers)
    text += "X-Serial: %d\n\nBody of message %d.\n" % (i, i)
    msgs.append(text)
rnd.shuffle(msgs)
chunks = [msgs[:200]]
rest = msgs[200:]
while rest:
    n = rnd.choice([1, 3, 8, 20, 45])
    chunks.append(rest[:n])
    rest = rest[n:]
for k, chunk in enumerate(chunks):
    with open("%s/chunk%02d.mbox" % (work, k), "w") as f:
        for m in chunk:
            f.write("From someone@example.org Sat Jan  1 00:00:00 2000\n" + m + "\n")
print(len(chunks))
EOF

# compare ARCHIVE: "same" when its threads are those of a whole-archive
# threading of a copy of it, or the first differing rows.
compare() {
    rm -f "$work/full.db"*
    $PY -c 'import sqlite3,sys; s=sqlite3.connect(sys.argv[1]); d=sqlite3.connect(sys.argv[2]); s.backup(d)' \
        "$work/$1" "$work/full.db"
    mt full.db corroborate --recompute > /dev/null 2>&1
    $PY - "$work/$1" "$work/full.db" <<'EOF'
import sqlite3, sys
q = "SELECT id, thread_id, thread_parent FROM email ORDER BY id"
a = sqlite3.connect(sys.argv[1]).execute(q).fetchall()
b = sqlite3.connect(sys.argv[2]).execute(q).fetchall()
diff = [(x, y) for x, y in zip(a, b) if x != y]
print("same" if a == b else "%d rows differ (%d, %d), first: %s" % (len(diff), len(a), len(b), diff[:3]))
EOF
}

# An email that names nothing (no Message-ID, no reply headers, a subject
# too short for the fallback) has no thread keys: threading an archive of
# only such emails, and adding one more, must work (session 17: an empty
# key list reached qsort as a NULL array, which UBSan stops on).
printf 'From x@example.org Sat Jan  1 00:00:00 2000\nFrom: a@example.org\nSubject: hi\n\nNothing named.\n\n' > "$work/bare.mbox"
mt bare.db ingest "$work/bare.mbox" > /dev/null 2>&1
eq "an email naming nothing is threaded alone" \
   "$($PY -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT thread_id, (SELECT count(*) FROM thread_key) FROM email").fetchall())' "$work/bare.db")" "[(1, 0)]"

relinked=0
rebuilt=0
for chunk in "$work"/chunk*.mbox; do
    before=$(mt inc.db count 2>/dev/null || echo 0)
    mt inc.db ingest "$chunk" > /dev/null 2>&1
    after=$(mt inc.db count)
    # only additions under a quarter of the archive take the shortcut
    if [ $(( (after - before) * 4 )) -lt "$after" ]; then relinked=$((relinked + 1)); else rebuilt=$((rebuilt + 1)); fi
    got=$(compare inc.db)
    [ "$got" = same ] || { fail "after $(basename "$chunk") ($before -> $after emails): $got"; break; }
done
[ "$got" = same ] && pass "each of $((relinked + rebuilt)) additions leaves the threads a whole-archive threading stores ($relinked by the shortcut)"
check "the shortcut was taken (not every addition rebuilt)" [ "$relinked" -ge 5 ]
eq "every email was stored" "$(mt inc.db count)" 420
keys=$($PY -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(DISTINCT email_id) FROM thread_key").fetchone()[0])' "$work/inc.db")
check "thread keys are stored for the emails ($keys of 420 have one)" [ "$keys" -ge 400 ]

# A reindex may read the ids anew: the next addition threads the whole
# archive and stores the keys again.
mt inc.db reindex > /dev/null 2>&1
pending=$($PY -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM upgrade_pending WHERE task = ?", ("thread keys",)).fetchone()[0])' "$work/inc.db")
eq "a reindex asks for the keys again" "$pending" 1
printf 'From x@example.org Sat Jan  1 00:00:00 2000\nFrom: a@example.org\nSubject: Re: quarterly budget planning meeting notes\nDate: Mon, 14 Sep 2020 10:00:00 +0000\nMessage-ID: <late@example.org>\n\nLate.\n\n' > "$work/late.mbox"
mt inc.db ingest "$work/late.mbox" > /dev/null 2>&1
pending=$($PY -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM upgrade_pending WHERE task = ?", ("thread keys",)).fetchone()[0])' "$work/inc.db")
eq "the next addition stored them" "$pending" 0
eq "and its threads are a whole-archive threading's" "$(compare inc.db)" same

# On a real list archive, when the corpora are here: linux-api in a large
# first part and five additions of 1%, in the list's own order.
if ! have_corpora; then
    skip "../shared/corpora not present: the linux-api additions not run"
    exit 0
fi
if [ "${TEST_LABEL:-}" = sanitized ]; then
    skip "the linux-api additions run in the plain pass only (too slow under ASan)"
    exit 0
fi
zstd -q -d --long=27 -c "$CORPORA/bulk/linux-api/linux-api.mbox.zst" > "$work/api.mbox"
$PY - "$work/api.mbox" "$work" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
sep = b"From mboxrd@z Thu Jan  1 00:00:00 1970\n"
parts = data.split(sep)[1:]
n = len(parts)
cut = [0, n - 5 * (n // 100)] + [n - k * (n // 100) for k in range(4, 0, -1)] + [n]
for k in range(len(cut) - 1):
    with open("%s/api%d.mbox" % (sys.argv[2], k), "wb") as f:
        for p in parts[cut[k]:cut[k + 1]]:
            f.write(sep + p)
EOF
for k in 0 1 2 3 4 5; do
    mt api.db ingest "$work/api$k.mbox" > /dev/null 2>&1
done
eq "linux-api in six parts: the threads of a whole-archive threading" "$(compare api.db)" same
