#!/usr/bin/python3
"""Write a DKIM-signed message with a body of about SIZE bytes.

usage: make-big.py KEY.pem SIZE OUT.eml

Signed by good.example, selector sel2026 (examples/keys/dkim-sel2026.pem),
relaxed/relaxed, no l=: the signature covers the whole body, so dkim=pass
proves the verifier hashed every byte of it.  Exits 77 without dkimpy.
"""
import sys

try:
    import dkim
except ImportError:
    print("make-big.py: python3-dkim missing", file=sys.stderr)
    sys.exit(77)

key_path, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(key_path, "rb") as f:
    key = f.read()
headers = (b"From: Alice <alice@good.example>\r\n"
           b"To: Bob <bob@receiver.example>\r\n"
           b"Subject: a large attachment\r\n"
           b"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
           b"Message-ID: <big-body@good.example>\r\n"
           b"MIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=us-ascii\r\n")
lines = []
n = 0
i = 0
while n < size:
    # Distinct lines, so a body cut anywhere changes the hash.
    line = b"line %08d " % i + b"x" * 60 + b"\r\n"
    lines.append(line)
    n += len(line)
    i += 1
lines.append(b"the end\r\n")
msg = headers + b"\r\n" + b"".join(lines)
sig = dkim.sign(msg, b"sel2026", b"good.example", key,
                canonicalize=(b"relaxed", b"relaxed"),
                include_headers=[b"from", b"to", b"subject", b"date",
                                 b"message-id"])
with open(out, "wb") as f:
    f.write(sig + msg)
