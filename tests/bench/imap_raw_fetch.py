#!/usr/bin/env python3
"""The baseline of the IMAP benchmark: log in over TLS, select the folder
and fetch what an index needs for every message, nothing else.

usage: imap_raw_fetch.py HOST PORT CAFILE USER PASSWORD [FOLDER]
Prints "seconds messages".
"""
import imaplib
import ssl
import sys
import time


def main():
    host, port, cafile, user, pw = sys.argv[1:6]
    folder = sys.argv[6] if len(sys.argv) > 6 else "INBOX"
    ctx = ssl.create_default_context(cafile=cafile)
    t0 = time.monotonic()
    imap = imaplib.IMAP4_SSL(host, int(port), ssl_context=ctx)
    imap.login(user, pw)
    typ, data = imap.select(folder, readonly=True)
    if typ != "OK":
        sys.exit("select failed: %r" % data)
    typ, data = imap.uid("FETCH", "1:*",
                         "(UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE)")
    if typ != "OK":
        sys.exit("fetch failed: %r" % data)
    n = sum(1 for d in data if isinstance(d, tuple) or
            (isinstance(d, bytes) and b"ENVELOPE" in d))
    elapsed = time.monotonic() - t0
    imap.logout()
    print("%.4f %d" % (elapsed, n))


if __name__ == "__main__":
    main()
