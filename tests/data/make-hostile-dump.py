#!/usr/bin/python3
"""Writes a hostile dump into DIR (first argument): one file (or directory)
a case, each the kind of thing a leak really holds or an attacker could
plant, and DIR/cases.json with what mailtrove must do with it.

Each case in cases.json:
  name      file or directory under DIR, ingested on its own
  read, stored, rejected   the counts `ingest --json` must print
  reason    a regular expression every rejection's reason must match
  seconds   wall-clock bound for the ingest (plain build; the test scales
            it for sanitizer builds)
  rss_mb    peak resident memory bound for the ingest (plain build)
  why       what the case attacks

Everything is made here from code (nothing downloaded); the big cases are
small on disk where the attack is expansion (zip/tar bombs) and written
out where it is size itself (an mbox without separators).  CC0-1.0.
"""
import gzip, io, json, lzma, os, random, stat, sys, tarfile, zipfile

out = sys.argv[1]
# "small" (second argument) shrinks the cases whose size is one header:
# under ASan, GMime's header buffer grows by copies (ASan's realloc never
# extends in place), so a 2 MiB header takes minutes there where the plain
# build needs a second for 16 MiB.  Sanitizer builds pass it.
small = len(sys.argv) > 2 and sys.argv[2] == "small"
header_bytes = (256 << 10) if small else (16 << 20)
many = 10000 if small else 100000
os.makedirs(out, exist_ok=True)
cases = []
rng = random.Random(8)

# Damaged input: how much is readable before the damage depends on the
# format, so only "some rejected, with this reason, and the counts add up".
DAMAGED = "could not be read|decompression failed|truncat|damaged|corrupt"

HEAD = ("From: Hostile Sender <hostile@evil.example>\n"
        "To: victim@example.org\n"
        "Date: Tue, 07 Mar 2017 10:00:00 +0000\n")


def case(name, why, read=1, stored=1, rejected=0, reason=None, seconds=20, rss_mb=400):
    cases.append(dict(name=name, why=why, read=read, stored=stored, rejected=rejected,
                      reason=reason, seconds=seconds, rss_mb=rss_mb))


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape"))


# --- MIME bombs ------------------------------------------------------------
depth = 20000
parts = [HEAD + "Subject: nesting bomb\nMessage-ID: <nest@evil.example>\nMIME-Version: 1.0\n"]
for i in range(depth):
    parts.append('Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i))
parts.append("Content-Type: text/plain\n\ninnermost words\n")
for i in reversed(range(depth)):
    parts.append("--b%d--\n" % i)
write("mime-nesting-bomb.eml", "".join(parts))
case("mime-nesting-bomb.eml", "20,000 nested multiparts: the walk stops at the MIME depth limit")

rfc = "Subject: innermost\n\nbottom\n"
for i in range(3000):
    rfc = "Content-Type: message/rfc822\nSubject: level %d\n\n%s" % (i, rfc)
write("rfc822-nesting.eml", HEAD + "Message-ID: <rfc@evil.example>\nMIME-Version: 1.0\n" + rfc)
case("rfc822-nesting.eml", "3,000 messages each attached inside the previous one: the carrier "
     "and the 3 levels below it are stored (docs/attachments.md)", read=4, stored=4)

body = ["--p\nContent-Type: application/octet-stream\n"
        "Content-Disposition: attachment; filename=\"f%d.bin\"\n\nx\n" % i for i in range(60000)]
write("mime-many-parts.eml", HEAD + "Subject: many parts\nMessage-ID: <parts@evil.example>\n"
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"p\"\n\n"
      + "".join(body) + "--p--\n")
case("mime-many-parts.eml", "60,000 attachments in one message: part limit")

write("boundary-never-closed.eml", HEAD + "Subject: open boundary\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"never\"\n\n--never\nContent-Type: text/plain\n\n"
      "text with no closing boundary\n--nev")
case("boundary-never-closed.eml", "multipart whose boundary is never closed, cut mid-line")

# --- headers ----------------------------------------------------------------
write("huge-header-line.eml", HEAD + "Message-ID: <longline@evil.example>\nSubject: "
      + "A" * header_bytes + "\n\nbody\n")
case("huge-header-line.eml", "a %d KiB Subject line without folding" % (header_bytes >> 10),
     seconds=30, rss_mb=900)

write("many-headers.eml", HEAD + "Subject: many headers\n"
      + "".join("X-Filler-%d: value %d\n" % (i, i) for i in range(400000)) + "\nbody\n")
case("many-headers.eml", "400,000 header fields", seconds=30)

write("many-recipients.eml", "From: a@evil.example\nSubject: many recipients\nTo: "
      + ",\n ".join("r%d@victims.example" % i for i in range(many)) + "\n\nbody\n")
case("many-recipients.eml", "%d addresses in To:" % many)

write("huge-references.eml", HEAD + "Subject: Re: references\nMessage-ID: <refs@evil.example>\n"
      "References: " + " ".join("<r%d@evil.example>" % i for i in range(many)) + "\n\nbody\n")
case("huge-references.eml", "%d message ids in References (threading bound)" % many)

write("many-dkim-signatures.eml", HEAD + "Subject: signatures\n"
      + "".join("DKIM-Signature: v=1; a=rsa-sha256; d=evil%d.example; s=s; h=from; "
                "bh=AAAA; b=AAAA\n" % i for i in range(5000)) + "\nbody\n")
case("many-dkim-signatures.eml", "5,000 DKIM-Signature headers")

# --- bytes and charsets --------------------------------------------------------
write("nul-bytes.eml", b"From: Nul\x00Name <nul@evil.example>\nTo: victim@example.org\n"
      b"Subject: before\x00after\nDate: Tue, 07 Mar 2017 10:00:00 +0000\n\n"
      b"body\x00with\x00nuls\n" + bytes(range(256)) + b"\n")
case("nul-bytes.eml", "NUL bytes in a name, the Subject and the body")

write("invalid-utf8.eml", HEAD.encode() + b"Subject: caf\xe9 \xff\xfe \xc3\x28 \xed\xa0\x80 "
      b"\xf4\x90\x80\x80 overlong \xc0\xaf\nMIME-Version: 1.0\n"
      b"Content-Type: text/plain; charset=utf-8\n\ninvalid \xc3\x28 \xe2\x82 \xf0\x9f\x98\n")
case("invalid-utf8.eml", "undeclared 8-bit headers; invalid, overlong and surrogate UTF-8")

write("lying-charsets.eml", HEAD + "Subject: =?x-no-such-charset?q?caf=E9?= "
      "=?utf-16?b?2D3YPQ==?= =?iso-2022-jp?b?GyRCJCIbKEJ?=\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"c\"\n\n"
      "--c\nContent-Type: text/plain; charset=utf-16\n\nplain ascii claiming utf-16\n"
      "--c\nContent-Type: text/plain; charset=x-no-such-charset\n\nunknown charset\n"
      "--c\nContent-Type: text/plain; charset=iso-2022-jp\n\n\x1b$B\x1b(J\x1b$ broken escapes\n"
      "--c--\n")
case("lying-charsets.eml", "charsets that lie or do not exist, in headers and parts")

write("bad-encoded-words.eml", HEAD + "Subject: =?utf-8?b?####?= =?utf-8?q?=ZZ=?= "
      "=?utf-8?b?PHNjcmlwdD4=?= =?unterminated\nMIME-Version: 1.0\n"
      "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n===\n")
case("bad-encoded-words.eml", "broken RFC 2047 words and a body that is not base64")

write("bare-cr.eml", HEAD.replace("\n", "\r") + "Subject: bare CR\r\rbody\rwith\rcarriage returns\r")
case("bare-cr.eml", "old Mac line ends: carriage returns only")

write("endless-body-line.eml", HEAD + "Subject: one line\n\n" + "w " * (10 << 20))
case("endless-body-line.eml", "a 20 MiB body on one line without a newline", seconds=30, rss_mb=900)

names = ["../../etc/passwd", "/etc/shadow", "a\x01b\x1b[31mred\x07.txt", "CON", "x" * 5000,
         "..\\..\\windows\\system.ini", "name\u202egnp.exe", ".hidden"]
att = "".join('--n\nContent-Type: application/octet-stream\n'
              'Content-Disposition: attachment; filename="%s"\n\npayload %d\n' % (n, i)
              for i, n in enumerate(names))
att += ("--n\nContent-Type: application/octet-stream\nContent-Disposition: attachment;"
        " filename*=utf-8''%2e%2e%2f%2e%2e%2fencoded%00nul.txt\n\nencoded\n--n--\n")
write("attachment-names.eml", HEAD + "Subject: names\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"n\"\n\n" + att)
case("attachment-names.eml", "attachment names with ../, absolute paths, control bytes, RTL override")

# --- mbox -------------------------------------------------------------------
with open(os.path.join(out, "no-separators.mbox"), "wb") as f:
    f.write(b"From nobody Tue Mar  7 10:00:00 2017\n" + HEAD.encode() + b"Subject: endless\n\n")
    line = b"an endless mbox that never has another separator line in it at all\n"
    f.write(line * ((70 << 20) // len(line)))
case("no-separators.mbox", "70 MiB after one separator: one big message, stored whole",
     seconds=30, rss_mb=900)

write("empty-messages.mbox", "From nobody Tue Mar  7 10:00:00 2017\n\n" * 2000)
case("empty-messages.mbox", "2,000 separators with nothing between", read=2000, stored=0,
     rejected=2000, reason="no header block|empty message")

write("binary.dat", bytes(rng.getrandbits(8) for _ in range(100000)))
case("binary.dat", "random bytes", stored=0, rejected=1, reason="binary data")

# --- archives ------------------------------------------------------------------
def zip_bytes(members, compression=zipfile.ZIP_DEFLATED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", compression) as z:
        for name, data in members:
            z.writestr(name, data)
    return b.getvalue()

msg = (HEAD + "Subject: inside\nMessage-ID: <inside@evil.example>\n\nbody\n").encode()
bomb = (HEAD + "Subject: bomb\n\n").encode() + b"A" * (300 << 20)
write("zip-bomb.zip", zip_bytes([("bomb.eml", bomb), ("ok.eml", msg)]))
case("zip-bomb.zip", "a 300 MiB member compressed to 300 KiB: under the 512 MiB limit, stored",
     read=2, stored=2, seconds=60, rss_mb=1800)

b = io.BytesIO()
with tarfile.open(fileobj=b, mode="w:gz") as t:
    for name, data in [("bomb.mbox", b"From x Tue Mar  7 10:00:00 2017\n" + bomb),
                       ("ok.eml", msg)]:
        info = tarfile.TarInfo(name); info.size = len(data)
        t.addfile(info, io.BytesIO(data))
write("tar-bomb.tar.gz", b.getvalue())
case("tar-bomb.tar.gz", "a 300 MiB mbox member gzipped: under the 512 MiB limit, stored",
     read=2, stored=2, seconds=60, rss_mb=1800)

inner = zip_bytes([("deep.eml", msg)])
for level in range(12):
    inner = zip_bytes([("level%d.zip" % level, inner)])
write("zip-nesting.zip", inner)
case("zip-nesting.zip", "zips nested 13 deep", stored=0, rejected=1,
     reason="nested deeper than 8 levels")

write("many-members.zip", zip_bytes([("m%05d.eml" % i, msg.replace(b"inside@", b"m%d@" % i))
                                     for i in range(5000)]))
case("many-members.zip", "5,000 members", read=5000, stored=5000)

b = io.BytesIO()
with tarfile.open(fileobj=b, mode="w") as t:
    def add(name, data=None, kind=tarfile.REGTYPE, link=""):
        info = tarfile.TarInfo(name); info.type = kind; info.linkname = link
        if data is not None:
            info.size = len(data)
        t.addfile(info, io.BytesIO(data) if data is not None else None)
    add("../../escape.eml", msg.replace(b"inside@", b"escape@"))
    add("/absolute/path.eml", msg.replace(b"inside@", b"absolute@"))
    add("ctl\x1b[2J\x07name.eml", msg.replace(b"inside@", b"ctl@"))
    add("link.eml", kind=tarfile.SYMTYPE, link="/etc/passwd")
    add("hard.eml", kind=tarfile.LNKTYPE, link="../../escape.eml")
    add("device", kind=tarfile.CHRTYPE)
    add("fifo", kind=tarfile.FIFOTYPE)
write("traversal.tar", b.getvalue())
case("traversal.tar", "traversal, absolute and control-byte names; link, device, fifo members",
     read=7, stored=3, rejected=4, reason="archive member is")

whole = zip_bytes([("m%d.eml" % i, msg.replace(b"inside@", b"t%d@" % i)) for i in range(50)],
                  zipfile.ZIP_STORED)
write("truncated.zip", whole[: len(whole) // 2])
case("truncated.zip", "a zip cut in half (no central directory)", read=None, stored=None,
     rejected=None, reason=DAMAGED)

x = io.BytesIO()
with tarfile.open(fileobj=x, mode="w:xz") as t:
    for i in range(50):
        data = msg.replace(b"inside@", b"x%d@" % i) + b"filler " * 2000
        info = tarfile.TarInfo("m%d.eml" % i); info.size = len(data)
        t.addfile(info, io.BytesIO(data))
raw = x.getvalue()
write("truncated.tar.xz", raw[: len(raw) * 2 // 3])
case("truncated.tar.xz", "a tar.xz cut at two thirds", read=None, stored=None, rejected=None,
     reason=DAMAGED)

gz = bytearray(gzip.compress(b"".join(b"From x Tue Mar  7 10:00:00 2017\n"
                                      + msg.replace(b"inside@", b"g%d@" % i) for i in range(200))))
for i in range(len(gz) // 2, len(gz) // 2 + 40):
    gz[i] ^= 0x5A
write("corrupt.mbox.gz", bytes(gz))
case("corrupt.mbox.gz", "a gzipped mbox with damaged bytes in the middle", read=None,
     stored=None, rejected=None, reason=DAMAGED)

write("not-really.zip", msg)
case("not-really.zip", "a message named .zip: content decides, not the name")

# --- trees -------------------------------------------------------------------------
tree = os.path.join(out, "tree")
os.makedirs(os.path.join(tree, "deep/" * 60), exist_ok=True)
with open(os.path.join(tree, "deep/" * 60, "bottom.eml"), "wb") as f:
    f.write(msg.replace(b"inside@", b"bottom@"))
os.symlink("..", os.path.join(tree, "loop"))
os.symlink("/nonexistent/target", os.path.join(tree, "dangling.eml"))
os.mkfifo(os.path.join(tree, "pipe.eml"))
case("tree", "60 nested directories, a symlink loop, a dangling link and a fifo",
     read=4, stored=1, rejected=3, reason="symbolic link|not a regular file|named pipe")

with open(os.path.join(out, "cases.json"), "w") as f:
    json.dump(cases, f, indent=1)
