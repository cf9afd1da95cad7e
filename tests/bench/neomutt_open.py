#!/usr/bin/env python3
"""Opens an IMAP folder in NeoMutt on a pseudo-terminal and measures the time
until its index shows the whole folder, and NeoMutt's peak RSS.

usage: neomutt_open.py RCFILE EXPECTED_COUNT [TIMEOUT]
The rc file must set status_format to contain "BENCHREADY %m".
Prints "seconds peak_rss_kb".
"""
import os
import pty
import re
import select
import signal
import sys
import time


def peak_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    rc, expected = sys.argv[1], int(sys.argv[2])
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 120
    env = dict(os.environ, TERM="xterm", LINES="40", COLUMNS="120")
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe("neomutt", ["neomutt", "-n", "-F", rc], env)
    want = re.compile(rb"BENCHREADY (\d+)")
    seen = b""
    rss = 0
    try:
        while True:
            left = timeout - (time.monotonic() - t0)
            if left <= 0:
                sys.exit("neomutt did not show the index within %ds; last "
                         "screen bytes: %r" % (timeout, seen[-400:]))
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                sys.exit("neomutt exited: %r" % seen[-400:])
            seen = (seen + chunk)[-8192:]
            m = None
            for m in want.finditer(seen):
                pass
            if m and int(m.group(1)) >= expected:
                elapsed = time.monotonic() - t0
                rss = peak_rss_kb(pid)
                break
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass
    print("%.4f %d" % (elapsed, rss))


if __name__ == "__main__":
    main()
