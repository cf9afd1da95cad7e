#!/usr/bin/env python3
"""Opens cachet's screen in a private tmux server and measures the time until
the index of INBOX first shows (the first screen) and until it shows the
whole folder, and cachet's peak RSS.

usage: screen_open.py TMUX_SOCKET COUNT TIMEOUT CACHET [ARGS...]
Prints "first_seconds full_seconds peak_rss_kb".  The screen is polled
(capture-pane) every 25 ms, so the times are up to that much late, and
the polling takes little of a loaded machine.
"""
import re
import subprocess
import sys
import time

TITLE = re.compile(r"INBOX \[(\d+) messages?\]")


def tmux(sock, *args):
    return subprocess.run(["tmux", "-u", "-L", sock, "-f", "/dev/null"] + list(args),
                          capture_output=True, text=True)


def peak_rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    sock, count, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    cmd = " ".join("'%s'" % a.replace("'", "'\\''") for a in sys.argv[4:])
    t0 = time.monotonic()
    r = tmux(sock, "new-session", "-d", "-s", "bench", "-x", "120", "-y", "40",
             "exec env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen-256color TZ=UTC " + cmd)
    if r.returncode != 0:
        sys.exit("tmux: " + r.stderr)
    pid = int(tmux(sock, "display-message", "-p", "-t", "bench",
                   "#{pane_pid}").stdout.strip())
    first = full = None
    screen = ""
    try:
        while full is None:
            if time.monotonic() - t0 > timeout:
                sys.exit("the screen did not show %d messages within %ds:\n%s"
                         % (count, timeout, screen))
            screen = tmux(sock, "capture-pane", "-p", "-t", "bench").stdout
            now = time.monotonic()
            m = TITLE.search(screen)
            if m and first is None:
                first = now - t0
            if m and int(m.group(1)) >= count and "coming" not in screen:
                full = now - t0
            time.sleep(0.025)
        rss = peak_rss_kb(pid)
    finally:
        tmux(sock, "kill-server")
    print("%.4f %.4f %d" % (first, full, rss))


if __name__ == "__main__":
    main()
