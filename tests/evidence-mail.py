#!/usr/bin/python3
"""Mail for the evidence tests (issue 24), made here and signed by a signer
that is not ours: dkimpy's dkim.sign, with keys this script generates
(RSA 1024 and 2048 through python3-cryptography, Ed25519 through nacl).

    evidence-mail.py OUTDIR

writes OUTDIR/mail/*.eml and key record files OUTDIR/*.zone:
  win.zone       selector win (RSA 2048): one email signed in 2016, one in 2018
  leaked.zone    selector leaked (RSA 1024), whose private half the test says
                 was published
  ed.zone        selector ed (Ed25519)
  relayed.eml, backdated.eml  (ed) with Received fields added after signing
  withheld.zone  the keys the test withholds for recovery: lost2048 (3 good
                 signatures and one on a body altered afterwards), lost1024
                 (one rsa-sha256 and one rsa-sha1 signature), single (one
                 signature), mixed (two signatures by two different
                 512-bit keys)
Nothing is fixed in advance: new keys every run.
"""
import base64
import os
import sys
import time as _time

import dkim
import nacl.signing
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

out = sys.argv[1]
os.makedirs(os.path.join(out, "mail"), exist_ok=True)
DOMAIN = b"org.example"


def rsa_key(bits):
    k = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption())
    der = k.public_key().public_bytes(serialization.Encoding.DER,
                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def ed_key():
    k = nacl.signing.SigningKey.generate()
    return (base64.b64encode(bytes(k)),
            "v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(k.verify_key)).decode())


def zone(name, records):
    with open(os.path.join(out, name), "w") as f:
        for selector, record in records:
            f.write('%s._domainkey.org.example. 300 IN TXT "%s"\n' % (selector, record))


def received(by, when):
    return ("Received: from relay.example by %s with ESMTP;\r\n\t%s\r\n"
            % (by, _time.strftime("%a, %d %b %Y %H:%M:%S +0000", _time.gmtime(when)))).encode()


def mail(name, selector, key, when, body="", algorithm=b"rsa-sha256", alter=None,
         date=None, relays=()):
    msg = ("From: Press Office <press@org.example>\r\nTo: desk@news.example\r\n"
           "Subject: %s\r\nDate: %s\r\nMessage-ID: <%s@org.example>\r\n\r\n"
           "Statement %s.\r\n%s" % (name, _time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                                                        _time.gmtime(date or when)),
                                    name, name, body)).encode()
    real_time = dkim.time.time
    dkim.time.time = lambda: when   # t= is the signing time dkimpy reads
    try:
        sig = dkim.sign(msg, selector, DOMAIN, key, signature_algorithm=algorithm,
                        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    finally:
        dkim.time.time = real_time
    signed = sig + msg
    for by, at in relays:   # each relay adds its field on top
        signed = received(by, at) + signed
    if alter:
        signed = signed.replace(alter[0], alter[1])
    with open(os.path.join(out, "mail", name + ".eml"), "wb") as f:
        f.write(signed)


Y2016, Y2017, Y2018 = 1464782400, 1496318400, 1527854400  # June 1st of each, noon UTC
win_pem, win_rec = rsa_key(2048)
leaked_pem, leaked_rec = rsa_key(1024)
ed_seed, ed_rec = ed_key()
lost2048_pem, lost2048_rec = rsa_key(2048)
lost1024_pem, lost1024_rec = rsa_key(1024)
single_pem, single_rec = rsa_key(1024)
# 512 bits: the GCD that finds no common key costs seconds, not tens
mixed_a_pem, mixed_a_rec = rsa_key(512)
mixed_b_pem, _ = rsa_key(512)

zone("win.zone", [(b"win".decode(), win_rec)])
zone("leaked.zone", [("leaked", leaked_rec)])
zone("ed.zone", [("ed", ed_rec)])
zone("withheld.zone", [("lost2048", lost2048_rec), ("lost1024", lost1024_rec),
                       ("single", single_rec), ("mixed", mixed_a_rec)])

mail("win-in", b"win", win_pem, Y2016)
mail("win-out", b"win", win_pem, Y2018)
mail("leaked", b"leaked", leaked_pem, Y2017)
mail("ed", b"ed", ed_seed, Y2017, algorithm=b"ed25519-sha256")
for i in (1, 2, 3):
    mail("lost2048-%d" % i, b"lost2048", lost2048_pem, Y2017 + i)
mail("lost2048-altered", b"lost2048", lost2048_pem, Y2017 + 9, body="Signed text.\r\n",
     alter=(b"Signed text.", b"Forged text."))
mail("lost1024-1", b"lost1024", lost1024_pem, Y2016 + 1)
mail("lost1024-sha1", b"lost1024", lost1024_pem, Y2016 + 2, algorithm=b"rsa-sha1")
mail("single", b"single", single_pem, Y2017)
mail("mixed-a", b"mixed", mixed_a_pem, Y2017)
mail("mixed-b", b"mixed", mixed_b_pem, Y2017)
# dates: two relays after signing; and a Date header a year after the relays
mail("relayed", b"ed", ed_seed, Y2017 + 100, algorithm=b"ed25519-sha256",
     relays=(("relay.org.example", Y2017 + 105), ("mx.news.example", Y2017 + 110)))
mail("backdated", b"ed", ed_seed, Y2017 + 100, algorithm=b"ed25519-sha256", date=Y2018,
     relays=(("mx.news.example", Y2017 + 110),))
