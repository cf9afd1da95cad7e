#!/bin/bash
# Decrypted mail never reaches a core file: a running cachet has a core
# size limit of 0, soft and hard, whatever limit it was started with, so
# neither it nor anything it starts can raise it again.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
dir=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; rm -rf "$dir"' EXIT
mkfifo "$dir/in"
# verify blocks on opening the FIFO: a live process to look at.
(ulimit -c unlimited; exec "$CACHET" --data-dir "$dir/data" --gnupg-home "$dir/gnupg" \
	verify "$dir/in" > "$dir/out" 2> "$dir/err") &
pid=$!
# Until the limit drops (main sets it first thing) or 5 s have passed.
line=
for _ in $(seq 1 100); do
	line=$(grep "Max core file size" "/proc/$pid/limits" 2> /dev/null) || line=
	read -r -a f <<< "${line#Max core file size}"
	[ "${f[0]:-}" = 0 ] && [ "${f[1]:-}" = 0 ] && break
	sleep 0.05
done
[ -n "$line" ] || fail "no limits of cachet ($pid)"
exec 3> "$dir/in"
exec 3>&-
wait "$pid" || true
[ "${f[0]:-}" = 0 ] && [ "${f[1]:-}" = 0 ] || fail "core size limit of a running cachet: $line"
echo "ok: $line"
