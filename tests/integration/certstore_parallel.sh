#!/bin/bash
# Two cachet harvest processes over the same Maildir at once leave one
# consistent store: each binding once, the conflict decided once, one
# history entry per change, every message in the seen table once.
set -euo pipefail
. "$top_srcdir/tests/integration/certstore_lib.sh"
cs_setup
cd "$H"
ALICE=$(cs_fpr "$HARNESS_PKI/alice.pem")
ALICE2=$(cs_fpr "$FX/alice2.pem")
CAROL=$(cs_fpr "$HARNESS_PKI/carol.pem")

md=$H/Maildir
mkdir -p "$md/cur" "$md/new" "$md/tmp"
N=20
# Names sort so that alice's first certificate comes before alice2's in
# both processes: which one is "trusted" does not depend on the race.
for i in $(seq -w 1 $N); do
	{ echo "X-Copy: $i"; cat "$FX/valid.eml"; } > "$md/cur/1-$i.valid:2,S"
	{ echo "X-Copy: $i"; cat "$FX/conflict.eml"; } > "$md/cur/3-$i.conflict:2,"
	printf 'Content-Type: text/plain\n\ncarol %s\n' "$i" > part.txt
	{
		printf 'From: Carol Example <carol@localhost>\nTo: bob@localhost\n'
		printf 'Subject: from carol %s\nMessage-ID: <carol-%s@localhost>\n' "$i" "$i"
		openssl cms -sign -md sha256 -in part.txt -signer "$HARNESS_PKI/carol.pem" \
			-inkey "$HARNESS_PKI/carol.key"
	} > "$md/new/2-$i.carol"
	printf 'From: dave@localhost\nSubject: plain %s\n\nnot signed\n' "$i" > "$md/new/4-$i.plain"
done
total=$((4 * N))

cs_bob harvest --json "$md" > run1.json 2> run1.err &
p1=$!
cs_bob harvest --json "$md" > run2.json 2> run2.err &
p2=$!
rc1=0; wait $p1 || rc1=$?
rc2=0; wait $p2 || rc2=$?
assert_eq 0 "$rc1" "first harvest status ($(cat run1.err))"
assert_eq 0 "$rc2" "second harvest status ($(cat run2.err))"
assert_eq "$total" "$(grep -c '"file"' run1.json)" "messages reported by run 1"
assert_eq "$total" "$(grep -c '"file"' run2.json)" "messages reported by run 2"
assert_not_contains "$(cat run1.json run2.json)" '"error"' "harvest output"

db=$DATA/certstore.db
q() { sqlite3 "$db" "$1"; }
assert_eq ok "$(q 'PRAGMA integrity_check')" "integrity"
assert_eq 3 "$(q 'SELECT count(*) FROM certificates')" "certificates"
assert_eq 3 "$(q 'SELECT count(*) FROM bindings')" "bindings"
assert_eq trusted "$(q "SELECT state FROM bindings WHERE fpr_sha1 = '$ALICE'")" "alice"
assert_eq conflict "$(q "SELECT state FROM bindings WHERE fpr_sha1 = '$ALICE2'")" "alice2"
assert_eq trusted "$(q "SELECT state FROM bindings WHERE address = 'carol@localhost' AND fpr_sha1 = '$CAROL'")" "carol"
assert_eq 3 "$(q 'SELECT count(*) FROM history')" "history entries (one per change)"
assert_eq 1 "$(q "SELECT count(*) FROM history WHERE action = 'conflict'")" "conflict entries"
assert_eq "$total" "$(q 'SELECT count(*) FROM seen')" "seen messages"

# A third run verifies nothing: everything was seen.
cs_bob harvest --json "$md" > run3.json 2> run3.err
assert_eq "$total" "$(grep -c '"seen":true' run3.json)" "seen in the third run"
# On a terminal, a progress line on stderr; never on a pipe (above).
assert_not_contains "$(cat run1.err run2.err run3.err)" "messages, " "progress on a pipe"
if command -v script > /dev/null; then
	script -qec "$CACHET --gnupg-home $BOB --data-dir $DATA harvest $md" /dev/null > tty.out 2>&1 ||
		fail "harvest on a terminal: $(cat tty.out)"
	assert_contains "$(cat tty.out)" "harvest: $total/$total messages, 0 stored, 0 not signed, 0 refused" "progress line"
fi
echo PASS
