#!/bin/bash
# Bcc privacy, through the private Postfix and Dovecot: alice sends a signed,
# encrypted message To bob, Cc carol, Bcc dave.  openssl cms -cmsout -print
# shows that the copies bob and carol receive name (by issuer and serial
# number) bob's, carol's and alice's certificates and never dave's, that
# dave's copy names only dave's and alice's, that each decrypts their own
# copy and finds alice's one signature, that no copy has a Bcc field, and
# that Sent holds the To/Cc copy.  Then the outbox: Postfix defers dave's
# copy; the To/Cc copy is sent and filed once, dave's alone waits, and a
# retry sends only it.  cachet encrypt refuses a message with Bcc
# recipients unless --to says whom to encrypt to.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
CACHET=${CACHET:-$top_builddir/cachet}

harness_init
harness_postfix
cfg=$(harness_config alice)
GNUPGHOME=$(harness_gnupg alice)
export GNUPGHOME
data=$H/data
P=$HARNESS_PKI
for u in bob carol dave; do
	"$CACHET" --data-dir "$data" certs import "$P/$u.pem" > /dev/null ||
		fail "could not import $u's certificate"
done

# mail_files USER [FOLDER]: the message files of a Maildir folder.
mail_files() {
	find "$H/mail/$1/Maildir/${2:-}"/new "$H/mail/$1/Maildir/${2:-}"/cur -type f 2> /dev/null | sort
}
# serial USER: USER's certificate serial number as openssl cms -cmsout
# -print writes a RecipientInfo's (lower-case hex, no leading zeros).
serial() {
	openssl x509 -in "$P/$1.pem" -noout -serial | sed 's/^serial=//; s/^0*//' |
		tr 'A-F' 'a-f'
}
# named FILE: the serial numbers of the certificates FILE's RecipientInfos
# name, one a line, sorted; fails unless each is issued by the test CA.
named() {
	local print
	print=$(openssl cms -cmsout -print -in "$1") || fail "openssl cannot read $1"
	assert_contains "$print" "recipientInfos:" "$1"
	# Each RecipientInfo: issuerAndSerialNumber, then issuer, then serialNumber.
	awk '/issuerAndSerialNumber:/ { n++; getline; if ($0 !~ /issuer: CN=Cachet Test S.\/MIME CA$/) bad = 1;
		getline; if ($1 != "serialNumber:") bad = 1; print $2 }
		END { if (bad || n == 0) print "unexpected RecipientInfo" }' <<< "$print" |
		sed 's/^0x//; s/^0*//' | tr 'A-F' 'a-f' | sort
}
expect() {
	local u
	for u in "$@"; do serial "$u"; done | sort
}
# opens FILE USER: USER decrypts FILE with openssl and finds alice's
# signature over the text.
opens() {
	openssl cms -decrypt -in "$1" -recip "$P/$2.pem" -inkey "$P/$2.key" -out "$H/dec-$2" \
		2> "$H/dec.err" || fail "$2 cannot decrypt $1: $(cat "$H/dec.err")"
	openssl cms -verify -in "$H/dec-$2" -CAfile "$P/smime-ca.pem" -out "$H/text-$2" \
		2> "$H/verify.err" || fail "$2's copy does not verify: $(cat "$H/verify.err")"
	assert_file_contains "$H/text-$2" "the quarterly numbers $$"
	# The protected headers inside (RFC 9788) name no Bcc recipient either.
	assert_file_contains "$H/text-$2" 'hp="cipher"'
	grep -qi '^Bcc:' "$H/text-$2" && fail "a Bcc field in the protected headers of $2's copy"
	[ "$2" = dave ] || assert_not_contains "$(cat "$H/dec-$2")" "dave@localhost" "$2's decrypted copy"
	openssl cms -verify -in "$H/dec-$2" -CAfile "$P/smime-ca.pem" -signer "$H/signer-$2" \
		-out /dev/null 2> /dev/null
	assert_eq "$(serial alice)" "$(serial_of "$H/signer-$2")" "the signer of $2's copy"
}
serial_of() {
	openssl x509 -in "$1" -noout -serial | sed 's/^serial=//; s/^0*//' | tr 'A-F' 'a-f'
}
# Each certificate has a serial of its own: the checks below tell them apart.
[ "$(expect alice bob carol dave | uniq | wc -l)" = 4 ] || fail "two test certificates share a serial"

cat > "$H/bcc.eml" <<MSG
To: Bob Example <bob@localhost>
Cc: carol@localhost
Bcc: Dave Example <dave@localhost>
Message-ID: <numbers-$$@localhost>
Subject: numbers $$

the quarterly numbers $$
MSG

out=$("$CACHET" --config "$cfg" --data-dir "$data" send --dry-run "$H/bcc.eml")
assert_contains "$out" "encrypted: yes, to bob@localhost, carol@localhost, alice@localhost (sender); a copy of its own, to it and the sender, for each Bcc: dave@localhost" "dry run"

"$CACHET" --config "$cfg" --data-dir "$data" send "$H/bcc.eml" 2> "$H/send.err" ||
	fail "cachet send failed: $(cat "$H/send.err")"
assert_contains "$(cat "$H/send.err")" "sent to 3 recipients (each Bcc in a copy of its own), signed, encrypted" "send"
for u in bob carol dave; do harness_wait_mail "$u" 1; done
sleep 0.5
for u in bob carol dave; do
	assert_eq 1 "$(harness_mail_count "$u")" "messages delivered to $u"
done
bob_copy=$(mail_files bob) carol_copy=$(mail_files carol) dave_copy=$(mail_files dave)

# What bob and carol receive names bob, carol and alice, never dave.
for f in "$bob_copy" "$carol_copy"; do
	assert_eq "$(expect alice bob carol)" "$(named "$f")" "certificates named in $f"
	assert_not_contains "$(named "$f")" "$(serial dave)" "$f"
done
# They received the same copy.
assert_eq "$(openssl cms -cmsout -outform DER -in "$bob_copy" | sha256sum)" \
	"$(openssl cms -cmsout -outform DER -in "$carol_copy" | sha256sum)" "bob's and carol's copies"
# Dave's names dave and alice only.
assert_eq "$(expect alice dave)" "$(named "$dave_copy")" "certificates named in dave's copy"
for f in "$bob_copy" "$carol_copy" "$dave_copy"; do
	grep -qi '^Bcc:' "$f" && fail "a Bcc field in $f"
	[ "$f" = "$dave_copy" ] || assert_not_contains "$(cat "$f")" "dave@localhost" "$f"
	# The Subject is protected: inside only, "[...]" outside.
	assert_file_contains "$f" "Message-ID: <numbers-$$@localhost>"
	assert_file_contains "$f" "Subject: [...]"
	assert_not_contains "$(cat "$f")" "numbers $$" "$f"
	assert_file_contains "$f" "smime-type=enveloped-data"
done
# Each reads their own copy, signed once by alice; no one reads another's.
opens "$bob_copy" bob
opens "$carol_copy" carol
opens "$dave_copy" dave
openssl cms -decrypt -in "$bob_copy" -recip "$P/dave.pem" -inkey "$P/dave.key" \
	-out /dev/null 2> /dev/null && fail "dave decrypts the To/Cc copy"
openssl cms -decrypt -in "$dave_copy" -recip "$P/bob.pem" -inkey "$P/bob.key" \
	-out /dev/null 2> /dev/null && fail "bob decrypts dave's copy"
# Signed once: what bob, carol and dave decrypt is the same signed entity,
# byte for byte (a second signature would differ in boundary and time).
assert_eq "$(sha256sum < "$H/dec-bob")" "$(sha256sum < "$H/dec-dave")" "bob's and dave's contents"
assert_eq "$(sha256sum < "$H/dec-bob")" "$(sha256sum < "$H/dec-carol")" "bob's and carol's contents"

# Sent holds the To/Cc copy: the bytes bob's names, readable by alice.
sent=$(mail_files alice .Sent)
assert_eq 1 "$(echo "$sent" | grep -c .)" "messages in alice's Sent"
assert_eq "$(openssl cms -cmsout -outform DER -in "$bob_copy" | sha256sum)" \
	"$(openssl cms -cmsout -outform DER -in "$sent" | sha256sum)" "the copy in Sent"
grep -qi '^Bcc:' "$sent" && fail "a Bcc field in the copy in Sent"
opens "$sent" alice
outbox_count() {
	find "$data/outbox" -name '*.meta' 2> /dev/null | wc -l
}
assert_eq 0 "$(outbox_count)" "outbox entries after a send"

# Bcc alone: dave's copy names dave and alice; the copy in Sent, which no
# one else receives, names alice alone.
printf 'Bcc: dave@localhost\nMessage-ID: <bcc-only-%s@localhost>\nSubject: bcc only %s\n\nthe quarterly numbers %s\n' $$ $$ $$ \
	> "$H/bcc-only.eml"
"$CACHET" --config "$cfg" --data-dir "$data" send "$H/bcc-only.eml" 2> "$H/send.err" ||
	fail "cachet send to Bcc alone: $(cat "$H/send.err")"
assert_contains "$(cat "$H/send.err")" "sent to 1 recipient (each Bcc in a copy of its own)" "send to Bcc alone"
harness_wait_mail dave 2
f=$(mail_files dave | xargs grep -l "Message-ID: <bcc-only-$$@localhost>")
assert_eq "$(expect alice dave)" "$(named "$f")" "certificates named in dave's copy (Bcc alone)"
opens "$f" dave
f=$(mail_files alice .Sent | xargs grep -l "Message-ID: <bcc-only-$$@localhost>")
assert_eq "$(expect alice)" "$(named "$f")" "certificates named in Sent's copy (Bcc alone)"
for u in bob carol; do
	assert_eq 1 "$(harness_mail_count "$u")" "messages delivered to $u (Bcc alone)"
done

# --- the outbox: Postfix defers dave@localhost at RCPT.
pf=$H/postfix
postconf -c "$pf" -e "smtpd_recipient_restrictions = check_recipient_access inline:{dave@localhost=DEFER}, permit_sasl_authenticated, reject"
touch -d "-10 seconds" "$pf/main.cf"
postfix -c "$pf" reload > /dev/null 2>&1 || kill -HUP "$POSTFIX_PID"
sleep 1
sed -e "s/^Subject: .*/Subject: deferred $$/" -e "s/^Message-ID: .*/Message-ID: <deferred-$$@localhost>/" \
	"$H/bcc.eml" > "$H/deferred.eml"
rc=0
"$CACHET" --config "$cfg" --data-dir "$data" send "$H/deferred.eml" 2> "$H/send.err" || rc=$?
assert_eq 5 "$rc" "exit status when the Bcc copy is deferred"
err=$(cat "$H/send.err")
assert_contains "$err" "sent to 2 recipients (each Bcc in a copy of its own), signed, encrypted" "partial send"
assert_contains "$err" "the copy for dave@localhost (Bcc) was not sent:" "partial send"
assert_contains "$err" "The To and Cc recipients have the message; what was not sent is kept in the outbox" "partial send"
harness_wait_mail bob 2
harness_wait_mail carol 2
assert_eq 3 "$(mail_files alice .Sent | wc -l)" "messages in alice's Sent"
# One entry, dave's copy alone, to be sent and not filed.
assert_eq 1 "$(outbox_count)" "outbox entries"
meta=$(cat "$data"/outbox/*.meta)
assert_contains "$meta" "state: submit" "the queued Bcc copy's entry"
assert_contains "$meta" "rcpt: dave@localhost" "the queued Bcc copy's entry"
assert_eq 1 "$(grep -c '^rcpt:' <<< "$meta")" "recipients of the queued Bcc copy: $meta"
assert_not_contains "$meta" "folder:" "the queued Bcc copy's entry"
assert_eq "$(expect alice dave)" "$(named "$(ls "$data"/outbox/*.eml)")" \
	"certificates named in the queued copy"

postconf -c "$pf" -e "smtpd_recipient_restrictions = permit_sasl_authenticated, reject"
touch -d "-10 seconds" "$pf/main.cf"
postfix -c "$pf" reload > /dev/null 2>&1 || kill -HUP "$POSTFIX_PID"
sleep 1
"$CACHET" --config "$cfg" --data-dir "$data" send --retry 2> "$H/retry.err" ||
	fail "send --retry: $(cat "$H/retry.err")"
assert_eq 0 "$(outbox_count)" "outbox entries after the retry"
harness_wait_mail dave 3
sleep 0.5
# Nothing sent twice: bob, carol and dave have one message more each, and
# Sent one copy more.
for u in bob carol; do
	assert_eq 2 "$(harness_mail_count "$u")" "messages delivered to $u after the retry"
done
assert_eq 3 "$(harness_mail_count dave)" "messages delivered to dave after the retry"
assert_eq 3 "$(mail_files alice .Sent | wc -l)" "messages in alice's Sent after the retry"
f=$(mail_files dave | xargs grep -l "Message-ID: <deferred-$$@localhost>")
assert_eq "$(expect alice dave)" "$(named "$f")" "certificates named in dave's retried copy"
opens "$f" dave

# --- cachet encrypt: one output cannot keep a Bcc private.
printf 'From: alice@localhost\nTo: bob@localhost\nBcc: dave@localhost\nSubject: x\n\ny\n' > "$H/enc.eml"
rc=0
"$CACHET" --data-dir "$data" encrypt "$H/enc.eml" > "$H/enc.out" 2> "$H/enc.err" || rc=$?
assert_eq 2 "$rc" "exit status of encrypt with a Bcc recipient"
assert_contains "$(cat "$H/enc.err")" "Bcc names dave@localhost" "encrypt with Bcc"
assert_contains "$(cat "$H/enc.err")" "cachet send" "encrypt with Bcc"
[ -s "$H/enc.out" ] && fail "encrypt wrote a message it refused"
# With --to, the person said whom each output is for.
"$CACHET" --data-dir "$data" encrypt --to bob@localhost "$H/enc.eml" > "$H/enc-bob.eml" ||
	fail "encrypt --to bob"
assert_eq "$(expect alice bob)" "$(named "$H/enc-bob.eml")" "encrypt --to bob"
grep -qi '^Bcc:' "$H/enc-bob.eml" && fail "a Bcc field in encrypt's output"
"$CACHET" --data-dir "$data" encrypt --to dave@localhost "$H/enc.eml" > "$H/enc-dave.eml" ||
	fail "encrypt --to dave"
assert_eq "$(expect alice dave)" "$(named "$H/enc-dave.eml")" "encrypt --to dave"
echo "PASS: client_send_bcc"
