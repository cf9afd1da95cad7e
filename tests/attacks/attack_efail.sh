#!/bin/bash
# EFAIL: only the top crypto layer is decrypted.  An encrypted part beside
# plaintext (HTML or text) or a second one is refused and nothing of it is
# shown, decrypted or quoted; CBC-gadget ciphertext is never trusted; a
# reply or forward from the screen quotes no decrypted non-root content.
set -euo pipefail
. "$top_srcdir/tests/attacks/attack_lib.sh"
attack_setup
. "$top_srcdir/tests/integration/ui_lib.sh"
SECRET='0000-SECRET-7781'

for name in between-html between-text two-encrypted; do
	verdict "efail/$name" 1 none null null refused encrypted-part-refused null
	assert_not_contains "$OUT" "$SECRET" "verify --json of $name"
	rc=0
	"$CACHET" --gnupg-home "$BOB" decrypt "$FX/efail/$name.eml" > "$name.dec" 2> "$name.dec.err" || rc=$?
	assert_eq 3 "$rc" "exit status of decrypt $name"
	assert_contains "$(cat "$name.dec.err")" "not an encrypted message (its top is multipart/mixed)" "decrypt $name"
	grep -qF "$SECRET" "$name.dec" && fail "decrypt $name wrote the secret"
done
# For contrast, the same ciphertext at the top is decrypted.
verdict efail/root-encrypted 1 none null null ok - null
"$CACHET" --gnupg-home "$BOB" decrypt "$FX/efail/root-encrypted.eml" > root.dec
assert_file_contains root.dec "$SECRET" "root-encrypted decrypted"

# CBC gadgets: the modified plaintext comes out (CBC cannot tell), but it
# is not signed, or its signature no longer holds.
verdict efail/cbc-gadget 1 none null null ok - null
"$CACHET" --gnupg-home "$BOB" decrypt "$FX/efail/cbc-gadget.eml" > gadget.dec
grep -qF "$SECRET" gadget.dec && fail "cbc-gadget.eml decrypted to the original text"
verdict efail/signed-encrypted 0 valid whole alice@localhost ok - null
verdict efail/cbc-gadget-signed 1 invalid whole alice@localhost ok - null
signer_field detail alice@localhost 'the signature does not match the content'

# The screen: reply and forward of each message from a Maildir; the editor
# keeps a copy of the draft it is given.
mkdir -p config/cachet
printf '[account bob]\nfrom = Bob Example <bob@localhost>\nimap = imaps://bob@127.0.0.1:9\nsmtp = smtps://bob@127.0.0.1:9\n' > config/cachet/config
chmod 600 config/cachet/config
cat > editor.sh <<'SH'
#!/bin/sh
cp "$1" "$DRAFT_COPY"
SH
chmod 755 editor.sh
# draft NAME KEY...: the draft the screen hands the editor after KEYs on
# the only message of a Maildir holding FX/efail/NAME.eml (the pager's
# screen before the KEYs in pager-NAME-KEY).  Each screen has a data
# directory of its own: it is killed while composing, and the draft it
# kept would be offered to the next one.
draft() {
	local name=$1 tag=$1-$2 i
	shift
	ui_maildir "md-$tag"
	cp "$FX/efail/$name.eml" "md-$tag/new/1700000001.M1P1.test"
	ui_start "$tag" 100 30 env XDG_CONFIG_HOME="$H/config" EDITOR="$H/editor.sh" \
		DRAFT_COPY="$H/draft-$tag" "$CACHET" --data-dir "$H/data-$tag" --gnupg-home "$BOB" \
		ui --maildir "$H/md-$tag"
	ui_wait "$tag" "INBOX [1 message]"
	ui_keys "$tag" Enter
	ui_wait "$tag" "Subject: attack fixture"
	ui_settle "$tag"
	ui_screen "$tag" > "pager-$tag"
	ui_keys "$tag" "$@"
	for i in $(seq 1 100); do
		[ -s "draft-$tag" ] && break
		sleep 0.1
	done
	[ -s "draft-$tag" ] || fail "$tag: no draft reached the editor: $(ui_screen "$tag")"
	ui_tmux kill-session -t "$tag"
}
draft root-encrypted r
assert_file_contains pager-root-encrypted-r "Encrypted to you" "pager of the root-encrypted message"
assert_file_contains pager-root-encrypted-r "$SECRET" "pager of the root-encrypted message"
assert_file_contains draft-root-encrypted-r "> The launch code is $SECRET" "reply to the root-encrypted message"
for name in between-html two-encrypted; do
	draft "$name" r
	assert_file_contains "pager-$name-r" "An encrypted part inside this message was not opened" "pager banner of $name"
	assert_file_contains "pager-$name-r" "[An encrypted part inside the message: not opened, only the top layer is decrypted]" "pager of $name"
	grep -qF "$SECRET" "pager-$name-r" && fail "the pager shows the decrypted part of $name"
	if [ "$name" = between-html ]; then
		assert_file_contains "pager-$name-r" "[HTML shown as text; nothing was loaded]" "pager of $name"
	fi
	assert_file_contains "draft-$name-r" "Alice Example <alice@localhost> wrote:" "reply to $name"
	grep -qF "$SECRET" "draft-$name-r" && fail "reply to $name quotes the decrypted part: $(cat "draft-$name-r")"
	draft "$name" f carol@localhost Enter
	assert_file_contains "draft-$name-f" "----- Forwarded message -----" "forward of $name"
	grep -qF "$SECRET" "draft-$name-f" && fail "forward of $name holds the decrypted part: $(cat "draft-$name-f")"
done

attack_done "EFAIL: refused non-root encryption, CBC gadgets, pager, reply and forward"
