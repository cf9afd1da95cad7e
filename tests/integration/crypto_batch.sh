#!/bin/bash
# The batch path of the message verbs: many files per call, --output-dir
# with private atomic files, per-file errors that name the file and do not
# stop the batch, the exit status of the worst, more encryptions in one
# call than one gpgsm context survives, and refusal naming every recipient
# without a certificate.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
harness_init
P=$HARNESS_PKI
alice=$(harness_gnupg alice)
bob=$(harness_gnupg bob)
# What alice encrypts to is decided by her certificate store (binding table).
"$CACHET" --gnupg-home "$alice" --data-dir "$H/data-alice" certs import "$P/bob.pem" "$P/carol.pem" > /dev/null ||
	fail "could not import bob's and carol's certificates"
cd "$H"
mkdir in out
for i in $(seq 1 20); do
	printf 'From: alice@localhost\nTo: bob@localhost, Carol <carol@localhost>\nSubject: report %d\n\nreport number %d\n' "$i" "$i" > in/m$i.eml
done

# 20 encryptions in one call: past gpgsm's 8-per-context limit.
"$CACHET" --gnupg-home "$alice" --data-dir "$H/data-alice" encrypt --output-dir out in/*.eml
assert_eq 20 "$(ls out | wc -l)" "files written"
assert_eq 600 "$(stat -c %a out/m17.eml)" "mode of an output file"
ls out | grep -q tmp && fail "temporary files left in out/"
for i in 1 8 9 20; do
	openssl cms -decrypt -in out/m$i.eml -recip "$P/bob.pem" -inkey "$P/bob.key" | tr -d "\r" | grep -qx "report number $i" ||
		fail "m$i.eml does not decrypt to its own text"
done
# Batch decrypt and verify of what was made.
mkdir dec
"$CACHET" --gnupg-home "$bob" decrypt --output-dir dec out/*.eml
assert_file_contains dec/m20.eml "report number 20"

# Batch sign; then verify all in one call: exit 0.
mkdir signed
"$CACHET" --gnupg-home "$alice" sign --output-dir signed in/*.eml
gpgsm --homedir "$bob" --batch --import "$P/alice.pem" > /dev/null 2>&1
rc=0
"$CACHET" --gnupg-home "$bob" verify --json signed/*.eml > v.json || rc=$?
assert_eq 0 "$rc" "verify exit status"
assert_eq 20 "$(grep -c '"signature":"valid","coverage":"whole"' v.json)" "valid verdicts"

# A missing recipient certificate: refused (1), every such address named,
# nothing written for that file, the others still done.
printf 'From: alice@localhost\nTo: dora@localhost, bob@localhost\nCc: zed@example.org\n\nhi\n' > in/norcpt.eml
mkdir out2
rc=0
"$CACHET" --gnupg-home "$alice" --data-dir "$H/data-alice" encrypt --output-dir out2 in/m1.eml in/norcpt.eml in/m2.eml 2> err.txt || rc=$?
assert_eq 1 "$rc" "exit status with a recipient lacking a certificate"
assert_contains "$(cat err.txt)" "in/norcpt.eml: no usable certificate for dora@localhost (no certificate"
assert_contains "$(cat err.txt)" "), zed@example.org (no certificate"
assert_not_contains "$(cat err.txt)" "bob@localhost ("
[ -e out2/norcpt.eml ] && fail "a refused message was written"
[ -s out2/m1.eml ] && [ -s out2/m2.eml ] || fail "the batch stopped at the refused message"

# --to overrides the header; the sender is still a recipient.
"$CACHET" --gnupg-home "$alice" --data-dir "$H/data-alice" encrypt --to carol@localhost in/norcpt.eml > to.eml
openssl cms -decrypt -in to.eml -recip "$P/carol.pem" -inkey "$P/carol.key" > /dev/null
openssl cms -decrypt -in to.eml -recip "$P/alice.pem" -inkey "$P/alice.key" > /dev/null
if openssl cms -decrypt -in to.eml -recip "$P/bob.pem" -inkey "$P/bob.key" > /dev/null 2>&1; then
	fail "--to did not replace the header's recipients"
fi

# A missing file and an unreadable message: named, worst status wins (3).
rc=0
"$CACHET" --gnupg-home "$alice" sign in/m1.eml no-such.eml > /dev/null 2> err.txt || rc=$?
assert_eq 3 "$rc" "exit status with a missing input"
assert_contains "$(cat err.txt)" "no-such.eml: cannot open"

# Standard input when no file is named.
"$CACHET" --gnupg-home "$alice" sign < in/m3.eml > stdin.eml
openssl cms -verify -in stdin.eml -CAfile "$P/smime-ca.pem" -out /dev/null 2> /dev/null ||
	fail "signature of standard input does not verify"

# Two inputs with the same name cannot share --output-dir (usage error).
mkdir -p other && cp in/m1.eml other/
rc=0
"$CACHET" --gnupg-home "$alice" sign --output-dir out in/m1.eml other/m1.eml 2> err.txt || rc=$?
assert_eq 2 "$rc" "exit status for clashing output names"

# No signing key for the From address: a clear refusal, not a crash.
printf 'From: carol@localhost\nTo: bob@localhost\n\nhi\n' > carol.eml
rc=0
"$CACHET" --gnupg-home "$alice" sign carol.eml > /dev/null 2> err.txt || rc=$?
assert_eq 1 "$rc" "exit status without a signing certificate"
assert_contains "$(cat err.txt)" "no signing certificate: carol@localhost"
# Several gpgsm engines work in parallel; standard output and the error
# messages still follow the order of the inputs, each error its own file.
# Messages of very different sizes make the workers finish out of order.
mkdir order
for i in $(seq 1 24); do
	{
		printf 'From: alice@localhost\nTo: bob@localhost\nSubject: order %d\n\n' "$i"
		if [ $((i % 3)) = 0 ]; then head -c 300000 /dev/zero | tr '\0' 'x' | fold -w 70; echo; fi
		printf 'body %d\n' "$i"
	} > order/o$i.eml
done
printf 'not a message\n' > order/bad1.eml
list=()
for i in $(seq 1 24); do
	list+=("order/o$i.eml")
	[ "$i" = 5 ] && list+=(order/missing-a.eml)
	[ "$i" = 17 ] && list+=(order/missing-b.eml)
done
rc=0
"$CACHET" --gnupg-home "$alice" sign "${list[@]}" > order.out 2> order.err || rc=$?
assert_eq 3 "$rc" "exit status of a parallel batch with missing inputs"
# Each Subject twice: the message's, and its protected copy inside.
assert_eq "$(seq 1 24 | sed 's/^/Subject: order /;p')" "$(grep '^Subject: order' order.out)" "order of the outputs"
assert_eq "$(grep -c '^Content-Type: multipart/signed' order.out)" 24 "signed messages on standard output"
assert_eq 2 "$(wc -l < order.err)" "error lines"
head -1 order.err | grep -q 'missing-a.eml: cannot open' || fail "first error is not missing-a: $(cat order.err)"
tail -1 order.err | grep -q 'missing-b.eml: cannot open' || fail "second error is not missing-b: $(cat order.err)"
# Each output is its own input's signature (no crossing between workers).
csplit -s -z -f part order.out '/^From: alice@localhost$/' '{*}'
# The protected From of each message starts no new one.
for f in part*; do
	grep -q '^MIME-Version' "$f" || { cat "$f" >> "$prev"; rm "$f"; continue; }
	prev=$f
done
n=0
for f in part*; do
	n=$((n + 1))
	grep -q "^Subject: order $n\$" "$f" || fail "part $n is not message $n"
	grep -q "^body $n\$" "$f" || fail "part $n carries another body"
	openssl cms -verify -in "$f" -CAfile "$P/smime-ca.pem" -out /dev/null 2> /dev/null ||
		fail "part $n does not verify"
done
assert_eq 24 "$n" "signed parts"

# An interrupted batch: the files of --output-dir are flushed to disk a
# group at a time before they take their names, and SIGTERM removes the
# temporary files still waiting, so every output is whole or absent.
mkdir in3 out3
for i in $(seq 1 3000); do
	printf 'From: alice@localhost\nTo: bob@localhost\nSubject: r%d\n\nreport number %d\n' "$i" "$i" > in3/m$i.eml
done
"$CACHET" --gnupg-home "$alice" --data-dir "$H/data-alice" encrypt --output-dir out3 in3/*.eml &
pid=$!
for _ in $(seq 1 1000); do
	[ -n "$(ls out3)" ] && break
	sleep 0.01
done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq 143 "$rc" "exit status of the batch after SIGTERM"
n=$(ls out3 | wc -l)
[ "$n" -lt 3000 ] || fail "control: the batch ended before SIGTERM ($n files)"
leftover=$(ls out3 | grep -c 'tmp-' || true)
assert_eq 0 "$leftover" "temporary files left in out3/ by SIGTERM"
for f in out3/*; do
	[ -e "$f" ] || continue
	openssl cms -cmsout -in "$f" -out /dev/null 2> /dev/null || fail "$f is not whole"
done
echo PASS
