#!/usr/bin/python3
"""Writes a constructed conversation for the corroboration tests into DIR:
a throwaway RSA key (chain.zone), and
  1-original.eml   Alice, unsigned: the budget paragraph
  2-reply.eml      Bob, DKIM-signed by example.org: his own paragraph, and
                   Alice's paragraph quoted with '>' and re-wrapped
  3-requote.eml    Carol, unsigned: quotes Bob's paragraph and Alice's, one
                   word of Bob's changed ("nine" -> "ten")
  4-outlook.eml    Dave, unsigned: Outlook-style quote of Bob's paragraph
                   under "-----Original Message-----", intact
  5-unrelated.eml  Erin, unsigned, another thread: the same first words as
                   Alice's paragraph, then different ones
All in one thread except 5.  Expected results are in tests/cli/T085."""
import base64, os, sys
import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                        serialization.NoEncryption())
pub = base64.b64encode(key.public_key().public_bytes(serialization.Encoding.DER,
                       serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
open(os.path.join(out, "chain.zone"), "w").write('s1._domainkey.example.org. TXT "v=DKIM1; k=rsa; p=%s"\n' % pub)

ALICE = ("The campaign budget for March is forty thousand euros, of which\n"
         "twelve thousand go to the rally in Lyon and the rest to printing.\n")
BOB = ("I agree with the plan. We should sign the printing contract before\n"
       "the ninth of March and keep nine thousand euros in reserve for travel.\n")

def write(name, text):
    open(os.path.join(out, name), "wb").write(text.replace("\n", "\r\n").encode("utf-8"))

write("1-original.eml",
      "From: Alice <alice@example.net>\nTo: bob@example.org\nSubject: Budget for March\n"
      "Date: Mon, 06 Mar 2017 09:00:00 +0000\nMessage-ID: <a1@example.net>\n\n" + ALICE)
rewrapped = ("The campaign budget for March is forty thousand\n"
             "euros, of which twelve thousand go to the rally in\n"
             "Lyon and the rest to printing.\n")
reply = ("From: Bob <bob@example.org>\nTo: alice@example.net\nSubject: Re: Budget for March\n"
         "Date: Mon, 06 Mar 2017 10:00:00 +0000\nMessage-ID: <b1@example.org>\n"
         "In-Reply-To: <a1@example.net>\nReferences: <a1@example.net>\n\n" + BOB +
         "\nOn Mon, 6 Mar 2017 at 09:00, Alice <alice@example.net> wrote:\n" +
         "".join("> " + l + "\n" for l in rewrapped.splitlines()))
reply = reply.replace("\n", "\r\n").encode("utf-8")
signed = dkim.sign(reply, b"s1", b"example.org", pem,
                   include_headers=[b"from", b"to", b"subject", b"date", b"message-id"]) + reply
open(os.path.join(out, "2-reply.eml"), "wb").write(signed)
altered = BOB.replace("keep nine thousand", "keep ten thousand")
write("3-requote.eml",
      "From: Carol <carol@example.com>\nTo: bob@example.org\nSubject: Re: Re: Budget for March\n"
      "Date: Mon, 06 Mar 2017 11:00:00 +0000\nMessage-ID: <c1@example.com>\n"
      "In-Reply-To: <b1@example.org>\nReferences: <a1@example.net> <b1@example.org>\n\n"
      "Fine by me.\n\nLe lundi 6 mars 2017, Bob a écrit :\n" +
      "".join("> " + l + "\n" for l in altered.splitlines()) +
      ">\n" + "".join(">> " + l + "\n" for l in rewrapped.splitlines()))
write("4-outlook.eml",
      "From: Dave <dave@example.com>\nTo: bob@example.org\nSubject: RE: Budget for March\n"
      "Date: Mon, 06 Mar 2017 12:00:00 +0000\nMessage-ID: <d1@example.com>\n"
      "In-Reply-To: <b1@example.org>\nReferences: <a1@example.net> <b1@example.org>\n\n"
      "Noted, thanks.\n\n-----Original Message-----\nFrom: Bob\nSent: Monday, March 6, 2017 10:00\n"
      "To: Alice\nSubject: Re: Budget for March\n\n" + BOB.replace("reserve for travel", "reserve\u00a0for travel"))
write("5-unrelated.eml",
      "From: Erin <erin@example.com>\nTo: someone@example.com\nSubject: Other matter\n"
      "Date: Tue, 07 Mar 2017 12:00:00 +0000\nMessage-ID: <e1@example.com>\n\n"
      "The campaign budget for March is forty thousand euros, of which most goes elsewhere.\n")
