#!/usr/bin/python3
"""Compare what mailtrove stored from an Outlook store with what readpst
(Debian pst-utils, run by the test as `readpst -D -S -t e -o DIR STORE`)
wrote from it, item by item: each e-mail's subject and the names of its
attachments.  readpst writes e-mail N of a folder as the file N and its
attachments as N-NAME; mailtrove's side is `export --format jsonl`.

Usage: pst-oracle.py READPST_DIR EXPORT_JSONL
Prints 'same N' when both have the same N items, else the differences.
Two attachments of one name are NAME and NAME-1 on readpst's disk and
are compared as NAME twice.  readpst's rtf-body.rtf is the RTF body, which mailtrove keeps as a body
(text/rtf alternative), not as an attachment: it is left out."""
import email, email.header, email.policy, json, os, re, sys
from collections import Counter

def decoded(s):
    return str(email.header.make_header(email.header.decode_header(s))) if s else ""

def norm(s):
    return " ".join((s or "").split())

def readpst_items(root):
    items = Counter()
    for folder, _, files in os.walk(root):
        names = set(files)
        for f in files:
            if not re.fullmatch(r"\d+", f):
                continue
            with open(os.path.join(folder, f), "rb") as fh:
                msg = email.message_from_binary_file(fh, policy=email.policy.compat32)
            raw = [n[len(f) + 1:] for n in names
                   if n.startswith(f + "-") and n[len(f) + 1:] != "rtf-body.rtf"]
            # two attachments of one name: readpst writes the second as NAME-1
            atts = sorted(re.sub(r"-\d+$", "", n) if re.sub(r"-\d+$", "", n) in raw else n
                          for n in raw)
            items[(norm(decoded(msg.get("Subject"))), tuple(atts))] += 1
    return items

def our_items(path):
    items = Counter()
    for line in open(path, encoding="utf-8"):
        d = json.loads(line)
        atts = sorted(a["filename"] for a in d["attachments"]
                      if a["filename"] and a["content_type"] != "message/rfc822")
        items[(norm(d["subject"]), tuple(atts))] += 1
    return items

theirs, ours = readpst_items(sys.argv[1]), our_items(sys.argv[2])
if theirs == ours:
    print("same %d" % sum(ours.values()))
else:
    for k in sorted(set(theirs) | set(ours)):
        if theirs[k] != ours[k]:
            print("readpst %d, mailtrove %d: %r" % (theirs[k], ours[k], k))
