#!/usr/bin/python3
"""Writes the adversarial DKIM cases into WORK/adv/*.eml and their keys
into WORK/adv.zone, with fresh throwaway keys each run (nothing secret is
kept).  Signed with dkimpy (Debian python3-dkim), except the cases dkimpy
refuses to make (h= without From, x=), which are signed here by hand
following RFC 6376 3.4.2/3.4.4 (relaxed/relaxed).  Used by T060 and T065.
WORK/tags/*.eml and WORK/tags.zone: tag lists with unknown tags outside
RFC 6376's tag-name grammar, and d= values that are not domain names.
"""
import base64, os, sys, dkim
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives import serialization
work = sys.argv[1]
os.makedirs(os.path.join(work, "adv"), exist_ok=True)
def keypair(bits):
    k = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                          serialization.NoEncryption())
    pub = k.public_key().public_bytes(serialization.Encoding.DER,
                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, base64.b64encode(pub).decode()
good_pem, good_pub = keypair(2048)
weak_pem, weak_pub = keypair(768)
zone = ['good._domainkey.example.org. TXT "v=DKIM1; k=rsa; p=%s"' % good_pub,
        'weak._domainkey.example.org. TXT "v=DKIM1; k=rsa; p=%s"' % weak_pub,
        'revoked._domainkey.example.org. TXT "v=DKIM1; k=rsa; p="']
open(os.path.join(work, "adv.zone"), "w").write("\n".join(zone) + "\n")
msg = (b"From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: The plan\r\n"
       b"Date: Mon, 24 Apr 2017 18:03:11 +0000\r\nMessage-ID: <plan@example.org>\r\n\r\n"
       b"Meet at  noon.\r\nBring the documents.\r\n")
def sign(m, sel=b"good", key=good_pem, **kw):
    return dkim.sign(m, sel, b"example.org", key, **kw) + m
def put(name, data):
    open(os.path.join(work, "adv", name + ".eml"), "wb").write(data)
put("00-good", sign(msg))
put("01-good-relaxed-lf", sign(msg, canonicalize=(b"relaxed", b"relaxed")).replace(b"\r\n", b"\n"))
put("02-altered-body", sign(msg).replace(b"noon", b"nine"))
put("03-altered-subject", sign(msg).replace(b"The plan", b"The plot"))
put("04-l-appended", sign(msg, length=True) + b"P.S. appended after signing\r\n")
put("05-from-added", b"From: Mallory <m@evil.example>\r\n" + sign(msg))
put("06-from-added-not-oversigned", b"From: Mallory <m@evil.example>\r\n"
    + sign(msg, include_headers=[b"from", b"to", b"subject", b"date"]))
put("07-short-key", sign(msg, sel=b"weak", key=weak_pem))
put("08-revoked", sign(msg, sel=b"revoked"))
s = sign(msg)
put("09-no-bh", s.replace(b" bh=", b" xh=", 1))
put("10-bad-base64", s.replace(b" b=", b" b=!!!", 1))
put("11-unknown-algorithm", s.replace(b"a=rsa-sha256", b"a=rsa-md5", 1))
put("12-wrong-version", s.replace(b"v=1;", b"v=2;", 1))
put("13-sha1", sign(msg, signature_algorithm=b"rsa-sha1"))
put("14-refolded-relaxed", sign(msg, canonicalize=(b"relaxed", b"relaxed")).replace(b"Subject: The plan", b"Subject:   The \r\n\tplan"))
# A header section longer than the verifier's first guess for its CRLF
# copy (8 KB): 200 Received fields above the signed ones, stored with bare
# LF; then the same with a signed header altered past that point.
received = b"".join(b"Received: from relay%d.example.net (relay%d.example.net [192.0.2.%d])\r\n"
                    b"\tby mx.example.org; Mon, 24 Apr 2017 18:03:%02d +0000\r\n"
                    % (i, i, i % 250, i % 60) for i in range(200))
put("20-long-header-section-lf", sign(received + msg).replace(b"\r\n", b"\n"))
put("21-long-header-section-altered", sign(received + msg).replace(b"The plan", b"The plot"))
put("15-refolded-simple", sign(msg, canonicalize=(b"simple", b"simple")).replace(b"Subject: The plan", b"Subject: The\r\n plan"))

# --- cases dkimpy will not sign: our own relaxed/relaxed signer ----------
import hashlib, re
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
def relaxed_body(b):
    lines = b.split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    lines = [re.sub(rb"[ \t]+", b" ", l).rstrip(b" ") for l in lines]
    while lines and lines[-1] == b"":
        lines.pop()
    return b"".join(l + b"\r\n" for l in lines)
def relaxed_header(name, value):
    value = re.sub(rb"\r\n(?=[ \t])", b"", value)
    return name.lower().strip() + b":" + re.sub(rb"[ \t]+", b" ", value).strip()
def hand_sign(m, signed, extra=b"", d=b"example.org", sel=b"good"):
    head, body = m.split(b"\r\n\r\n", 1)
    fields = {}
    for line in re.split(rb"\r\n(?![ \t])", head):
        name, value = line.split(b":", 1)
        fields[name.lower()] = value
    bh = base64.b64encode(hashlib.sha256(relaxed_body(body)).digest())
    tags = (b"v=1; a=rsa-sha256; c=relaxed/relaxed; d=" + d + b"; s=" + sel + b"; " + extra
            + b"h=" + b":".join(signed) + b"; bh=" + bh + b"; b=")
    data = b"".join(relaxed_header(h, fields[h]) + b"\r\n" for h in signed)
    data += relaxed_header(b"DKIM-Signature", b" " + tags)
    key = serialization.load_pem_private_key(good_pem, password=None)
    b = base64.b64encode(key.sign(data, padding.PKCS1v15(), hashes.SHA256()))
    return b"DKIM-Signature: " + tags + b + b"\r\n" + m
put("16-hand-signed-control", hand_sign(msg, [b"from", b"to", b"subject", b"date"]))
put("17-h-without-from", hand_sign(msg, [b"to", b"subject", b"date"]))
put("19-third-party-signer", hand_sign(msg.replace(b"alice@example.org", b"alice@other.example"),
                                      [b"from", b"to", b"subject", b"date"]))
put("18-expired", hand_sign(msg, [b"from", b"to", b"subject", b"date"],
                            b"t=1400000000; x=1500000000; "))

# --- tag lists (issue 21, findings 3 and 12): WORK/tags, WORK/tags.zone ----
os.makedirs(os.path.join(work, "tags"), exist_ok=True)
def put_tags(name, data):
    open(os.path.join(work, "tags", name + ".eml"), "wb").write(data)
open(os.path.join(work, "tags.zone"), "w").write("\n".join(zone + [
    # a key record with unknown tags, one of them outside the grammar
    'dash._domainkey.example.org. TXT "v=DKIM1; k=rsa; x-rotated=2017; n=note; p=%s"' % good_pub,
]) + "\n")
signed = [b"from", b"to", b"subject", b"date"]
put_tags("40-signature-unknown-dash-tag", hand_sign(msg, signed, b"x-origin=relay.example.org; "))
put_tags("41-signature-unknown-digit-tag", hand_sign(msg, signed, b"z9-a_b=1; "))
put_tags("42-key-unknown-dash-tag", hand_sign(msg, signed, sel=b"dash"))
put_tags("43-d-not-a-domain", hand_sign(msg, signed, d=b"legitimate.com(.attacker.com"))
put_tags("44-s-not-a-selector", hand_sign(msg, signed, sel=b"good;x"[:4] + b" x"))
