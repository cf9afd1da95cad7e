#!/usr/bin/env python3
"""Writes a Maildir folder of generated messages for the IMAP benchmarks.

usage: gen_folder.py MAILDIR COUNT [SIGNED_DIR]

Messages are 2-17 kB, about one in four is multipart/mixed with an
attachment, and, when SIGNED_DIR holds signed message bodies (files made
by openssl cms), about one in ten reuses one of them under fresh outer
headers. The output is deterministic for a given COUNT.
"""
import os
import random
import sys
import time

WORDS = ("mail client signature certificate folder index header cache "
         "message subject report quarterly review meeting agenda budget "
         "release notes draft server network latency result summary").split()


def text(rng, size):
    out, n = [], 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12)))
        out.append(line)
        n += len(line) + 1
    return "\n".join(out) + "\n"


def main():
    maildir, count = sys.argv[1], int(sys.argv[2])
    signed = []
    if len(sys.argv) > 3:
        d = sys.argv[3]
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                signed.append(f.read())
    rng = random.Random(count)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    base = 1_700_000_000
    for i in range(count):
        sender = "user%03d@example.org" % rng.randint(0, 199)
        when = time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                             time.gmtime(base + i * 60))
        head = ("From: Sender %d <%s>\nTo: carol@localhost\n"
                "Subject: %s %d\nDate: %s\nMessage-ID: <bench-%d@example.org>\n"
                % (i, sender, rng.choice(WORDS).capitalize(), i, when, i))
        size = rng.randint(2000, 17000)
        kind = rng.random()
        if signed and kind < 0.1:
            body = signed[i % len(signed)]
            msg = head.encode() + body
        elif kind < 0.35:
            b = "=-=bench-%d=-=" % i
            att = os.urandom(size // 3).hex()[: size // 3]
            msg = (head + "MIME-Version: 1.0\n"
                   "Content-Type: multipart/mixed; boundary=\"%s\"\n\n"
                   "--%s\nContent-Type: text/plain; charset=utf-8\n\n%s"
                   "--%s\nContent-Type: application/octet-stream; name=data.bin\n"
                   "Content-Transfer-Encoding: base64\n\n%s\n--%s--\n"
                   % (b, b, text(rng, size - len(att)), b, att, b)).encode()
        else:
            msg = (head + "MIME-Version: 1.0\nContent-Type: text/plain; "
                   "charset=utf-8\n\n" + text(rng, size)).encode()
        name = "%d.bench%d.localhost:2,%s" % (base + i, i, "S" if i % 3 else "")
        with open(os.path.join(maildir, "cur", name), "wb") as f:
            f.write(msg)


if __name__ == "__main__":
    main()
