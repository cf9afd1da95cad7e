#!/usr/bin/env python3
"""A scripted IMAP or SMTP server that misbehaves on purpose, for the
transport attack cases: spoofed ALERTs (before and inside TLS), terminal
escape sequences in the server's text, referrals to another server,
connections closed in the middle of a greeting, a FETCH, a literal, an
APPEND or DATA, a server that goes silent, and a slow server (for signals
during send).  A real server cannot be made to do these.

Besides the service port it listens on a "trap" port: the referrals point
there, and any connection to it is logged as "TRAP: connection", so a test
can show that cachet never followed a referral.

Every line received is appended to the log (--log); the SMTP modes that
accept a message log "DELIVERED <rcpt count> <bytes>" after their 250.

usage: fake_hostile_server.py --proto imap|smtp --scenario NAME
           [--tls implicit|starttls] --cert PEM --key PEM
           --port-file FILE --log FILE [--delay SECONDS]

The port file gets "PORT TRAPPORT".  Scenarios: see IMAP_SCENARIOS and
SMTP_SCENARIOS below.
"""
import argparse
import os
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "fake"))
from fake_server_lib import (accept, listener, literal_size, note,
                             run_session, tls_context, write_port_file)

ESC_TEXT = b"\x1b[2J\x1b]0;owned\x07\x1b[31m"

IMAP_SCENARIOS = [
    "ok",                 # everything works (control)
    "alert-pretls",       # [ALERT]s before STARTTLS
    "alert-tls",          # [ALERT]s with escape sequences inside TLS
    "alert-select",       # an [ALERT] with SELECT's answer, inside TLS
    "login-esc",          # LOGIN refused, escape sequences in the text
    "list-bad-esc",       # LIST answered BAD with escape sequences
    "referral-login",     # LOGIN refused with a REFERRAL to the trap
    "referral-login-ok",  # LOGIN accepted with a REFERRAL to the trap
    "referral-select",    # SELECT refused with a REFERRAL to the trap
    "referral-greeting",  # BYE [REFERRAL ...] as the greeting
    "close-greeting",     # half a greeting, then closed
    "close-fetch",        # FETCH answer cut after one message
    "close-literal",      # FETCH answer cut inside a literal
    "close-append",       # APPEND literal cut
    "create-special-use", # no Sent: APPEND says TRYCREATE until a CREATE;
                          # CREATE-SPECIAL-USE offered
    "silent",             # accepts (and does TLS), never says a word
    "mute",               # accepts, never answers the TLS handshake
    "flood",              # a greeting line that never ends
]
SMTP_SCENARIOS = [
    "ok",
    "close-data",         # closed after part of the DATA
    "mail-esc",           # MAIL refused, escape sequences in the text
    "slow-greeting",      # --delay seconds before the 220
    "slow-final",         # --delay seconds between "." and the 250
    "silent",
    "mute",
    "flood",              # a greeting line that never ends
]


def envelope(n):
    return (b'ENVELOPE ("Fri, 27 Nov 2026 10:00:00 +0000" "subject %d" '
            b'(("Sender" NIL "sender" "localhost")) NIL NIL '
            b'(("Alice" NIL "alice" "localhost")) NIL NIL NIL "<m%d@localhost>")'
            % (n, n))


def fetch_item(n, header=b"Content-Type: text/plain\r\n\r\n"):
    return (b"* %d FETCH (UID %d FLAGS (\\Seen) RFC822.SIZE 100 "
            b'INTERNALDATE "27-Nov-2026 10:00:00 +0000" %s '
            b"BODY[HEADER.FIELDS (CONTENT-TYPE)] {%d}\r\n%s)\r\n"
            % (n, n, envelope(n), len(header), header))


def imap(conn, a, ctx):
    sc = a.scenario
    trap = b"imap://alice@127.0.0.1:%d/" % a.trap_port
    starttls = a.tls == "starttls"
    caps = b"IMAP4rev1 LOGIN-REFERRALS" + (b" STARTTLS LOGINDISABLED" if starttls else b"")
    if sc == "silent":
        while conn.line() is not None:
            pass
        return
    if sc == "close-greeting":
        conn.send(b"* OK [CAPABILITY IMAP4rev1 AU")
        return
    if sc == "flood":
        flood(conn, b"* OK ")
        return
    if sc == "referral-greeting":
        conn.send(b"* BYE [REFERRAL %s] this server moved, log in there\r\n" % trap)
        return
    if sc == "alert-pretls":
        conn.send(b"* OK [ALERT] PRETLS-ALERT-GREETING: your password expired, "
                  b"type it at http://evil.example/ %s\r\n" % ESC_TEXT)
    else:
        conn.send(b"* OK [CAPABILITY %s] fake ready\r\n" % caps)
    tls = not starttls
    created = False
    while True:
        line = conn.line()
        if line is None:
            return
        n = literal_size(line)
        while n is not None:
            if sc == "close-append" and b"APPEND" in line.upper():
                conn.send(b"+ go ahead\r\n")
                conn.exactly(min(n, 20))
                return
            conn.send(b"+ go ahead\r\n")
            if conn.exactly(n) is None:
                return
            rest = conn.line()
            if rest is None:
                return
            line += b" " + rest
            n = literal_size(rest)
        parts = line.split(b" ", 2)
        tag = parts[0]
        cmd = parts[1].upper() if len(parts) > 1 else b""
        if cmd == b"UID" and len(parts) > 2:
            cmd = b"UID " + parts[2].split(b" ", 1)[0].upper()
        if not tls:
            if cmd == b"CAPABILITY":
                if sc == "alert-pretls":
                    conn.send(b"* NO [ALERT] PRETLS-ALERT-UNTAGGED: call +1 555 "
                              b"0100 now %s\r\n" % ESC_TEXT)
                conn.send(b"* CAPABILITY %s\r\n%s OK done\r\n" % (caps, tag))
            elif cmd == b"STARTTLS":
                conn.send(tag + b" OK begin TLS\r\n")
                if not conn.starttls(ctx):
                    return
                tls = True
            elif cmd == b"LOGOUT":
                conn.send(b"* BYE bye\r\n" + tag + b" OK done\r\n")
                return
            else:
                conn.send(tag + b" BAD not before TLS\r\n")
            continue
        if cmd == b"CAPABILITY":
            conn.send(b"* CAPABILITY IMAP4rev1 LOGIN-REFERRALS UIDPLUS%s\r\n"
                      b"%s OK done\r\n" % (
                          b" SPECIAL-USE CREATE-SPECIAL-USE"
                          if sc == "create-special-use" else b"", tag))
        elif cmd == b"LOGIN":
            if sc == "login-esc":
                conn.send(tag + b" NO [AUTHENTICATIONFAILED] %swrong password "
                          b"LOGIN-ESC-TEXT\r\n" % ESC_TEXT)
            elif sc == "referral-login":
                conn.send(tag + b" NO [REFERRAL %s] user not on this server, "
                          b"try the other one\r\n" % trap)
            elif sc == "referral-login-ok":
                conn.send(tag + b" OK [REFERRAL %s] logged in, but better "
                          b"use the other server\r\n" % trap)
            elif sc == "alert-tls":
                conn.send(b"* OK [ALERT] TLS-ALERT-OK %s\r\n"
                          b"* NO [ALERT] TLS-ALERT-NO %s\r\n"
                          b"%s OK logged in\r\n" % (ESC_TEXT, ESC_TEXT, tag))
            else:
                conn.send(tag + b" OK logged in\r\n")
        elif cmd == b"LIST" and sc == "create-special-use":
            conn.send(b'* LIST (\\HasNoChildren) "/" INBOX\r\n%s OK done\r\n' % tag)
        elif cmd == b"LIST":
            if sc == "list-bad-esc":
                conn.send(tag + b" BAD %sLIST-BAD-TEXT\r\n" % ESC_TEXT)
            else:
                conn.send(b'* LIST (\\HasNoChildren) "/" INBOX\r\n'
                          b'* LIST (\\HasNoChildren) "/" FakeFolder\r\n'
                          b"%s OK done\r\n" % tag)
        elif cmd in (b"SELECT", b"EXAMINE"):
            if sc == "referral-select":
                conn.send(tag + b" NO [REFERRAL %sINBOX] this folder lives "
                          b"elsewhere\r\n" % trap)
            else:
                if sc == "alert-select":
                    conn.send(b"* OK [ALERT] SELECT-ALERT: this folder is "
                              b"over its quota %s\r\n" % ESC_TEXT)
                conn.send(b"* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)\r\n"
                          b"* 3 EXISTS\r\n* 0 RECENT\r\n"
                          b"* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 4] ok\r\n"
                          b"%s OK [READ-WRITE] selected\r\n" % tag)
        elif cmd in (b"FETCH", b"UID FETCH"):
            if sc == "close-fetch":
                conn.send(fetch_item(1) + fetch_item(2)[:60])
                return
            if sc == "close-literal":
                conn.send(fetch_item(1)[:-40].replace(b"{28}", b"{400}"))
                return
            conn.send(fetch_item(1) + fetch_item(2) + fetch_item(3) +
                      tag + b" OK done\r\n")
        elif cmd == b"APPEND":
            if sc == "create-special-use" and not created:
                conn.send(tag + b" NO [TRYCREATE] Mailbox doesn't exist\r\n")
            else:
                conn.send(tag + b" OK [APPENDUID 7 9] appended\r\n")
        elif cmd == b"CREATE":
            created = True
            conn.send(tag + b" OK created\r\n")
        elif cmd == b"NOOP":
            conn.send(tag + b" OK done\r\n")
        elif cmd == b"LOGOUT":
            conn.send(b"* BYE bye\r\n" + tag + b" OK done\r\n")
            return
        else:
            conn.send(tag + b" BAD not here\r\n")


def smtp(conn, a, ctx):
    sc = a.scenario
    starttls = a.tls == "starttls"
    if sc == "silent":
        while conn.line() is not None:
            pass
        return
    if sc == "flood":
        flood(conn, b"220-")
        return
    if sc == "slow-greeting":
        time.sleep(a.delay)
    conn.send(b"220 fake ESMTP\r\n")
    tls = not starttls
    rcpts = 0
    while True:
        line = conn.line()
        if line is None:
            return
        cmd = line[:4].upper()
        if cmd == b"EHLO":
            if tls:
                conn.send(b"250-fake\r\n250-AUTH PLAIN\r\n250-SIZE 1000000\r\n"
                          b"250 8BITMIME\r\n")
            else:
                conn.send(b"250-fake\r\n250 STARTTLS\r\n")
        elif line.upper() == b"STARTTLS" and not tls:
            conn.send(b"220 go ahead\r\n")
            if not conn.starttls(ctx):
                return
            tls = True
        elif not tls:
            conn.send(b"530 STARTTLS first\r\n")
        elif cmd == b"AUTH":
            conn.send(b"235 2.7.0 ok\r\n")
        elif cmd == b"MAIL":
            if sc == "mail-esc":
                conn.send(b"550 5.7.1 %ssender refused MAIL-ESC-TEXT\r\n" % ESC_TEXT)
            else:
                rcpts = 0
                conn.send(b"250 ok\r\n")
        elif cmd == b"RCPT":
            rcpts += 1
            conn.send(b"250 ok\r\n")
        elif cmd == b"RSET":
            conn.send(b"250 ok\r\n")
        elif cmd == b"DATA":
            conn.send(b"354 go\r\n")
            size = 0
            lines = 0
            while True:
                data = conn.line()
                if data is None:
                    return
                lines += 1
                if sc == "close-data" and lines == 3:
                    return
                if data == b".":
                    break
                size += len(data) + 2
            if sc == "slow-final":
                time.sleep(a.delay)
            conn.send(b"250 2.0.0 queued as FAKE\r\n")
            conn.note(b"DELIVERED %d %d" % (rcpts, size))
        elif cmd == b"QUIT":
            conn.send(b"221 bye\r\n")
            return
        else:
            conn.send(b"503 not here\r\n")


def flood(conn, prefix):
    """Sends prefix, then bytes without a newline until the peer leaves."""
    conn.send(prefix)
    chunk = b"A" * 65536
    sent = 0
    try:
        while sent < (256 << 20):
            conn.send(chunk)
            sent += len(chunk)
    finally:
        conn.note(b"FLOODED %d" % sent)


def trap(srv, log):
    while True:
        sock, _ = srv.accept()
        note(log, b"TRAP: connection")
        sock.close()


def session(conn, a, ctx):
    if a.scenario == "mute":
        while conn.sock.recv(4096):
            pass
        return
    if a.tls == "implicit":
        conn.handshake(ctx)
    conn.note(b"CONNECTED")
    (imap if a.proto == "imap" else smtp)(conn, a, ctx)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proto", choices=["imap", "smtp"], required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--tls", choices=["implicit", "starttls"], default="implicit")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--delay", type=float, default=5.0)
    a = ap.parse_args()
    if a.scenario not in (IMAP_SCENARIOS if a.proto == "imap" else SMTP_SCENARIOS):
        ap.error("unknown %s scenario %s" % (a.proto, a.scenario))

    ctx = tls_context(a.cert, a.key)
    srv = listener()
    trap_srv = listener()
    a.trap_port = trap_srv.getsockname()[1]
    threading.Thread(target=trap, args=(trap_srv, a.log), daemon=True).start()
    open(a.log, "ab").close()
    write_port_file(a.port_file, srv, trap_srv)
    # A forgotten server ends by itself.
    threading.Timer(900, lambda: os._exit(0)).start()
    while True:
        conn = accept(srv, a.log, 300)
        threading.Thread(target=run_session, args=(session, conn, a, ctx),
                         daemon=True).start()


if __name__ == "__main__":
    main()
