#!/usr/bin/python3
"""What Python's email package reads from a directory of mail files (the
independent oracle of T040): one line per count, "emails N", "senders N",
"subjects N", then "subject:WORD N" for each WORD given, then every
distinct subject (whitespace folded), sorted.

  mail-oracle.py DIR [WORD...]

A file starting with "From " is an mbox (Python's mailbox module; it also
reads classic-Mac bare-CR line ends, as the email parser does); any other
file starting with a header field is one message; the rest is not mail.
Python 3.11's getaddresses refuses a From whose display name holds an
unquoted '@' (its CVE-2023-27043 fix); mail clients show the address
between the angle brackets, and so does this oracle.
"""
import email, email.header, email.utils, hashlib, os, re, sys


def mbox_messages(data):
    eol = b"\r" if re.match(rb"[^\r\n]*\r(?!\n)", data) else b"\n"
    parts = re.split(rb"(?:^|" + eol + rb")From [^" + eol + rb"]*" + eol, data)
    for p in parts[1:]:
        if p.endswith(eol + eol):
            p = p[:-1]
        yield re.sub(rb"(?m)^>(>*From )", rb"\1", p)


def messages(d):
    for f in sorted(os.listdir(d)):
        b = open(os.path.join(d, f), "rb").read()
        if b.startswith(b"From "):
            yield from mbox_messages(b)
        elif re.match(rb"(\xef\xbb\xbf)?[!-9;-~]+[ \t]*:", b):
            yield b


def sender(m):
    for value in m.get_all("From", []):
        pairs = email.utils.getaddresses([str(value)])
        if pairs and pairs[0][1]:
            return pairs[0][1].lower()
        angle = re.findall(r"<([^<>@\s]+@[^<>\s]+)>", str(value))
        if angle:
            return angle[-1].lower()
    return None


def main():
    d, words = sys.argv[1], sys.argv[2:]
    seen = {}
    for raw in messages(d):
        seen.setdefault(hashlib.sha256(raw).hexdigest(), raw)
    senders, subjects, counts = set(), [], {w: 0 for w in words}
    for raw in seen.values():
        m = email.message_from_bytes(raw)
        s = sender(m)
        if s:
            senders.add(s)
        subject = m.get("Subject")
        if subject is None:
            continue
        text = str(email.header.make_header(email.header.decode_header(str(subject))))
        text = " ".join(text.split())
        if text:
            subjects.append(text)
        for w in words:
            if re.search(r"\b%s\b" % re.escape(w), text, re.I):
                counts[w] += 1
    print("emails", len(seen))
    print("senders", len(senders))
    print("subjects", len(subjects))
    for w in words:
        print("subject:%s %d" % (w, counts[w]))
    for s in sorted(set(subjects)):
        print(s)


main()
