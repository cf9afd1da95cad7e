#!/usr/bin/env python3
"""A scripted IMAP or SMTP server for the STARTTLS faults a real server
cannot be made to produce: no STARTTLS, plain-text bytes injected after the
go-ahead, PREAUTH before TLS.  The "ok" modes do STARTTLS properly (with
real TLS from Python's ssl module) and are the control that shows a failure
in the other modes comes from the fault alone.  The "ok" modes also say
something different before and after TLS (LOGINDISABLED / CRAM-MD5 only
before), so a client that keeps pre-TLS capabilities fails them.

Every line received is appended to the log file (--log), so a test can show
that no password went out, and so is the TLS server name the client sent
("SNI: name").  In SMTP, RCPT for nobody@ is refused (550), for later@
deferred (450).

usage: fake_mail_server.py --proto imap|smtp --mode MODE --cert PEM --key PEM
                           --port-file FILE --log FILE

modes: ok, no-starttls, inject, preauth (imap only)
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_server_lib import (accept, listener, note, run_session,
                             tls_context, write_port_file)


def imap(conn, mode, ctx):
    if mode == "preauth":
        conn.send(b"* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] fake ready\r\n")
    else:
        conn.send(b"* OK [CAPABILITY IMAP4rev1 LOGINDISABLED%s] fake ready\r\n"
                  % (b"" if mode == "no-starttls" else b" STARTTLS"))
    tls = False
    while True:
        line = conn.line()
        if line is None:
            return
        parts = line.split(b" ", 2)
        tag = parts[0]
        cmd = parts[1].upper() if len(parts) > 1 else b""
        if cmd == b"CAPABILITY":
            if tls:
                conn.send(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n")
            elif mode == "no-starttls":
                conn.send(b"* CAPABILITY IMAP4rev1 LOGINDISABLED\r\n")
            else:
                conn.send(b"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n")
            conn.send(tag + b" OK done\r\n")
        elif cmd == b"STARTTLS" and mode != "no-starttls" and not tls:
            if mode == "inject":
                # The go-ahead and a forged answer in one segment.
                conn.send(tag + b" OK begin TLS\r\n"
                          b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n")
            else:
                conn.send(tag + b" OK begin TLS\r\n")
            if not conn.starttls(ctx):
                return
            tls = True
        elif cmd == b"LOGIN" and tls:
            conn.send(tag + b" OK logged in\r\n")
        elif cmd == b"LIST" and tls:
            conn.send(b'* LIST (\\HasNoChildren) "/" FakeFolder\r\n')
            conn.send(tag + b" OK done\r\n")
        elif cmd == b"LOGOUT":
            conn.send(b"* BYE bye\r\n" + tag + b" OK done\r\n")
            return
        else:
            conn.send(tag + b" BAD not here\r\n")


def smtp(conn, mode, ctx):
    conn.send(b"220 fake ESMTP\r\n")
    tls = False
    while True:
        line = conn.line()
        if line is None:
            return
        cmd = line[:4].upper()
        if cmd == b"EHLO":
            if tls:
                conn.send(b"250-fake\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n")
            elif mode == "no-starttls":
                conn.send(b"250-fake\r\n250 AUTH PLAIN LOGIN\r\n")
            else:
                conn.send(b"250-fake\r\n250-AUTH CRAM-MD5\r\n250 STARTTLS\r\n")
        elif line.upper() == b"STARTTLS" and mode != "no-starttls" and not tls:
            if mode == "inject":
                conn.send(b"220 go ahead\r\n250-fake\r\n250 AUTH PLAIN\r\n")
            else:
                conn.send(b"220 go ahead\r\n")
            if not conn.starttls(ctx):
                return
            tls = True
        elif cmd == b"AUTH" and tls:
            conn.send(b"235 2.7.0 ok\r\n")
        elif cmd == b"RCPT" and tls and b"nobody@" in line.lower():
            conn.send(b"550 5.1.1 <nobody@localhost>: Recipient address rejected\r\n")
        elif cmd == b"RCPT" and tls and b"later@" in line.lower():
            conn.send(b"450 4.2.0 <later@localhost>: try again later\r\n")
        elif cmd in (b"MAIL", b"RCPT", b"RSET") and tls:
            conn.send(b"250 ok\r\n")
        elif cmd == b"DATA" and tls:
            conn.send(b"354 go\r\n")
            while True:
                data = conn.line()
                if data is None:
                    return
                if data == b".":
                    break
            conn.send(b"250 2.0.0 queued as FAKE\r\n")
        elif cmd == b"QUIT":
            conn.send(b"221 bye\r\n")
            return
        else:
            conn.send(b"503 not here\r\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proto", choices=["imap", "smtp"], required=True)
    ap.add_argument("--mode", choices=["ok", "no-starttls", "inject", "preauth"],
                    required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()

    ctx = tls_context(a.cert, a.key)

    def note_sni(sock, name, context):
        note(a.log, b"SNI: %s" % (name or "(none)").encode())
    ctx.sni_callback = note_sni
    srv = listener()
    write_port_file(a.port_file, srv)
    while True:
        run_session(imap if a.proto == "imap" else smtp,
                    accept(srv, a.log, 30), a.mode, ctx)


if __name__ == "__main__":
    main()
