#!/bin/bash
# cachet certs: import (same checks as harvest; --force only with a typed
# confirmation on a terminal), export, show, trust-ca (gpgsm's trustlist),
# policy harvest = ask / never, file modes, and the exit statuses.
set -euo pipefail
. "$top_srcdir/tests/integration/certstore_lib.sh"
cs_setup
cd "$H"
ALICE=$(cs_fpr "$HARNESS_PKI/alice.pem")
EVIL=$(cs_fpr "$FX/alice-evil.pem")

# import: a CA-issued certificate is bound to its address (PEM, DER, p7c).
openssl x509 -in "$HARNESS_PKI/alice.pem" -outform DER -out alice.der
out=$(cs_bob certs import alice.der)
assert_contains "$out" "$ALICE bound to alice@localhost (trusted, new)" "import DER"
openssl crl2pkcs7 -nocrl -certfile "$HARNESS_PKI/carol.pem" -certfile "$HARNESS_PKI/smime-ca.pem" -out bundle.p7c
out=$(cs_bob certs import bundle.p7c)
assert_contains "$out" "bound to carol@localhost (trusted, new)" "import p7c"
assert_contains "$out" "is a CA certificate: skipped" "import p7c"

# The store and its directory are private.
assert_eq 700 "$(stat -c %a "$DATA")" "data dir mode"
assert_eq 600 "$(stat -c %a "$DATA/certstore.db")" "database mode"
assert_eq wal "$(sqlite3 "$DATA/certstore.db" 'PRAGMA journal_mode')" "journal mode"

# The same checks as harvest: an untrusted chain or an expired one is refused.
rc=0
out=$(cs_bob certs import "$FX/alice-evil.pem") || rc=$?
assert_eq 1 "$rc" "import untrusted: status"
assert_contains "$out" "refused $EVIL for alice@localhost: untrusted" "import untrusted"
rc=0
out=$(cs_bob certs import "$FX/alice-expired.pem") || rc=$?
assert_eq 1 "$rc" "import expired: status"
assert_contains "$out" ": expired" "import expired"
assert_not_contains "$(cs_bob certs list --json)" "$EVIL" "certs list"

# --force is refused in batch (no terminal)...
rc=0
cs_bob certs import --force "$FX/alice-evil.pem" < /dev/null > force.out 2> force.err || rc=$?
assert_eq 2 "$rc" "import --force in batch: status"
assert_contains "$(cat force.err)" "needs a typed confirmation on a terminal" "import --force"
# ...and on a terminal needs the typed word: "no" binds nothing, "yes" binds.
after_ca=conflict
if command -v script > /dev/null; then
	printf 'no\n' | script -qec "$CACHET --gnupg-home $BOB --data-dir $DATA certs import --force $FX/alice-evil.pem" /dev/null > tty-no.out 2>&1 || true
	assert_contains "$(cat tty-no.out)" "Type 'yes' to bind it anyway" "terminal prompt"
	assert_not_contains "$(cs_bob certs list --json)" "$EVIL" "after 'no'"
	# alice already has a trusted certificate: forced or not, a conflict
	# (status 1, like any refusal).
	rc=0
	printf 'yes\n' | script -qec "$CACHET --gnupg-home $BOB --data-dir $DATA certs import --force $FX/alice-evil.pem" /dev/null > tty-yes.out 2>&1 || rc=$?
	assert_eq 1 "$rc" "forced import status"
	assert_contains "$(cat tty-yes.out)" "refused $EVIL for alice@localhost: conflict" "forced import"
	cs_json_has "$(cs_bob certs list --json)" "\"state\":\"conflict\",\"fingerprint\":\"$EVIL\""
	cs_json_has "$(cs_bob certs show --json "$EVIL")" '"source":"import-forced"'
	cs_bob certs remove "$EVIL" > /dev/null
	after_ca=revoked-by-user
fi

# export: the chosen certificate for an address, as PEM.
cs_bob certs export alice@localhost > exported.pem
assert_eq "$ALICE" "$(cs_fpr exported.pem)" "exported certificate"
rc=0
cs_bob certs export dave@localhost > /dev/null 2> export.err || rc=$?
assert_eq 1 "$rc" "export of an unknown address"
assert_contains "$(cat export.err)" "no certificate for dave@localhost" "export"

# show by fingerprint (SHA-256 with colons works too).
sha256=$(openssl x509 -in "$HARNESS_PKI/alice.pem" -noout -fingerprint -sha256 | sed 's/^.*=//')
show=$(cs_bob certs show "$sha256")
assert_contains "$show" "SHA-1      $ALICE" "certs show by SHA-256"
assert_contains "$show" "History:" "certs show"

# trust-ca: the evil CA becomes a trust anchor in bob's gpgsm home, with
# its fingerprints and subject shown; then its certificate is accepted,
# and a message refused as untrusted before is looked at again.
out=$(cs_bob harvest --json "$FX/untrusted.eml")
cs_json_has "$out" '"reason":"untrusted"'
ca_sha1=$(pki_fingerprint "$FX/evil-ca.pem")
ca_sha256=$(openssl x509 -in "$FX/evil-ca.pem" -noout -fingerprint -sha256 | sed 's/^.*=//; s/://g')
out=$(cs_bob certs trust-ca "$FX/evil-ca.pem")
assert_contains "$out" "SHA-1    ${ca_sha1//:/}" "trust-ca output"
assert_contains "$out" "SHA-256  $ca_sha256" "trust-ca output"
assert_contains "$out" "CN=Cachet Untrusted CA" "trust-ca output"
assert_contains "$out" "added to gpgsm's trustlist.txt" "trust-ca output"
assert_file_contains "$BOB/trustlist.txt" "$ca_sha1 S"
out=$(cs_bob certs trust-ca "$FX/evil-ca.pem")
assert_contains "$out" "already in gpgsm's trustlist.txt" "trust-ca twice"
assert_eq 1 "$(grep -c "$ca_sha1" "$BOB/trustlist.txt")" "trustlist lines"
out=$(cs_bob harvest --json "$FX/untrusted.eml")
cs_json_has "$out" "\"seen\":false"
# Now it chains, but alice is known with another certificate: a conflict
# (or, when the forced import above was removed, the person's decision).
cs_json_has "$out" "\"reason\":\"$after_ca\",\"fingerprint\":\"$EVIL\""
rc=0
# The anchor is cachet's own too: verification keeps trusting it after
# trustlist.txt lost its line (which makes the store seed again).
out=$(cs_bob verify --json "$FX/untrusted.eml" || true)
assert_contains "$out" '"signature":"valid"' "verify after trust-ca"
cp "$BOB/trustlist.txt" trustlist.with-evil
grep -v "$ca_sha1" trustlist.with-evil > "$BOB/trustlist.txt"
out=$(cs_bob verify --json "$FX/untrusted.eml" || true)
assert_contains "$out" '"signature":"valid"' "verify after trustlist.txt lost the trust-ca line"
cp trustlist.with-evil "$BOB/trustlist.txt"
cs_bob certs trust-ca "$HARNESS_PKI/alice.pem" > /dev/null 2> notca.err || rc=$?
assert_eq 3 "$rc" "trust-ca of an end-entity certificate"
assert_contains "$(cat notca.err)" "no CA certificate" "trust-ca"

# Policy: ask binds as pending (not used to encrypt); never stores nothing.
mkdir -p "$XDG_CONFIG_HOME/cachet"
printf '[policy]\nharvest = ask\n' > "$XDG_CONFIG_HOME/cachet/config"
chmod 600 "$XDG_CONFIG_HOME/cachet/config"
DATA=$H/data-ask
out=$(cs_bob harvest --json "$FX/valid.eml")
cs_json_has "$out" "\"fingerprint\":\"$ALICE\",\"state\":\"pending\""
printf 'From: bob@localhost\nTo: alice@localhost\n\nx\n' > msg.eml
rc=0
cs_bob encrypt msg.eml > /dev/null 2> pending.err || rc=$?
assert_eq 1 "$rc" "encrypt to a pending certificate"
assert_contains "$(cat pending.err)" "waits for your decision" "encrypt pending"
cs_bob certs trust "$ALICE" > /dev/null
cs_bob encrypt msg.eml > /dev/null || fail "encrypt after certs trust"
printf '[policy]\nharvest = never\n' > "$XDG_CONFIG_HOME/cachet/config"
DATA=$H/data-never
out=$(cs_bob harvest --json "$FX/valid.eml" 2> never.err)
assert_eq "" "$out" "harvest with policy never"
assert_contains "$(cat never.err)" "policy harvest = never" "harvest never"
[ -z "$(cs_bob certs list --json)" ] || fail "policy never stored something"
rm "$XDG_CONFIG_HOME/cachet/config"

# Exit statuses: usage 2, bad file 3, store failure 4.
rc=0; cs_bob certs frobnicate > /dev/null 2>&1 || rc=$?
assert_eq 2 "$rc" "unknown certs subcommand"
rc=0; cs_bob certs trust not-a-fingerprint > /dev/null 2>&1 || rc=$?
assert_eq 2 "$rc" "bad fingerprint"
rc=0; cs_bob harvest > /dev/null 2>&1 || rc=$?
assert_eq 2 "$rc" "harvest without input"
printf 'not a certificate\n' > junk.pem
rc=0; cs_bob certs import junk.pem > /dev/null 2> junk.err || rc=$?
assert_eq 3 "$rc" "import of junk"
assert_contains "$(cat junk.err)" "junk.pem" "import junk message names the file"
rc=0; cs_bob harvest "$H/no-such-file.eml" > /dev/null 2>&1 || rc=$?
assert_eq 2 "$rc" "harvest of a missing file"
printf 'x' > "$H/not-a-dir"
rc=0
"$CACHET" --gnupg-home "$BOB" --data-dir "$H/not-a-dir/store" certs list > /dev/null 2> store.err || rc=$?
assert_eq 4 "$rc" "store that cannot be created"
DATA=$H/data-corrupt
mkdir -p "$DATA"
printf 'this is not a database, just sixteen+ bytes of text\n%.0s' 1 2 3 4 5 6 > "$DATA/certstore.db"
rc=0; cs_bob certs list > /dev/null 2> corrupt.err || rc=$?
assert_eq 4 "$rc" "corrupt store"
assert_contains "$(cat corrupt.err)" "certstore.db" "corrupt store message"
echo PASS
