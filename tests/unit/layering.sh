#!/bin/bash
# layering.sh — the floors of doc/DESIGN.md ("Floors"), checked three ways.
#
#   base < crypto < certstore < client < {ui, cli}
#
# 1. Includes: every #include "DIR/..." in a floor's .c and .h files names
#    its own floor or a lower one.  ui/ and cli/ are peers and do not
#    include each other, except cli/cmd_ui.c, the verb main runs when there
#    is none, which opens the screen through ui/ui.h.
# 2. Symbols: no library has an undefined symbol that only a library of a
#    higher floor (or its peer) defines; that is, no call goes up even when
#    no header says so.  The same single exception: cli's cmd_ui.o may call
#    into libui.a.
# 3. Size: no .c file of a floor is over 1,000 lines (a file that big holds
#    more than one thing; split it along a seam, with a private header).
#
# Every offence is printed (file:line, or library:object and symbol) and
# the script exits 1; 0 when the floors hold.  LAYERING_SRCDIR and
# LAYERING_BUILDDIR point it at another tree (default: this one).

set -u

srcdir=${LAYERING_SRCDIR:-${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}}
builddir=${LAYERING_BUILDDIR:-${top_builddir:-.}}

floors="base crypto certstore client ui cli"

rank() {
	case $1 in
	base) echo 0 ;;
	crypto) echo 1 ;;
	certstore) echo 2 ;;
	client) echo 3 ;;
	ui | cli) echo 4 ;;
	*) echo -1 ;;
	esac
}

# The one call across the top floor: main's screen verb opens the screen.
allowed_include() {	# FILE INCLUDED
	[ "$1" = cli/cmd_ui.c ] && [ "$2" = ui/ui.h ]
}
allowed_object() {	# FROM-FLOOR OBJECT TO-FLOOR
	[ "$1" = cli ] && [ "$2" = cmd_ui.o ] && [ "$3" = ui ]
}

bad=0

# --- 1. includes -----------------------------------------------------------
for floor in $floors; do
	[ -d "$srcdir/$floor" ] || { echo "layering: no folder $srcdir/$floor"; bad=1; continue; }
	r=$(rank "$floor")
	for f in "$srcdir/$floor"/*.[ch]; do
		[ -e "$f" ] || continue
		rel=$floor/${f##*/}
		while IFS=: read -r line text; do
			[[ $text =~ \"([^\"]*)\" ]] || continue
			inc=${BASH_REMATCH[1]}
			dir=${inc%%/*}
			[ "$dir" = "$inc" ] && continue	# no folder: not a floor
			t=$(rank "$dir")
			[ "$t" -lt 0 ] && continue	# tests/..., not a floor
			[ "$dir" = "$floor" ] && continue
			if [ "$t" -ge "$r" ]; then
				allowed_include "$rel" "$inc" && continue
				echo "$rel:$line: includes $inc: $dir/ is above $floor/ or beside it"
				bad=1
			fi
		done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
	done
done

# --- 2. symbols ------------------------------------------------------------
# nm -A prints "ARCHIVE:OBJECT: ADDR T name" and "ARCHIVE:OBJECT:  U name".
declare -A defined_in	# symbol -> lowest floor rank that defines it
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
for floor in $floors; do
	lib=$builddir/lib$floor.a
	if [ ! -f "$lib" ]; then
		echo "layering: $lib not built"
		bad=1
		continue
	fi
	nm -A -g "$lib" 2>/dev/null >"$tmp/$floor.nm" || { echo "layering: nm $lib failed"; bad=1; }
done
for floor in $floors; do
	[ -f "$tmp/$floor.nm" ] || continue
	r=$(rank "$floor")
	while read -r sym; do
		old=${defined_in[$sym]:-}
		if [ -z "$old" ] || [ "$r" -lt "${old%% *}" ]; then
			defined_in[$sym]="$r $floor"
		elif [ "$r" -eq "${old%% *}" ] && [ "${old#* }" != "$floor" ]; then
			defined_in[$sym]="$old $floor"
		fi
	done < <(awk '$(NF-1) ~ /^[TDRBCVWG]$/ { print $NF }' "$tmp/$floor.nm" | sort -u)
done
for floor in $floors; do
	[ -f "$tmp/$floor.nm" ] || continue
	r=$(rank "$floor")
	while read -r obj sym; do
		def=${defined_in[$sym]:-}
		[ -n "$def" ] || continue	# from outside: libc, GnuTLS, ...
		t=${def%% *}
		owners=${def#* }
		case " $owners " in *" $floor "*) continue ;; esac
		[ "$t" -lt "$r" ] && continue
		to=${owners%% *}
		allowed_object "$floor" "$obj" "$to" && continue
		echo "lib$floor.a($obj): uses $sym, defined only in lib$to.a (above or beside $floor/)"
		bad=1
	done < <(awk '$(NF-1) == "U" { n = split($1, a, ":"); print a[2], $NF }' "$tmp/$floor.nm" | sort -u)
done

# --- 3. sizes --------------------------------------------------------------
max_lines=1000
for floor in $floors; do
	for f in "$srcdir/$floor"/*.c; do
		[ -e "$f" ] || continue
		rel=$floor/${f##*/}
		n=$(wc -l < "$f")
		if [ "$n" -gt "$max_lines" ]; then
			echo "$rel: $n lines, over $max_lines: split it"
			bad=1
		fi
	done
done

if [ "$bad" -eq 0 ]; then
	echo "layering: floors hold (includes, symbols and sizes of: $floors)"
fi
exit "$bad"
