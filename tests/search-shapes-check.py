#!/usr/bin/env python3
"""Check mailtrove search/count against answers computed from what
make-search-shapes.py wrote: every query plan, every sort, several pages.
Prints one "ok - ..." / "not ok - ..." line per check.
usage: search-shapes-check.py MAILTROVE ARCHIVE EMAILS.json"""
import calendar, json, math, sqlite3, subprocess, sys

mt, archive, emails_path = sys.argv[1:4]
emails = json.load(open(emails_path))
for i, e in enumerate(emails):
    e["id"] = i + 1          # archive order: one mbox, no duplicates

def year_range(a, b):
    return calendar.timegm((a, 1, 1, 0, 0, 0)), calendar.timegm((b + 1, 1, 1, 0, 0, 0))

def matcher(query):
    tests = []
    for part in query.split():
        neg = part.startswith("-")
        p = part[1:] if neg else part
        if p.startswith("from:"):
            f = lambda e, a=p[5:]: e["from"] == a
        elif p.startswith("date:"):
            ys = p[5:].split("..")
            lo, hi = year_range(int(ys[0]), int(ys[-1]))
            f = lambda e, lo=lo, hi=hi: lo <= e["date"] < hi
        else:
            f = lambda e, w=p: w in e["words"]
        tests.append((neg, f))
    return lambda e: all(f(e) != neg for neg, f in tests)

def run(*args):
    r = subprocess.run([mt, "--archive", archive, *args], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr

failures = 0
def check(what, got, want):
    global failures
    if got == want:
        print("ok - " + what)
    else:
        failures += 1
        print("not ok - %s: got %s, want %s" % (what, str(got)[:300], str(want)[:300]))

queries = ["common", "budget", "zanzibar", "from:alice@example.org", "from:bob@example.net",
           "date:2012", "budget date:2012", "common date:2013..2014", "common -budget",
           "from:alice@example.org date:2015", "budget from:alice@example.org",
           "common from:alice@example.org", "from:sparse@example.org", "from:early@example.org"]
for q in queries:
    match = [e for e in emails if matcher(q)(e)]
    code, out, err = run("count", q)
    check("count %s" % q, out.strip(), str(len(match)))
    newest = sorted(match, key=lambda e: (-e["date"], -e["id"]))
    oldest = sorted(match, key=lambda e: (e["date"], e["id"]))
    for sort, order in (("-date", newest), ("date", oldest)):
        for offset in (0, 40, max(0, len(match) - 10)):
            code, out, err = run("search", "--json", "--sort", sort, "--limit", "20",
                                 "--offset", str(offset), q)
            doc = json.loads(out) if code == 0 else {}
            check("search --sort %s --offset %d %s: total" % (sort, offset, q),
                  doc.get("total"), len(match))
            check("search --sort %s --offset %d %s: the page in order" % (sort, offset, q),
                  [r["message_id"] for r in doc.get("results", [])],
                  [e["message_id"] for e in order[offset:offset + 20]])
    if any(not p.startswith(("from:", "date:", "-")) for p in q.split()):
        code, out, err = run("search", "--json", "--limit", "50", q)
        doc = json.loads(out) if code == 0 else {}
        got = [r["id"] for r in doc.get("results", [])]
        ids = {e["id"] for e in match}
        check("relevance %s: total" % q, doc.get("total"), len(match))
        check("relevance %s: a full page of distinct matches" % q,
              (len(set(got)), set(got) <= ids), (min(50, len(match)), True))
        if len(match) > 2000:
            floor = sorted(ids)[-2000]
            check("relevance %s: ranked among the newest 2,000 matches" % q,
                  all(i >= floor for i in got), True)
        code, out, err = run("search", "--json", "--limit", "20", "--offset", "2990", q)
        doc = json.loads(out) if code == 0 else {}
        check("relevance %s: a page past 2,000 is still of matches" % q,
              set(r["id"] for r in doc.get("results", [])) <= ids, True)

# Relevance, exactly: BM25 as docs/search.md defines it, computed here from
# the generated word counts and FTS5's own per-email token counts (the
# query words occur only in bodies, weight 1).  The page must be the best
# of the newest 2,000 matches in order (scores equal within rounding may
# come either way).
db = sqlite3.connect("file:%s?mode=ro" % archive, uri=True)
def varints(blob):
    out, v = [], 0
    for b in blob:
        v = (v << 7) | (b & 0x7f)
        if not b & 0x80:
            out.append(v)
            v = 0
    return out
length = {i: sum(varints(sz)) for i, sz in db.execute("SELECT id, sz FROM email_text_docsize")}
rows = len(length)
table = {}
for block, blob in db.execute("SELECT block, lengths FROM email_length"):
    for k in range(len(blob) // 2):
        table[block * 1024 + k + 1] = blob[2 * k] | blob[2 * k + 1] << 8
check("the lengths laid out for ranking are FTS5's, one per email",
      table, {i: n if n < 0xffff else 0xffff for i, n in length.items()})
average = sum(length.values()) / rows
def idf(word):
    having = [e["id"] for e in emails if word in e["words"]]
    df = len(having)
    if df >= 2000:   # counted to 2,000, then estimated from how far that got
        df = min(rows, 2000 * rows / having[1999])
    return math.log(1 + (rows - df + 0.5) / (df + 0.5))
def bm25(e, words):
    norm = 1.2 * (0.25 + 0.75 * length[e["id"]] / average)
    return sum(idf(w) * f * 2.2 / (f + norm) for w in words for f in [e["counts"].get(w, 0)] if f)
for q in ["common", "budget", "zanzibar", "rally travel", "common lyon paris",
          "common -budget", "budget from:alice@example.org", "agenda date:2013..2014"]:
    match = sorted((e for e in emails if matcher(q)(e)), key=lambda e: -e["id"])[:2000]
    words = [p for p in q.split() if ":" not in p and not p.startswith("-")]
    idfs = {w: idf(w) for w in words}
    score = {e["id"]: bm25(e, words) for e in match}
    code, out, err = run("search", "--json", "--limit", "30", q)
    got = [r["id"] for r in json.loads(out)["results"]] if code == 0 else []
    scores = [score.get(i, -1) for i in got]
    rest = max([v for i, v in score.items() if i not in set(got)] or [-1])
    in_order = all(a >= b - 1e-9 * abs(a) for a, b in zip(scores, scores[1:]))
    best = bool(scores) and min(scores) >= rest - 1e-9 * abs(rest)
    check("relevance %s: the page is the 30 best by BM25, in order" % q,
          (len(got), all(i in score for i in got), in_order, best),
          (min(30, len(match)), True, True, True))
sys.exit(1 if failures else 0)
