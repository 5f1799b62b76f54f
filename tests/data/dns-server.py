#!/usr/bin/python3
"""A tiny authoritative DNS server for tests (UDP, 127.0.0.1): answers TXT
queries from a key file's lines (NAME TXT "..."), NXDOMAIN otherwise, and
logs each question to LOG.  Prints its port on stdout once listening.
  dns-server.py ZONE_FILE LOG_FILE"""
import re, socket, struct, sys

records = {}
for line in open(sys.argv[1]):
    m = re.match(r'(\S+?)\.?\s+(?:\d+\s+)?(?:IN\s+)?TXT\s+(.*)', line.strip())
    if m:
        text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
        records.setdefault(m.group(1).lower(), []).append(text.encode())
log = open(sys.argv[2], "a", buffering=1)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
while True:
    query, peer = sock.recvfrom(4096)
    ident, flags, qdcount = struct.unpack(">HHH", query[:6])
    labels, i = [], 12
    while query[i]:
        labels.append(query[i + 1:i + 1 + query[i]].decode("ascii", "replace"))
        i += 1 + query[i]
    qtype, = struct.unpack(">H", query[i + 1:i + 3])
    question = query[12:i + 5]
    name = ".".join(labels).lower()
    log.write("%s %d\n" % (name, qtype))
    answers = records.get(name, []) if qtype == 16 else []
    rcode = 0 if name in records else 3
    body = b""
    for text in answers:
        chunks = b"".join(bytes([len(text[k:k + 255])]) + text[k:k + 255]
                          for k in range(0, len(text), 255))
        body += struct.pack(">HHHIH", 0xC00C, 16, 1, 300, len(chunks)) + chunks
    header = struct.pack(">HHHHHH", ident, 0x8400 | 0x0100 | 0x0080 | rcode, 1, len(answers), 0, 0)
    sock.sendto(header + question + body, peer)
