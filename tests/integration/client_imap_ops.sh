#!/bin/bash
# client/imap.h's operations against the private Dovecot (client_imap_ops.c).
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"

harness_init
harness_dovecot
"$top_builddir/tests/integration/client_imap_ops" localhost "$IMAPS_PORT" \
	"$HARNESS_PKI/tls-ca.pem" alice alice-pw || fail "IMAP operations failed"
echo "PASS: client_imap_ops"
