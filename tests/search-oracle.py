#!/usr/bin/python3
"""Independent answers for a few search queries, for tests/cli/T070.

  search-oracle.py QUERY FILE...   -> the Message-IDs (sorted, one a line)

Parses each message with Python's email package (not GMime) and folds text
with unicodedata (not our table).  Understands only what T070 asks:
one bare word (subject, body text parts, names and addresses, attachment
names), from:ADDRESS|DOMAIN, date:YYYY[-MM], has:attachment.
"""
import email, email.policy, email.utils, re, sys, unicodedata

def fold(s):
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()

def words(s):
    return set(re.findall(r"\w+", fold(s)))

def messages(paths):
    for p in paths:
        data = open(p, "rb").read()
        if data.startswith(b"From "):
            # a one-message mbox file (T070 gives no longer ones): the
            # message follows the separator line
            data = data.split(b"\n", 1)[1] if b"\n" in data else b""
        yield email.message_from_bytes(data, policy=email.policy.default)

def text_of(m):
    parts = []
    for part in m.walk():
        if part.is_multipart():
            continue
        if part.get_content_type().startswith("text/") and not part.get_filename():
            try:
                parts.append(part.get_content())
            except Exception:
                pass
    return " ".join(parts)

def matches(m, q):
    if q.startswith("from:"):
        v = q[5:].lower()
        addrs = [a.lower() for _, a in email.utils.getaddresses(m.get_all("From", []))]
        return any(a == v or a.endswith("@" + v) for a in addrs)
    if q.startswith("date:"):
        try:
            d = email.utils.parsedate_to_datetime(m["Date"]).astimezone(__import__("datetime").timezone.utc)
        except Exception:
            return False
        return d.strftime("%Y-%m-%d").startswith(q[5:])
    if q == "has:attachment":
        return any(p.get_filename() or p.get_content_disposition() == "attachment"
                   or (p.get_content_type() == "message/rfc822")
                   for p in m.walk() if not p.is_multipart() or p.get_content_type() == "message/rfc822")
    w = fold(q)
    people = " ".join(str(m.get(h, "")) for h in ("From", "To", "Cc", "Bcc"))
    names = " ".join(p.get_filename() or "" for p in m.walk())
    return w in words(str(m.get("Subject", "")) + " " + text_of(m) + " " + people + " " + names)

q = sys.argv[1]
ids = sorted({(m["Message-ID"] or "").strip().strip("<>") for m in messages(sys.argv[2:]) if matches(m, q)})
print("\n".join(ids))
