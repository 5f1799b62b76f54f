#!/usr/bin/python3
"""An independent reading of Outlook .msg files with Debian's
python3-olefile (the OLE2 container) and MS-OXMSG's property streams, to
compare with what mailtrove stored from them.

Usage: msg-oracle.py MSG_DIR EXPORT_JSONL
For each .msg in MSG_DIR, finds mailtrove's email whose source path ends
with its name and compares: the subject; the plain body (white space
aside) when the file has one; every SMTP address of its recipient table
(among To/Cc/Bcc, unless the file kept transport headers, whose own
To/Cc then stand); and the names of its attachments (attached messages
aside).  Prints one line per file: 'ok NAME' or 'differs NAME: ...'."""
import json, os, struct, sys
import olefile

def props(ole, storage, header):
    path = storage + ["__properties_version1.0"]
    out = {}
    if not ole.exists("/".join(path)):
        return out
    data = ole.openstream(path).read()
    for at in range(header, len(data) - 15, 16):
        tag, = struct.unpack_from("<I", data, at)
        out[tag >> 16] = struct.unpack_from("<Q", data, at + 8)[0]
    return out

def string(ole, storage, pid, codepage):
    for kind in ("001F", "001E"):
        path = storage + ["__substg1.0_%04X%s" % (pid, kind)]
        if ole.exists("/".join(path)):
            raw = ole.openstream(path).read()
            if kind == "001F":
                return raw.decode("utf-16-le", "replace").split("\0")[0]
            try:
                return raw.rstrip(b"\0").decode("cp%d" % codepage if codepage != 65001 else "utf-8")
            except (LookupError, UnicodeDecodeError):
                return raw.rstrip(b"\0").decode("cp1252", "replace")
    return None

def children(ole, storage, prefix):
    seen = set()
    for entry in ole.listdir(streams=True, storages=True):
        if entry[:len(storage)] == storage and len(entry) > len(storage) \
                and entry[len(storage)].startswith(prefix):
            seen.add(entry[len(storage)])
    return [storage + [name] for name in sorted(seen)]

def read_msg(path):
    ole = olefile.OleFileIO(path)
    top = props(ole, [], 32)
    cp = top.get(0x3FFD) or top.get(0x3FDE) or 1252
    m = {"subject": string(ole, [], 0x0037, cp), "body": string(ole, [], 0x1000, cp),
         "headers": string(ole, [], 0x007D, cp), "recipients": [], "attachments": []}
    for r in children(ole, [], "__recip_version1.0_"):
        smtp = string(ole, r, 0x39FE, cp) or string(ole, r, 0x3003, cp)
        if smtp and "@" in smtp:
            m["recipients"].append(smtp.lower())
    for a in children(ole, [], "__attach_version1.0_"):
        p = props(ole, a, 8)
        embedded = ole.exists("/".join(a + ["__substg1.0_3701000D"])) and p.get(0x3705) == 5
        name = string(ole, a, 0x3707, cp) or string(ole, a, 0x3704, cp) or string(ole, a, 0x3001, cp)
        if not embedded and name:
            m["attachments"].append(name)
    return m

def words(s):
    return " ".join((s or "").split())

ours = {}
for line in open(sys.argv[2], encoding="utf-8"):
    d = json.loads(line)
    for s in d["sources"]:
        ours[os.path.basename(s["path"])] = d
for name in sorted(os.listdir(sys.argv[1])):
    if not name.endswith(".msg"):
        continue
    m, d = read_msg(os.path.join(sys.argv[1], name)), ours.get(name)
    if d is None:
        print("differs %s: not stored" % name)
        continue
    problems = []
    if words(m["subject"]) != words(d["subject"]):
        problems.append("subject %r, mailtrove %r" % (m["subject"], d["subject"]))
    if m["body"] and words(m["body"]) != words(d["body"]):
        problems.append("body differs (%d vs %d characters)" % (len(words(m["body"])), len(words(d["body"]))))
    if not m["headers"]:
        theirs = set(m["recipients"])
        have = set(a.lower() for a in d["to"] + d["cc"] + d["bcc"])
        missing = [a for a in theirs if not any(a in h for h in have)]
        if missing:
            problems.append("recipients missing %r" % missing)
    got = sorted(a["filename"] for a in d["attachments"]
                 if a["filename"] and a["content_type"] != "message/rfc822")
    if sorted(m["attachments"]) != got:
        problems.append("attachments %r, mailtrove %r" % (sorted(m["attachments"]), got))
    print(("differs %s: %s" % (name, "; ".join(problems))) if problems else "ok %s" % name)
