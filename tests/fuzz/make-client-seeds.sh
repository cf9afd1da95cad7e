#!/bin/bash
# tests/fuzz/make-client-seeds.sh — writes the IMAP seeds of the client
# fuzz target (tests/fuzz/fuzz_client.c) into corpus/client: byte 4 then an
# untagged FETCH answer as Dovecot gives it to the index, and byte 1 then a
# cached index file of the current version.  The other client seeds (SMTP
# replies, send headers, outbox metadata) are small hand-written texts.
set -euo pipefail
c=$(cd "$(dirname "$0")" && pwd)/corpus/client
mkdir -p "$c"
ct=$'Content-Type: multipart/signed;\r\n micalg=sha-256; protocol="application/pkcs7-signature"\r\n\r\n'
{
	printf '\x04* 12 FETCH (UID 4711 FLAGS (\\Seen \\Flagged $Forwarded) RFC822.SIZE 3456 '
	printf 'INTERNALDATE "27-Nov-2026 20:57:06 +0100" ENVELOPE ("Fri, 27 Nov 2026 20:57:06 +0100" '
	printf '"Re: the \\"plan\\"" (("Bob Example" NIL "bob" "localhost")) (("Bob Example" NIL "bob" '
	printf '"localhost")) NIL ((NIL NIL "alice" "localhost")(NIL NIL "carol" "localhost")) NIL NIL '
	printf '"<1@localhost>" "<2@localhost>") MODSEQ (12) BODY[HEADER.FIELDS (CONTENT-TYPE)] {%d}\r\n%s)\r\n' \
		"${#ct}" "$ct"
} > "$c/fetch-index"
printf '\x04* 3 FETCH (UID 9 FLAGS (\\Answered) MODSEQ (5))\r\n' > "$c/fetch-flags"
printf '\x04* 1 FETCH (UID 1 ENVELOPE (NIL {5}\r\nab\0cd ((NIL NIL "team" NIL)("Al" NIL "al" "x.org")(NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL))\r\n' \
	> "$c/fetch-literal-group"
printf '\x04* 1 FETCH (X-GM-LABELS ("a b" \\Inbox) BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 1) "mixed") BINARY.SIZE[1] 12 UID 77)\r\n' \
	> "$c/fetch-unknown-items"
printf '\x04* 23 EXISTS\r\n' > "$c/fetch-exists"
printf '\x01cachet-imap-index 3 1795813026 12 77 2\n3\t1234\t5\t1795813026\tFri, 27 Nov 2026\ttab\\there\tBob\tbob@localhost\t<1@x>\t<0@x>\tmultipart/signed; micalg=sha-256\n11\t0\t0\t0\t\t\t\t\t\t\t\n' \
	> "$c/index-v3"
echo "client seeds written to $c"
