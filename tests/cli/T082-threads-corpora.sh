# Threading at scale on real list archives, against an independent
# computation: Python's email package reads Message-ID, In-Reply-To and
# References, and union-find joins every email with the ids it names
# (References, else the first id of In-Reply-To; ids with an '@' only, as
# docs/threads.md says).  Our conversations must
# be exactly those groups, except where our subject fallback joins groups.
. "$(dirname "$0")/lib.sh"
if ! have_corpora; then
    skip "../shared/corpora not present: threading on linux-api/linux-mips not run"
    exit 0
fi
if [ "${TEST_LABEL:-}" = sanitized ]; then
    skip "corpus threading runs in the plain pass only (too slow under ASan)"
    exit 0
fi
for corpus in linux-api linux-mips; do
    mbox="$work/$corpus.mbox"
    zstd -q -d --long=27 -c "$CORPORA/bulk/$corpus/$corpus.mbox.zst" > "$mbox"
    mt "$corpus.db" ingest "$mbox" >/dev/null 2>&1
    result=$($PY - "$mbox" "$work/$corpus.db" <<'PY'
import collections, email.parser, email.policy, re, sqlite3, sys
mbox, db = sys.argv[1], sys.argv[2]
data = open(mbox, "rb").read()
sep = b"From mboxrd@z Thu Jan  1 00:00:00 1970\n"
parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
parent = {}
def find(x):
    while parent.setdefault(x, x) != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x
def union(a, b):
    parent[find(a)] = find(b)
ids = re.compile(r"<([^<>\s]+@[^<>\s]+)>")
n = 0
own = []
for part in data.split(sep)[1:]:
    n += 1
    head = part.split(b"\n\n", 1)[0]
    h = parser.parsebytes(head + b"\n\n")
    mid = ids.findall(str(h.get("Message-ID", "")))
    key = ("email", n)
    find(key)
    if mid:
        union(key, ("id", mid[0]))
    # References; In-Reply-To (its first id) only when there are none
    refs = [r for v in h.get_all("References", []) for r in ids.findall(str(v))]
    if not refs:
        refs = [r for v in h.get_all("In-Reply-To", []) for r in ids.findall(str(v))][:1]
    for r in refs:
        union(key, ("id", r))
    own.append(key)
con = sqlite3.connect(db)
# messages attached to list mail are emails of their own, stored after the
# mbox's (docs/attachments.md): the oracle reads the mbox's only
rows = con.execute("SELECT id, thread_id, thread_parent IS NOT NULL AND in_reply_to IS NULL"
                   " AND refs IS NULL FROM email WHERE id NOT IN (SELECT email_id FROM source"
                   " WHERE member LIKE '%/attachment/%') ORDER BY id").fetchall()
# archive ids follow mbox order (no duplicates in these corpora)
assert len(rows) == n, (len(rows), n)
ours = {}
groups_in_thread = collections.defaultdict(set)
subject_joined = set()
theirs_threads = collections.defaultdict(set)
for (eid, tid, by_subject), key in zip(rows, own):
    g = find(key)
    groups_in_thread[tid].add(g)
    theirs_threads[g].add(tid)
    if by_subject:
        subject_joined.add(tid)
split = sum(1 for g, t in theirs_threads.items() if len(t) > 1)
merged = [t for t, gs in groups_in_thread.items() if len(gs) > 1]
unexplained = sum(1 for t in merged if t not in subject_joined)
print("groups %d, threads %d, split %d, merged %d, merged without a subject join %d"
      % (len(theirs_threads), len(groups_in_thread), split, len(merged), unexplained))
PY
)
    echo "# $corpus: $result" >&2
    split=$(echo "$result" | sed -n 's/.*split \([0-9]*\),.*/\1/p')
    unexplained=$(echo "$result" | sed -n 's/.*subject join \([0-9]*\)$/\1/p')
    # linux-mips has 2 groups of 2 and 26 emails that the two readers of
    # 1996-2010 headers see differently (ids folded across lines, a
    # References of "<y>" and "1234567"): we allow exactly those.
    allowed=0
    [ "$corpus" = linux-mips ] && allowed=2
    check "$corpus: reference-connected groups split: $split (at most $allowed)" [ "$split" -le "$allowed" ]
    eq "$corpus: every merge of groups is a subject join" "$unexplained" 0
    rm -f "$mbox"
done
