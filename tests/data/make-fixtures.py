#!/usr/bin/env python3
"""Writes the small hand-made fixtures in tests/data (run from anywhere).

Every message here was written for mailtrove's tests; the names and
addresses are invented.  Licence: CC0-1.0.  The files are committed; this
script documents exactly how their bytes were made and can remake them.
"""
import base64, os

HERE = os.path.dirname(os.path.abspath(__file__))

def write(rel, data):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)

simple = b"""From: Alice Martin <alice@example.org>
To: Bob Stone <bob@example.net>
Subject: Lunch on Friday
Date: Mon, 24 Apr 2017 18:03:11 +0000
Message-ID: <simple-1@example.org>

Hi Bob,

Shall we meet at noon on Friday?  The usual place.

Alice
"""
write("mail/simple.eml", simple)

latin1_body = "Bonjour à tous,\n\nLa réunion à l'Élysée est déplacée à jeudi.\nMerci de confirmer.\n\nJean\n"
qp = (latin1_body.encode("iso-8859-1")
      .replace(b"\xe0", b"=E0").replace(b"\xe9", b"=E9").replace(b"\xc9", b"=C9"))
french = (b"From: =?utf-8?q?Jean_Dupont?= <Jean.Dupont@en-marche.fr>\n"
          b"To: Alice Martin <alice@example.org>, =?iso-8859-1?q?Fran=E7ois_L=E9ger?= <francois@example.com>\n"
          b"Cc: equipe@en-marche.fr\n"
          b"Subject: =?utf-8?b?" + base64.b64encode("Réunion à l'Élysée".encode()) + b"?=\n"
          b"Date: Tue, 14 Mar 2017 09:30:00 +0100\n"
          b"Message-ID: <reunion-2017@en-marche.fr>\n"
          b"In-Reply-To: <simple-1@example.org>\n"
          b"References: <older@example.org> <simple-1@example.org>\n"
          b"MIME-Version: 1.0\n"
          b"Content-Type: text/plain; charset=iso-8859-1\n"
          b"Content-Transfer-Encoding: quoted-printable\n\n" + qp)
write("mail/french-crlf.eml", french.replace(b"\n", b"\r\n"))

pdf = b"%PDF-1.4\n% fake but harmless test document\n%%EOF\n"
png = bytes(range(256)) * 2
attached = b"""From: Carol <carol@example.org>
To: Alice Martin <alice@example.org>
Subject: the original
Date: Sun, 12 Mar 2017 10:00:00 +0000
Message-ID: <inner@example.org>

This message travels as an attachment.
"""
attachments = (b"""From: Bob Stone <bob@example.net>
To: Alice Martin <alice@example.org>
Subject: Documents for the meeting
Date: Wed, 15 Mar 2017 16:45:00 -0400
Message-ID: <docs@example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XYZ"

This is a multi-part message in MIME format.
--XYZ
Content-Type: text/plain; charset=utf-8

Here are the budget and the photo.
--XYZ
Content-Type: application/pdf; name="budget 2017.pdf"
Content-Disposition: attachment; filename="budget 2017.pdf"
Content-Transfer-Encoding: base64

""" + base64.encodebytes(pdf) + b"""--XYZ
Content-Type: image/png; name="photo.png"
Content-Disposition: inline; filename="photo.png"
Content-Transfer-Encoding: base64

""" + base64.encodebytes(png) + b"""--XYZ
Content-Type: message/rfc822

""" + attached + b"""--XYZ--
""")
write("mail/attachments.eml", attachments)

html = ("<html><head><style>p{color:red}</style><script>alert(1)</script></head>"
        "<body><p>Caf\xe9 cr\xe8me &amp; croissants</p><div>Second&nbsp;line</div></body></html>\n")
html_only = (b"""From: Dave <dave@example.com>
To: Alice Martin <alice@example.org>
Subject: HTML only, undeclared charset
Date: Thu, 16 Mar 2017 08:00:00 +0000
Message-ID: <html-only@example.com>
MIME-Version: 1.0
Content-Type: text/html
Content-Transfer-Encoding: 8bit

""" + html.encode("windows-1252"))
write("mail/html-only.eml", html_only)

alternative = b"""From: Eve <eve@example.com>
To: Bob Stone <bob@example.net>
Subject: Alternative parts
Date: Fri, 17 Mar 2017 12:00:00 +0000
Message-ID: <alternative@example.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="ALT"

--ALT
Content-Type: text/plain; charset=us-ascii

The plain text wins.
--ALT
Content-Type: text/html; charset=us-ascii

<p>The <b>HTML</b> loses.</p>
--ALT--
"""
write("mail/alternative.eml", alternative)

# mboxrd: quoted From lines, an unquoted "From Russia" body line, a final
# message with no trailing newline.
m1 = b"""From: Alice Martin <alice@example.org>
To: list@example.org
Subject: first post
Date: Sat, 01 Apr 2017 10:00:00 +0000
Message-ID: <m1@example.org>

Hello list.
From here on, quoting:
>From the archives
"""
m2 = b"""From: Bob Stone <bob@example.net>
To: list@example.org
Subject: Re: first post
Date: Sat, 01 Apr 2017 11:00:00 +0000
Message-ID: <m2@example.net>
In-Reply-To: <m1@example.org>
References: <m1@example.org>

My favourite film:

From Russia with love
"""
m3 = b"""From: Carol <carol@example.org>
To: list@example.org
Subject: Re: first post
Date: Sat, 01 Apr 2017 12:00:00 +0000
Message-ID: <m3@example.org>
In-Reply-To: <m2@example.net>

No trailing newline at the end of this one."""

def mboxrd_quote(msg):
    out = []
    for line in msg.split(b"\n"):
        s = line.lstrip(b">")
        out.append(b">" + line if s.startswith(b"From ") else line)
    return b"\n".join(out)

mbox = (b"From alice@example.org Sat Apr  1 10:00:00 2017\n" + mboxrd_quote(m1) + b"\n"
        b"From bob@example.net Sat Apr  1 11:00:00 2017\n" + mboxrd_quote(m2) + b"\n"
        b"From carol@example.org Sat Apr  1 12:00:00 2017\n" + mboxrd_quote(m3))
write("mbox/list.mboxrd", mbox)
write("expected/list-1.eml", m1)
write("expected/list-2.eml", m2)
write("expected/list-3.eml", m3)

c1 = b"From: Dave <dave@example.com>\nSubject: crlf one\nMessage-ID: <c1@example.com>\nDate: Sun, 02 Apr 2017 10:00:00 +0000\n\nBody one.\n"
c2 = b"From: Dave <dave@example.com>\nSubject: crlf two\nMessage-ID: <c2@example.com>\nDate: Sun, 02 Apr 2017 11:00:00 +0000\n\nBody two.\n"
crlf = (b"From dave@example.com Sun Apr  2 10:00:00 2017\n" + c1 + b"\n"
        b"From dave@example.com Sun Apr  2 11:00:00 2017\n" + c2 + b"\n").replace(b"\n", b"\r\n")
write("mbox/crlf.mbox", crlf)
write("expected/crlf-1.eml", c1.replace(b"\n", b"\r\n"))
write("expected/crlf-2.eml", c2.replace(b"\n", b"\r\n"))

# Maildir: one new message, and an exact copy of simple.eml (a duplicate).
md = b"From: Frank <frank@example.org>\nTo: Alice Martin <alice@example.org>\nSubject: In the Maildir\nDate: Mon, 03 Apr 2017 09:00:00 +0000\nMessage-ID: <maildir-1@example.org>\n\nFiled in new/.\n"
write("maildir/new/1491210000.M1P1.host", md)
write("maildir/cur/1491200000.M2P2.host:2,S", simple)
write("maildir/tmp/.keep", b"")

# Things that are not mail.
write("junk/empty.txt", b"")
write("junk/binary.bin", bytes([0, 1, 2, 3, 255, 254, 0, 0]) * 64)
write("junk/notes.txt", b"Just some notes,\nno headers at all.\n")
