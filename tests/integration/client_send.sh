#!/bin/bash
# cachet send, alice -> bob through the private Postfix and Dovecot:
# signed (openssl cms verifies it), Bcc delivered but not shown, a copy in
# alice's Sent; over STARTTLS submission too; encrypted as soon as alice
# holds bob's certificate (bob decrypts with openssl); a locked
# "sign = always" refuses --no-sign; no signing certificate, nothing sent.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
CACHET=${CACHET:-$top_builddir/cachet}

harness_init
harness_postfix
cfg=$(harness_config alice)
GNUPGHOME=$(harness_gnupg alice)
export GNUPGHOME
data=$H/data

cat > "$H/plain.eml" <<MSG
To: Bob Example <bob@localhost>
Bcc: carol@localhost
Subject: signed hello $$

Hello Bob.
.a line that starts with a dot
MSG

# --dry-run prints the plan and sends nothing: the Bcc recipient on a line
# of its own, the certificate each recipient has or why not.
out=$("$CACHET" --config "$cfg" --data-dir "$data" send --dry-run "$H/plain.eml")
assert_contains "$out" "to:        bob@localhost
bcc:       carol@localhost
signed:    yes" "dry run"
assert_contains "$out" "encrypted: no: no usable certificate for bob@localhost" "dry run"
assert_contains "$out" "cert:      bob@localhost none: " "dry run"
assert_contains "$out" "cert:      carol@localhost none: " "dry run"
assert_contains "$out" "dry run: nothing was sent" "dry run"
# Refused (--encrypt and no certificates): the plan says why, with the
# status sending would have.
rc=0
out=$("$CACHET" --config "$cfg" --data-dir "$data" send --dry-run --encrypt "$H/plain.eml" \
	2> "$H/dry.err") || rc=$?
assert_eq 1 "$rc" "exit status of a refused dry run"
assert_contains "$out" "refused:   encryption is required (encrypt = always)" "refused dry run"
assert_contains "$out" "dry run: nothing was sent" "refused dry run"
assert_contains "$(cat "$H/dry.err")" "no usable certificate for bob@localhost" "refused dry run"
sleep 0.5
assert_eq 0 "$(harness_mail_count bob)" "bob's mail after --dry-run"

# Implicit TLS submission.
"$CACHET" --config "$cfg" --data-dir "$data" send "$H/plain.eml" 2> "$H/send.err" ||
	fail "cachet send failed: $(cat "$H/send.err")"
assert_contains "$(cat "$H/send.err")" "sent to 2 recipients, signed" "send"
harness_wait_mail bob 1
harness_wait_mail carol 1
# mail_files USER [FOLDER]: the message files of a Maildir folder.
mail_files() {
	find "$H/mail/$1/Maildir/${2:-}"/new "$H/mail/$1/Maildir/${2:-}"/cur -type f 2> /dev/null | sort
}
got=$(mail_files bob | head -1)
openssl cms -verify -in "$got" -CAfile "$HARNESS_PKI/smime-ca.pem" -out "$H/content" \
	2> "$H/verify.err" || fail "openssl cms -verify: $(cat "$H/verify.err")"
assert_file_contains "$H/content" "Hello Bob."
# Dot-stuffing is undone by the server: the line arrives as written.
assert_file_contains "$H/content" ".a line that starts with a dot"
assert_file_contains "$got" "Subject: signed hello $$"
assert_not_contains "$(cat "$got")" "Bcc:" "bob's copy"
assert_not_contains "$(cat "$got")" "carol@localhost" "bob's copy"
assert_file_contains "$got" "From: Alice Example <alice@localhost>"
assert_file_contains "$got" "Message-ID: <"

# The copy in Sent is the message that was sent, marked seen.
sent=$(mail_files alice .Sent)
assert_eq 1 "$(echo "$sent" | grep -c .)" "messages in alice's Sent"
case $sent in *:2,*S*) ;; *) fail "the copy in Sent is not marked seen: $sent" ;; esac
openssl cms -verify -in "$sent" -CAfile "$HARNESS_PKI/smime-ca.pem" -out /dev/null \
	2> /dev/null || fail "the copy in Sent does not verify"

# STARTTLS submission (submission://) works the same.
sed -i "s#^smtp = .*#smtp = submission://alice@localhost:$SUBMISSION_PORT#" "$cfg"
printf 'To: bob@localhost\nSubject: over starttls %s\n\nsecond\n' $$ > "$H/second.eml"
"$CACHET" --config "$cfg" --data-dir "$data" send "$H/second.eml" 2> "$H/send.err" ||
	fail "cachet send over STARTTLS failed: $(cat "$H/send.err")"
harness_wait_mail bob 2

# Encrypted once alice's certificate store binds bob's certificate (the
# binding table, not gpgsm's keybox, decides; her own is usable).
"$CACHET" --data-dir "$data" certs import "$HARNESS_PKI/bob.pem" > /dev/null ||
	fail "could not import bob's certificate"
printf 'To: bob@localhost\nMessage-ID: <secret-%s@localhost>\nSubject: secret %s\n\nthe secret text\n' \
	$$ $$ > "$H/third.eml"
out=$("$CACHET" --config "$cfg" --data-dir "$data" send --dry-run "$H/third.eml")
assert_contains "$out" "encrypted: yes, to bob@localhost, alice@localhost (sender)" "dry run"
assert_contains "$out" "cert:      bob@localhost $(pki_fingerprint "$HARNESS_PKI/bob.pem" | tr -d :)" \
	"dry run"
"$CACHET" --config "$cfg" --data-dir "$data" send "$H/third.eml" 2> "$H/send.err" ||
	fail "encrypted send failed: $(cat "$H/send.err")"
assert_contains "$(cat "$H/send.err")" "signed, encrypted" "send"
harness_wait_mail bob 3
enc=$(mail_files bob | xargs grep -l "Message-ID: <secret-$$@localhost>" | head -1)
[ -n "$enc" ] || fail "the encrypted message did not arrive"
assert_not_contains "$(cat "$enc")" "the secret text" "the encrypted message"
# Header protection: the Subject travels inside; outside it is "[...]".
assert_file_contains "$enc" "Subject: [...]"
assert_not_contains "$(cat "$enc")" "secret $$" "the encrypted message's outer header"
openssl cms -decrypt -in "$enc" -recip "$HARNESS_PKI/bob.pem" -inkey "$HARNESS_PKI/bob.key" \
	-out "$H/dec" 2> "$H/dec.err" || fail "bob cannot decrypt: $(cat "$H/dec.err")"
openssl cms -verify -in "$H/dec" -CAfile "$HARNESS_PKI/smime-ca.pem" -out "$H/dec.txt" \
	2> /dev/null || fail "the decrypted message does not verify"
assert_file_contains "$H/dec.txt" "the secret text"
assert_file_contains "$H/dec" "Subject: secret $$"
assert_file_contains "$H/dec" 'hp="cipher"'
assert_file_contains "$H/dec" "HP-Outer: Subject: [...]"
# bob's own cachet agrees: decrypted, signed by alice, valid and whole.
bob_home=$(harness_gnupg bob)
out=$("$CACHET" --gnupg-home "$bob_home" --data-dir "$H/bob-data" verify --json "$enc") ||
	fail "bob's cachet verify: status $?: $out"
assert_contains "$out" '"signature":"valid","coverage":"whole","signer":"alice@localhost"' "bob's verify"
assert_contains "$out" '"decryption":"ok","warnings":[]' "bob's verify"
assert_contains "$out" '"Subject":"secret '$$'"' "bob's verify: the protected Subject"
# The copy in Sent is encrypted too (to alice among others).
assert_eq 3 "$(mail_files alice .Sent | wc -l)" "messages in alice's Sent"
senc=$(mail_files alice .Sent | xargs grep -l "Message-ID: <secret-$$@localhost>" | head -1)
assert_not_contains "$(cat "$senc")" "the secret text" "the copy in Sent"
openssl cms -decrypt -in "$senc" -recip "$HARNESS_PKI/alice.pem" -inkey "$HARNESS_PKI/alice.key" \
	-out /dev/null 2> /dev/null || fail "alice cannot decrypt her copy in Sent"

# The administrator's lock wins over --no-sign; nothing is sent.
printf '[policy]\nsign = always\nlocked = yes\n' > "$H/policy"
rc=0
out=$(CACHET_SYSTEM_POLICY=$H/policy "$CACHET" --config "$cfg" --data-dir "$data" \
	send --no-sign "$H/second.eml" 2>&1) || rc=$?
assert_eq 1 "$rc" "exit status of a refused --no-sign"
assert_contains "$out" "--no-sign refused" "refused --no-sign"
assert_contains "$out" "locked" "refused --no-sign"

# A user's "sign = never" under that lock is ignored, and said once.
{ cat "$cfg"; printf '[policy]\nsign = never\n'; } > "$H/never.conf"
chmod 600 "$H/never.conf"
out=$(CACHET_SYSTEM_POLICY=$H/policy "$CACHET" --config "$H/never.conf" --data-dir "$data" \
	send --dry-run "$H/second.eml" 2>&1) || fail "send --dry-run under the lock: $out"
assert_eq 1 "$(grep -c 'sign = never ignored: the system policy locks it' <<< "$out")" \
	"warnings about the ignored sign = never; output: $out"
assert_contains "$out" "signed:    yes" "dry run under the lock"

# No configuration at all, or no account in it: what to do next.
rc=0
out=$(XDG_CONFIG_HOME=$H/nowhere "$CACHET" --data-dir "$data" send "$H/second.eml" 2>&1) || rc=$?
assert_eq 2 "$rc" "exit status without a configuration"
assert_contains "$out" "no configuration: $H/nowhere/cachet/config does not exist"
assert_contains "$out" "cachet(5)"
printf '[policy]\nsign = always\n' > "$H/policy-only.conf"
rc=0
out=$("$CACHET" --config "$H/policy-only.conf" --data-dir "$data" folders 2>&1) || rc=$?
assert_eq 2 "$rc" "exit status without an account"
assert_contains "$out" "no account in $H/policy-only.conf: add an [account NAME] section"
rc=0
out=$("$CACHET" --config "$cfg" --account nosuch --data-dir "$data" list 2>&1) || rc=$?
assert_eq 2 "$rc" "exit status for an unknown account"
assert_contains "$out" "no account 'nosuch' in $cfg"

# Without a signing certificate nothing is sent.
mkdir -m 700 "$H/empty-gnupg"
rc=0
out=$(GNUPGHOME=$H/empty-gnupg "$CACHET" --config "$cfg" --data-dir "$data" \
	send "$H/second.eml" 2>&1) || rc=$?
[ "$rc" -ne 0 ] || fail "send without a signing certificate succeeded"
assert_contains "$out" "cannot sign, and the policy says sign (nothing was sent)" "no signer"
sleep 0.5
assert_eq 3 "$(harness_mail_count bob)" "bob's mail after the refusals"
gpgconf --homedir "$H/empty-gnupg" --kill all 2> /dev/null || true

# sign = ask: the person at the terminal answers; without a terminal the
# message is signed and stderr says so.  (Bob's certificate is in alice's
# store by now, so every message below goes out encrypted.)
ask_cfg=$H/ask.conf
{ cat "$cfg"; printf '[policy]\nsign = ask\n'; } > "$ask_cfg"
chmod 600 "$ask_cfg"
# on_tty ANSWER FILE: cachet send on a pseudo-terminal, answering the question.
on_tty() {
	python3 - "$1" "$CACHET" --config "$ask_cfg" --data-dir "$data" send "$2" <<'PY'
import os, pty, sys, time
answer, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
seen, asked = b"", False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if not asked and b"Sign this message? [Y/n]" in seen:
        os.write(fd, answer.encode() + b"\n")
        asked = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(0 if asked and os.WEXITSTATUS(status) == 0 else 1)
PY
}
# Encrypted, the Subject is inside; each is found by its Message-ID.
for answer in n y; do
	sed -e "s/^Subject: .*/Subject: asked $answer $$/" \
		-e "1i Message-ID: <asked-$answer-$$@localhost>" "$H/second.eml" > "$H/ask-$answer.eml"
	out=$(on_tty "$answer" "$H/ask-$answer.eml") || fail "send with sign = ask ($answer): $out"
done
sed -e "s/^Subject: .*/Subject: asked nobody $$/" \
	-e "1i Message-ID: <asked-nobody-$$@localhost>" "$H/second.eml" > "$H/ask-none.eml"
err=$(setsid "$CACHET" --config "$ask_cfg" --data-dir "$data" send "$H/ask-none.eml" \
	2>&1 < /dev/null) || fail "send with sign = ask and no terminal: $err"
assert_contains "$err" "sign = ask and no terminal to ask on: the message is signed" "no terminal"
harness_wait_mail bob 6
# Bob decrypts each and looks inside: signed or not as answered.
for subject in "asked n" "asked y" "asked nobody"; do
	f=$(mail_files bob | xargs grep -l "Message-ID: <${subject// /-}-$$@localhost>" | head -1)
	[ -n "$f" ] || fail "no message \"$subject\" in bob's mail"
	inner=$(openssl cms -decrypt -in "$f" -recip "$HARNESS_PKI/bob.pem" \
		-inkey "$HARNESS_PKI/bob.key" 2> /dev/null) || fail "bob cannot decrypt \"$subject\""
	assert_contains "$inner" "Subject: $subject $$" "the protected Subject of \"$subject\""
	if [ "$subject" = "asked n" ]; then
		assert_not_contains "$inner" "application/pkcs7-signature" "the message answered n"
	else
		assert_contains "$inner" "application/pkcs7-signature" "the message \"$subject\""
	fi
done
echo "PASS: client_send"
