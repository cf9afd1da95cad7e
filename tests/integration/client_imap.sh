#!/bin/bash
# cachet list over the private Dovecot: the index of a folder, its cache
# (0600, bound to UIDVALIDITY), and the cache following what another client
# (Python's imaplib, the independent peer) changes: flags, expunges, new
# messages; a recreated folder (new UIDVALIDITY) discards the cache.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
CACHET=${CACHET:-$top_builddir/cachet}

harness_init
harness_dovecot
harness_need python3
cfg=$(harness_config alice)
data=$H/data

# peer ACTION...: alice's mailbox changed by another IMAP client.
peer() {
	python3 - "$IMAPS_PORT" "$HARNESS_PKI/tls-ca.pem" "$@" <<'PY'
import imaplib, ssl, sys
port, ca, action = sys.argv[1], sys.argv[2], sys.argv[3]
args = sys.argv[4:]
imap = imaplib.IMAP4_SSL("localhost", int(port), ssl_context=ssl.create_default_context(cafile=ca))
imap.login("alice", "alice-pw")
def ok(r):
    if r[0] != "OK":
        sys.exit("peer: %s failed: %r" % (action, r))
    return r
if action == "append":
    folder, subject = args
    msg = "From: Bob <bob@localhost>\r\nTo: alice@localhost\r\nSubject: %s\r\n\r\nbody\r\n" % subject
    ok(imap.append(folder, None, None, msg.encode()))
elif action == "flag":
    folder, uid, flag = args
    ok(imap.select(folder)); ok(imap.uid("STORE", uid, "+FLAGS", "(%s)" % flag))
elif action == "expunge":
    folder, uid = args
    ok(imap.select(folder)); ok(imap.uid("STORE", uid, "+FLAGS", "(\\Deleted)")); ok(imap.expunge())
elif action == "recreate":
    folder, = args
    imap.delete(folder); ok(imap.create(folder))
elif action == "create":
    folder, = args
    ok(imap.create(folder))
elif action == "append-many":
    folder, count = args
    for i in range(int(count)):
        msg = "From: Bob <bob@localhost>\r\nTo: alice@localhost\r\nSubject: bulk %d\r\n\r\nbody\r\n" % i
        ok(imap.append(folder, None, None, msg.encode()))
imap.logout()
PY
}

list() {
	"$CACHET" --config "$cfg" --data-dir "$data" list "$@"
}

peer append INBOX "first message"
peer append INBOX "second message"
peer append INBOX "third message"

out=$(list) || fail "cachet list failed: $out"
assert_eq 3 "$(echo "$out" | grep -c .)" "index lines"
assert_contains "$out" "$(printf '1\t-\t')" "first line"
assert_contains "$out" "$(printf 'bob@localhost\tsecond message')" "second line"
cache=$data/imap-cache/alice/INBOX
[ -f "$cache" ] || fail "no cache file at $cache"
assert_eq 600 "$(stat -c %a "$cache")" "mode of the cache file"
assert_not_contains "$(cat "$cache")" "body" "the cache (envelopes only)"

# Warm runs take envelopes from the cache: a doctored cached subject shows.
sed -i 's/\tsecond message\t/\tsecond (from the cache)\t/' "$cache"
out=$(list) || fail "warm cachet list failed: $out"
assert_contains "$out" "second (from the cache)" "warm index"
out=$(list --no-cache) || fail "cachet list --no-cache failed: $out"
assert_contains "$out" "second message" "index without the cache"

# Another client flags, expunges and delivers; the warm index follows.
peer flag INBOX 2 '\Flagged'
peer expunge INBOX 1
peer append INBOX "fourth message"
out=$(list) || fail "cachet list after changes failed: $out"
assert_eq 3 "$(echo "$out" | grep -c .)" "index lines after the changes"
assert_not_contains "$out" "first message" "index after the expunge"
assert_contains "$out" "$(printf '2\tF\t')" "flag of UID 2"
assert_contains "$out" "$(printf '4\t-\t')" "the new UID 4"
assert_contains "$out" "fourth message" "the new message"
assert_contains "$out" "second (from the cache)" "cached envelope kept"

# With CONDSTORE the cache records the folder's HIGHESTMODSEQ; while it
# does not move, nothing is fetched and the file is not rewritten.
read -r _ version _ _ modseq _ < "$cache"
assert_eq 4 "$version" "cache version"
[ "$modseq" -gt 0 ] || fail "no HIGHESTMODSEQ in the cache: $(head -n 1 "$cache")"
before=$(stat -c '%i %Y' "$cache")
sleep 1
out=$(list) || fail "unchanged warm cachet list failed: $out"
assert_eq "$before" "$(stat -c '%i %Y' "$cache")" "cache file of an unchanged folder"
assert_eq 3 "$(echo "$out" | grep -c .)" "index lines of an unchanged folder"
# Only a flag changes: the flags changed since the cached modseq follow.
peer flag INBOX 3 '\Seen'
out=$(list) || fail "cachet list after a flag change failed: $out"
assert_contains "$out" "$(printf '3\tS\t')" "flag of UID 3 after CHANGEDSINCE"
assert_contains "$out" "$(printf '2\tF\t')" "flag of UID 2 kept"
read -r _ _ _ _ modseq2 _ < "$cache"
[ "$modseq2" -gt "$modseq" ] || fail "the cached modseq did not move: $modseq -> $modseq2"
# Only an expunge (no new mail, UIDNEXT unchanged): the count tells.
peer expunge INBOX 3
out=$(list) || fail "cachet list after an expunge failed: $out"
assert_eq 2 "$(echo "$out" | grep -c .)" "index lines after the expunge"
assert_not_contains "$out" "third message" "index after the second expunge"
assert_contains "$out" "fourth message" "the message after it"

# A folder deleted and created again has a new UIDVALIDITY: cache dropped.
peer create Work
peer append Work "old work"
out=$(list Work) || fail "cachet list Work failed: $out"
assert_contains "$out" "old work" "Work index"
sed -i 's/\told work\t/\tdoctored\t/' "$data/imap-cache/alice/Work"
assert_file_contains "$data/imap-cache/alice/Work" "doctored"
peer recreate Work
peer append Work "new work"
out=$(list Work) || fail "cachet list Work after recreation failed: $out"
assert_eq 1 "$(echo "$out" | grep -c .)" "Work index lines after recreation"
assert_contains "$out" "new work" "Work index after recreation"
assert_not_contains "$out" "doctored" "Work index after recreation"

# Folder names: shown in UTF-8, typed in UTF-8, sent in modified UTF-7.
peer create 'Entw&APw-rfe'
peer append 'Entw&APw-rfe' "draft in a non-ASCII folder"
out=$("$CACHET" --config "$cfg" --data-dir "$data" folders) || fail "cachet folders failed: $out"
assert_contains "$out" "$(printf 'Entw\xc3\xbcrfe')" "folder name in UTF-8"
assert_not_contains "$out" "&APw-" "folder name on the wire"
out=$(list "$(printf 'Entw\xc3\xbcrfe')") || fail "cachet list of a UTF-8 folder name failed: $out"
assert_contains "$out" "draft in a non-ASCII folder" "index of the UTF-8 folder"

# Server text never reaches the terminal as control characters.
peer append INBOX "$(printf 'red \033[31malert\033[0m bell\007')"
out=$(list) || fail "cachet list with control characters failed: $out"
assert_contains "$out" "$(printf 'red \xe2\x90\x9b[31malert\xe2\x90\x9b[0m bell\xe2\x90\x87')" \
	"subject with escapes, shown as control pictures"
if grep -q "$(printf '\033')" <<< "$out"; then
	fail "an escape byte reached cachet list's output"
fi

# A long sync shows how far it is on a terminal (stderr), and nothing of
# the kind when stderr is not one.
peer create Bulk
peer append-many Bulk 1200
out=$(python3 - "$CACHET" --config "$cfg" --data-dir "$data" list Bulk <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
seen = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
PY
)
assert_contains "$out" "cachet: Bulk: 1000 envelopes" "progress on a terminal"
assert_contains "$out" "bulk 1199" "the last message of the bulk folder"
out=$(list Bulk 2> "$H/bulk.err") || fail "cachet list Bulk failed: $(cat "$H/bulk.err")"
assert_eq 1200 "$(echo "$out" | grep -c .)" "index lines of the bulk folder"
assert_eq "" "$(cat "$H/bulk.err")" "stderr of a sync without a terminal"

# A folder that does not exist is a name that does not exist: exit 2, not
# a network failure.
rc=0
out=$(list NoSuchFolder 2>&1) || rc=$?
assert_eq 2 "$rc" "exit status for a missing folder; output: $out"
assert_contains "$out" "folder NoSuchFolder" "missing folder"
echo "PASS: client_imap"
