#!/usr/bin/env python3
"""Make a deterministic mbox for tests/cli/T074-search-shapes.sh and print,
as JSON, what each email holds, so the test can compute expected answers
without mailtrove.  Large enough (12,000 emails) that every query plan in
src/search.c runs: relevance over the newest 2,000 matches, date order
probing FTS above 5,000 matches, the date-index walk above 500, date bounds
on the FTS index.  Dates are shuffled against archive order, so plans that
assume the two agree would be caught.  Written for this project (CC0).
usage: make-search-shapes.py OUT.mbox OUT.json"""
import json, random, sys

rng = random.Random(20261123)
N = 6500
senders = ["alice@example.org", "bob@example.net", "carol@example.com"] + \
          ["user%d@example.info" % i for i in range(40)]
words = ["budget", "rally", "printing", "contract", "meeting", "travel", "lyon",
         "paris", "poster", "reserve", "tract", "agenda"]
emails = []
import datetime
def write(out, i, sender, year, t, body):
    d = datetime.datetime(year, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(seconds=t)
    stamp = int(d.timestamp())
    mid = "shape-%d@example.org" % i
    out.write("From %s %s\n" % (sender, d.strftime("%a %b %d %H:%M:%S %Y")))
    out.write("From: %s\nTo: list@example.org\nSubject: note %d\n" % (sender, i))
    out.write("Date: %s\nMessage-ID: <%s>\n\n" % (d.strftime("%a, %d %b %Y %H:%M:%S +0000"), mid))
    out.write(" ".join(body) + "\n\n")
    emails.append({"message_id": mid, "from": sender, "date": stamp,
                   "words": sorted(set(body)),
                   "counts": {w: body.count(w) for w in set(body)}})

with open(sys.argv[1], "w") as out:
    for i in range(N):
        # alice sends a third of all mail; "common" is in 85%, "budget" 60%
        sender = senders[0] if rng.random() < 0.34 else rng.choice(senders[1:])
        year = 2010 + rng.randrange(8)
        t = rng.randrange(365 * 86400)
        body = [rng.choice(words) for _ in range(rng.randrange(3, 12))]
        if rng.random() < 0.85:
            body.append("common")
        if rng.random() < 0.6:
            body.append("budget")
        if rng.random() < 0.01:
            body.append("zanzibar")
        rng.shuffle(body)
        write(out, i, sender, year, t, body)
    # Then 5,500 more, so that two senders of 230 emails each (under 1 in
    # 50 of 12,000) take the bounded walk of the date index: one spread
    # over the years (the walk finds the page), one of 2009 only, older
    # than all else (it does not, and the page is sorted instead).
    rng2 = random.Random(20261204)
    extra = 5500
    spread = set(rng2.sample(range(extra), 230))
    early = set(rng2.sample(sorted(set(range(extra)) - spread), 230))
    for k in range(extra):
        sender = "sparse@example.org" if k in spread else \
                 "early@example.org" if k in early else rng2.choice(senders[1:])
        year = 2009 if k in early else 2010 + rng2.randrange(8)
        body = [rng2.choice(words) for _ in range(rng2.randrange(3, 12))] + ["common"]
        write(out, N + k, sender, year, rng2.randrange(365 * 86400), body)
json.dump(emails, open(sys.argv[2], "w"))
