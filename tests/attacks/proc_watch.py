#!/usr/bin/env python3
"""Watches, until a stop file appears, what a test's processes expose:

  - every process under the test (a descendant of --root, or one whose
    command line names --world, like a daemonized gpg-agent): its argv
    and its environment must not hold any of the secrets;
  - every file that appears in the --tmp directories: its mode.

The secrets are read from a file (one a line), never from our own argv.
Writes a report to --out: "SAW name" for each program name seen (so the
test can show the watch covered the children it cares about), "ARGV
pid name" / "ENVIRON pid name" for each leak, "TMP mode path" for each
temporary file seen.

usage: proc_watch.py --root PID --world DIR --secrets FILE --stop FILE
                     --out FILE [--tmp DIR]...

FILE.ready (--out) is created after the first look, so a test can wait
until the watch runs before starting what it watches.
"""
import argparse
import os
import time


def parent_of(pid):
    try:
        with open("/proc/%s/stat" % pid, "rb") as f:
            stat = f.read()
        return stat[stat.rindex(b")") + 2:].split()[1].decode()
    except (OSError, IndexError, ValueError):
        return None


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--secrets", required=True)
    ap.add_argument("--stop", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tmp", action="append", default=[])
    a = ap.parse_args()
    with open(a.secrets, "rb") as f:
        secrets = [s for s in f.read().split(b"\n") if s]
    world = a.world.encode()
    me = str(os.getpid())
    report = set()
    while not os.path.exists(a.stop):
        pids = [p for p in os.listdir("/proc") if p.isdigit() and p != me]
        parents = {p: parent_of(p) for p in pids}
        for pid in pids:
            cmdline = read("/proc/%s/cmdline" % pid)
            ours = world in cmdline
            p, hops = pid, 0
            while not ours and p and p != "1" and hops < 64:
                ours = p == a.root
                p = parents.get(p) or parent_of(p)
                hops += 1
            if not ours or not cmdline:
                continue
            name = os.path.basename(cmdline.split(b"\0")[0]).decode(errors="replace")
            report.add("SAW %s" % name)
            environ = read("/proc/%s/environ" % pid)
            for s in secrets:
                if s in cmdline:
                    report.add("ARGV %s %s" % (pid, name))
                if s in environ:
                    report.add("ENVIRON %s %s" % (pid, name))
        for d in a.tmp:
            for root, dirs, files in os.walk(d):
                for n in files + dirs:
                    path = os.path.join(root, n)
                    try:
                        mode = os.lstat(path).st_mode & 0o7777
                    except OSError:
                        continue
                    report.add("TMP %o %s" % (mode, path))
        if not os.path.exists(a.out + ".ready"):
            open(a.out + ".ready", "w").close()
        time.sleep(0.005)
    with open(a.out, "w") as f:
        f.write("".join(line + "\n" for line in sorted(report)))


if __name__ == "__main__":
    main()
