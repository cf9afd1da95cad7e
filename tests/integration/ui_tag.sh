#!/bin/bash
# Tagging and acting on several messages, driven in tmux over IMAP against
# the private Dovecot: t tags one message, T the ones the search's matcher
# finds, and ; then a key applies flag, read/unread, save, copy, delete,
# undelete and move to every tagged message and to no other; N marks one
# message read or unread.  Each outcome is checked in the server's Maildir.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"

CACHET=${CACHET:-$top_builddir/cachet}

message() {
	printf 'From: carol@localhost\nTo: bob@localhost\nSubject: %s\nDate: Mon, 3 Mar 2025 1%s:00:00 +0000\n\nFrom the body of %s.\n' "$2" "$1" "$2"
}

harness_dovecot
GH=$(harness_gnupg bob)
CFG=$(harness_config bob)
n=0
for subject in "Report Alpha" "Lunch" "report beta" "News" "REPORT Gamma"; do
	n=$((n + 1))
	message "$n" "$subject" > "$H/m$n.eml"
	harness_lmtp_deliver bob "$H/m$n.eml"
done
harness_wait_mail bob 5
MB=$H/mail/bob/Maildir
for f in Archive Old; do
	mkdir -p "$MB/.$f/cur" "$MB/.$f/new" "$MB/.$f/tmp"
done
chown -R dovecot:dovecot "$MB/.Archive" "$MB/.Old"

ui_start imap 100 30 "$CACHET" --config "$CFG" --data-dir "$H/data" \
	--gnupg-home "$GH"
ui_wait imap "INBOX [5 messages]" 20

# ; with nothing tagged says so and acts on nothing.
ui_keys imap '\;'
ui_wait imap "no message is tagged"

# t tags the message under the cursor (a * after its number) and moves on;
# t again on it takes the tag away.
ui_keys imap t
ui_wait imap "tagged; 1 tagged"
assert_contains "$(ui_screen imap | grep 'Report Alpha')" "   1*"
ui_keys imap k t
ui_wait imap "untagged; 0 tagged"
assert_not_contains "$(ui_screen imap | grep 'Report Alpha')" "   1*"

# T tags what / would find, case aside.
ui_keys imap T
ui_wait_prompt imap "Tag messages holding:"
ui_keys imap report Enter
ui_wait imap '3 messages tagged (3 in all) for "report"'
assert_contains "$(ui_screen imap | grep 'Report Alpha')" "   1*"
assert_contains "$(ui_screen imap | grep 'report beta')" "   3*"
assert_contains "$(ui_screen imap | grep 'REPORT Gamma')" "   5*"
assert_not_contains "$(ui_screen imap | grep 'Lunch')" "   2*"

# ;F flags the three (\Flagged, the Maildir's F), and only them.
ui_keys imap '\;'
ui_wait imap "on 3 tagged:"
ui_keys imap F
ui_wait imap "3 messages flagged"
for s in "Report Alpha" "report beta" "REPORT Gamma"; do
	ui_wait_flags "$MB" "Subject: $s" F yes
done
ui_wait_flags "$MB" "Subject: Lunch" F no
ui_wait_flags "$MB" "Subject: News" F no

# ;N: unread ones among them, so all three become read (\Seen: S).
ui_keys imap '\;' N
ui_wait imap "3 messages marked read"
for s in "Report Alpha" "report beta" "REPORT Gamma"; do
	ui_wait_flags "$MB" "Subject: $s" S yes
done
ui_wait_flags "$MB" "Subject: Lunch" S no
# ;N again: all read, so all three unread again.
ui_keys imap '\;' N
ui_wait imap "3 messages marked unread"
ui_wait_flags "$MB" "Subject: Report Alpha" S no
ui_wait_flags "$MB" "Subject: REPORT Gamma" S no

# ;w saves the three to an mbox, "From " lines of the bodies quoted.
ui_keys imap '\;' w
ui_wait_prompt imap "Save to mbox file:"
ui_keys imap "$H/saved.mbox" Enter
ui_wait imap "3 messages saved to $H/saved.mbox"
assert_eq 3 "$(grep -c '^From cachet ' "$H/saved.mbox")" "messages in the mbox"
assert_eq 3 "$(grep -c '^>From the body of ' "$H/saved.mbox")" "quoted From lines"
assert_eq 0 "$(grep -c 'Lunch' "$H/saved.mbox")" "Lunch in the mbox"
assert_eq 600 "$(stat -c %a "$H/saved.mbox")" "the mbox's mode"

# ;C copies them to Archive; INBOX keeps them.
ui_keys imap '\;' C
ui_wait_prompt imap "Copy to folder (Archive, Drafts, Old, Sent):"
ui_keys imap Archive Enter
ui_wait imap "3 messages copied to Archive" 20
for ((i = 0; i < 100; i++)); do
	[ "$(ui_files_with "$MB/.Archive" "Subject: ")" = 3 ] && break
	sleep 0.05
done
assert_eq 3 "$(ui_files_with "$MB/.Archive" "Subject: ")" "messages in Archive"
assert_eq 1 "$(ui_files_with "$MB/.Archive" "Subject: report beta")" "report beta in Archive"
assert_eq 0 "$(ui_files_with "$MB/.Archive" "Subject: Lunch")" "Lunch in Archive"
# The copies keep the flag.
ui_wait_flags "$MB/.Archive" "Subject: Report Alpha" F yes
ui_wait imap "INBOX [5 messages]"

# ;d marks the three deleted (T), ;u unmarks them.
ui_keys imap '\;' d
ui_wait imap "3 messages marked deleted"
for s in "Report Alpha" "report beta" "REPORT Gamma"; do
	ui_wait_flags "$MB" "Subject: $s" T yes
done
ui_wait_flags "$MB" "Subject: News" T no
ui_keys imap '\;' u
ui_wait imap "3 messages no longer marked deleted"
ui_wait_flags "$MB" "Subject: report beta" T no

# ;s moves them to Old: two are left in INBOX.
ui_keys imap '\;' s
ui_wait_prompt imap "Move to folder (Archive, Drafts, Old, Sent):"
ui_keys imap Old Enter
ui_wait imap "3 messages moved to Old" 20
ui_wait imap "INBOX [2 messages]"
for ((i = 0; i < 100; i++)); do
	[ "$(ui_files_with "$MB/.Old" "Subject: ")" = 3 ] && break
	sleep 0.05
done
assert_eq 3 "$(ui_files_with "$MB/.Old" "Subject: ")" "messages in Old"
assert_eq 0 "$(ui_files_with "$MB" "Subject: REPORT Gamma")" "Gamma in INBOX"
assert_eq 1 "$(ui_files_with "$MB" "Subject: Lunch")" "Lunch in INBOX"
assert_eq 1 "$(ui_files_with "$MB" "Subject: News")" "News in INBOX"
# Nothing is tagged any more.
ui_keys imap '\;'
ui_wait imap "no message is tagged"

# N on one message: read, then unread again; the other one stays as it was.
ui_keys imap Home N
ui_wait imap "marked read"
ui_wait_flags "$MB" "Subject: Lunch" S yes
ui_wait_flags "$MB" "Subject: News" S no
ui_keys imap N
ui_wait imap "marked unread"
ui_wait_flags "$MB" "Subject: Lunch" S no
ui_keys imap q q
ui_wait_exit imap
exit 0
