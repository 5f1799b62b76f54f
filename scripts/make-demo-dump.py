#!/usr/bin/python3
"""Writes the demo dump of `make demo`: the mail of a fictional campaign,
"Horizon 2027" (horizon2027.example), as a leak would hold it, in three
formats, and the DKIM key records a newsroom would have collected.

  make-demo-dump.py OUT_DIR

OUT_DIR/dump/hq.mbox         headquarters' mailbox (mbox)
OUT_DIR/dump/staff/          a staff member's Maildir (cur/, new/, tmp/)
OUT_DIR/dump/press.zip       .eml files a source sent as a zip
OUT_DIR/keys.zone            key records: horizon2027.example's three selectors

Everything is invented here: names, text, and the keys, made afresh each
run with python3-cryptography (nothing secret is kept; the private keys
are never written).  Messages are signed by dkimpy (Debian python3-dkim),
a signer that is not ours.  What the demo shows:
- most campaign mail signed with a 2048-bit key (selector s2027): verified;
- one email altered in transit after signing: failed, altered since signed;
- one signed with an algorithm nobody verifies (rsa-sha512): failed, could
  not be checked;
- older mail signed with rsa-sha1 (selector legacy) or a 768-bit key
  (selector old): weak;
- mail from a press agency whose key nobody collected: nokey;
- outside mail, unsigned;
- threads where a reply quotes a verified email, so corroboration shows.
The text is made from a fixed seed: the same dump (but for signatures)
every run.
"""
import base64, os, random, sys, zipfile
from email.utils import format_datetime
import datetime

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

out = sys.argv[1]
dump = os.path.join(out, "dump")
for d in ("staff/cur", "staff/new", "staff/tmp"):
    os.makedirs(os.path.join(dump, d), exist_ok=True)
rng = random.Random(2027)
DOMAIN = b"horizon2027.example"


def keypair(bits):
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = key.private_bytes(serialization.Encoding.PEM,
                            serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
    pub = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, base64.b64encode(pub).decode()


main_pem, main_pub = keypair(2048)
legacy_pem, legacy_pub = keypair(1024)
short_pem, short_pub = keypair(768)   # too short to prove anything today
press_pem, _ = keypair(2048)          # the press agency's: never published here
with open(os.path.join(out, "keys.zone"), "w") as z:
    z.write("; DKIM key records of horizon2027.example, as collected (demo)\n")
    z.write('s2027._domainkey.horizon2027.example. 3600 IN TXT "v=DKIM1; k=rsa; p=%s"\n' % main_pub)
    z.write('legacy._domainkey.horizon2027.example. 3600 IN TXT "v=DKIM1; k=rsa; p=%s"\n' % legacy_pub)
    z.write('old._domainkey.horizon2027.example. 3600 IN TXT "v=DKIM1; k=rsa; p=%s"\n' % short_pub)

STAFF = [("Camille Lefèvre", "camille.lefevre"), ("Hugo Marchand", "hugo.marchand"),
         ("Inès Benali", "ines.benali"), ("Louis Garnier", "louis.garnier"),
         ("Chloé Dubois", "chloe.dubois"), ("Théo Rousseau", "theo.rousseau"),
         ("Sarah Nguyen", "sarah.nguyen"), ("Mathis Fabre", "mathis.fabre")]
OUTSIDE = [("Julien Perrin", "julien.perrin@imprimerie-perrin.example"),
           ("Élodie Martin", "e.martin@mailbox.example"),
           ("Karim Haddad", "karim@conseil-haddad.example")]
PRESS = ("Agence Presse Ouest", "desk@presse-ouest.example")
TOPICS = [
    ("Budget du meeting de Lyon", "Le budget du meeting de Lyon est arrêté à {n} euros, salle et sono comprises."),
    ("Tracts pour le porte-à-porte", "Il faut {n} tracts de plus pour le porte-à-porte du week-end dans le quartier de la gare."),
    ("Déplacement à Marseille", "Le déplacement à Marseille se fera en train le {d}; {n} militants sont attendus."),
    ("Sondage interne", "Le sondage interne donne {n} pour cent d'intentions de vote dans la circonscription."),
    ("Discours de clôture", "La version {n} du discours de clôture insiste sur l'emploi des jeunes et le logement."),
    ("Collecte de dons", "La collecte de dons atteint {n} euros cette semaine; les petits dons augmentent."),
    ("Réunion publique à Lille", "La réunion publique à Lille est confirmée pour le {d}, {n} places assises."),
    ("Affiches de campagne", "L'imprimeur livre {n} affiches de campagne lundi, à régler sous trente jours."),
]
start = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
count = [0]


def addr(name, email):
    return "%s <%s>" % (name, email)


def staff_addr(i):
    name, local = STAFF[i]
    return addr(name, "%s@horizon2027.example" % local)


def message(frm, to, subject, body, when, msgid, reply_to=None, refs=None):
    from email.header import Header
    h = ["From: " + Header(frm, "utf-8").encode() if not frm.isascii() else "From: " + frm]
    h[0] = "From: %s" % encode_addr(frm)
    h.append("To: %s" % ", ".join(encode_addr(t) for t in to))
    h.append("Subject: %s" % (Header(subject, "utf-8").encode() if not subject.isascii() else subject))
    h.append("Date: %s" % format_datetime(when))
    h.append("Message-ID: <%s>" % msgid)
    if reply_to:
        h.append("In-Reply-To: <%s>" % reply_to)
        h.append("References: %s" % " ".join("<%s>" % r for r in (refs or [reply_to])))
    h += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
          "Content-Transfer-Encoding: 8bit"]
    return ("\r\n".join(h) + "\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n").encode()


def encode_addr(a):
    from email.header import Header
    name, _, rest = a.partition(" <")
    if rest and not name.isascii():
        return "%s <%s" % (Header(name, "utf-8").encode(), rest)
    return a


def sign(raw, selector=b"s2027", key=None, alg=b"rsa-sha256", domain=DOMAIN):
    key = key or main_pem
    sig = dkim.sign(raw, selector, domain, key, signature_algorithm=alg,
                    canonicalize=(b"relaxed", b"relaxed"),
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id",
                                     b"in-reply-to", b"references"])
    return sig + raw


hq, staff, press = [], [], []
threads = []          # (msgid, body, subject, sender index) of verified mail
for i in range(150):
    when = start + datetime.timedelta(hours=7 * i + rng.randint(0, 5))
    subject, text = rng.choice(TOPICS)
    d = (when + datetime.timedelta(days=rng.randint(3, 20))).strftime("%d/%m")
    body = text.format(n=rng.randint(2, 90) * 100, d=d)
    body += "\n\n" + rng.choice(["Merci de confirmer avant ce soir.", "On en parle à la réunion de demain.",
                                 "Les détails suivent.", "Bonne journée,"])
    s = rng.randrange(len(STAFF))
    to = [staff_addr((s + 1 + rng.randrange(len(STAFF) - 1)) % len(STAFF))]
    msgid = "%d.%s@horizon2027.example" % (100000 + i, STAFF[s][1])
    raw = message(staff_addr(s), to, subject, body + "\n\n-- \n" + STAFF[s][0], when, msgid)
    if i < 6:
        raw = sign(raw, b"legacy", legacy_pem, b"rsa-sha1")           # weak: sha1
    elif i < 12:
        raw = sign(raw, b"old", short_pem)                            # weak: 768-bit key
    else:
        raw = sign(raw)
        threads.append((msgid, body, subject, s, when))
    (hq if i % 3 else staff).append(raw)

# one email altered in transit after it was signed: the amount changed
victim = hq[40]
head, _, body = victim.partition(b"\r\n\r\n")
digits = [w for w in body.split() if w.isdigit()]
altered = head + b"\r\n\r\n" + body.replace(digits[0], digits[0] + b"0", 1) if digits else victim + b"x"
hq[40] = altered

# one signed with an algorithm no verifier knows: it cannot be checked,
# which is not the same as altered
odd = sign(message(staff_addr(2), [staff_addr(5)], "Note de synthèse",
                   "La note de synthèse sur le logement est prête.\n\n-- \n" + STAFF[2][0],
                   start + datetime.timedelta(days=20), "odd-alg.ines.benali@horizon2027.example"))
hq.append(odd.replace(b"a=rsa-sha256", b"a=rsa-sha512", 1))

# replies: outside people (unsigned) and staff (signed) quote verified mail
for k in range(45):
    msgid, body, subject, s, when = threads[rng.randrange(len(threads))]
    quoted = "\n".join("> " + line for line in body.split("\n"))
    when = when + datetime.timedelta(hours=rng.randint(1, 30))
    rid = "re-%d.%s" % (k, msgid)
    if k % 3 == 0:
        r = rng.randrange(len(STAFF))
        text = "Bien reçu, je m'en occupe.\n\nLe %s, %s a écrit :\n%s\n" % (
            when.strftime("%d/%m"), STAFF[s][0], quoted)
        raw = sign(message(staff_addr(r), [staff_addr(s)], "Re: " + subject, text, when,
                           rid.replace("re-", "re-s-") , msgid))
        hq.append(raw)
    else:
        o = OUTSIDE[k % len(OUTSIDE)]
        text = "Bonjour,\n\nNous confirmons, voir ci-dessous.\n\n%s\n\n%s\n" % (quoted, o[0])
        raw = message(addr(*o), [staff_addr(s)], "Re: " + subject, text, when,
                      rid.replace("@horizon2027.example", "@" + o[1].split("@")[1]), msgid)
        press.append(raw)

# the press agency's mail: signed, with a key nobody collected
for k in range(15):
    when = start + datetime.timedelta(days=3 * k, hours=10)
    raw = message(addr(*PRESS), [staff_addr(k % len(STAFF))], "Demande d'interview n°%d" % (k + 1),
                  "Bonjour,\n\nNotre rédaction souhaite un entretien de vingt minutes "
                  "sur le programme logement.\n\nCordialement,\nLa rédaction", when,
                  "interview-%d@presse-ouest.example" % k)
    press.append(sign(raw, b"apo1", press_pem, domain=b"presse-ouest.example"))

# outside mail, unsigned
for k in range(20):
    o = OUTSIDE[k % len(OUTSIDE)]
    when = start + datetime.timedelta(days=2 * k, hours=15)
    raw = message(addr(*o), [staff_addr(k % len(STAFF))], "Devis n°%d" % (300 + k),
                  "Veuillez trouver notre devis pour %d affiches et %d tracts.\n\n%s" % (
                      rng.randint(5, 50) * 100, rng.randint(10, 90) * 1000, o[0]),
                  when, "devis-%d@%s" % (k, o[1].split("@")[1]))
    staff.append(raw)

with open(os.path.join(dump, "hq.mbox"), "wb") as f:
    for raw in hq:
        lf = raw.replace(b"\r\n", b"\n")
        lf = b"\n".join((b">" + l if l.lstrip(b">").startswith(b"From ") else l)
                        for l in lf.split(b"\n"))
        f.write(b"From hq@horizon2027.example Mon Sep  1 08:00:00 2026\n" + lf + b"\n")
for n, raw in enumerate(staff):
    sub = "cur" if n % 4 else "new"
    name = "%d.M%dP2027.horizon-laptop%s" % (1756713600 + n * 3600, n, ":2,S" if sub == "cur" else "")
    with open(os.path.join(dump, "staff", sub, name), "wb") as f:
        f.write(raw)
with zipfile.ZipFile(os.path.join(dump, "press.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for n, raw in enumerate(press):
        z.writestr("transmis/%03d.eml" % n, raw)
print("demo dump: %d emails in hq.mbox, %d in the staff Maildir, %d in press.zip"
      % (len(hq), len(staff), len(press)))
