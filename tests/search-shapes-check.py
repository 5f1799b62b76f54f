#!/usr/bin/env python3
"""Check mailtrove search/count against answers computed from what
make-search-shapes.py wrote: every query plan, every sort, several pages.
Prints one "ok - ..." / "not ok - ..." line per check.
usage: search-shapes-check.py MAILTROVE ARCHIVE EMAILS.json"""
import calendar, json, subprocess, sys

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
           "common from:alice@example.org"]
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
sys.exit(1 if failures else 0)
