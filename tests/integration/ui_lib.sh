# tests/integration/ui_lib.sh: drive cachet's screen in a private tmux server.
#
# Source after tests/lib/harness.sh and harness_init.
#
#   ui_start NAME COLS ROWS CMD...   starts CMD in a new detached tmux session
#                                    NAME of COLS x ROWS (UTF-8, C.UTF-8 locale,
#                                    TERM=$UI_TERM, default screen-256color)
#   ui_keys NAME KEY...              tmux send-keys to NAME
#   ui_screen NAME                   prints what NAME shows now
#   ui_row_sgr NAME ROW              the SGR attributes row ROW (0 = top) starts
#                                    with: "1;7" is bold and reverse video
#   ui_wait NAME TEXT [SECONDS]      waits until NAME shows TEXT (fixed string);
#                                    fails with the screen otherwise
#   ui_shows NAME TEXT [SECONDS]     true once NAME shows TEXT (fixed string),
#                                    false when it has not within SECONDS (10)
#   ui_wait_gone NAME TEXT [SECONDS] waits until NAME no longer shows TEXT
#   ui_wait_prompt NAME TEXT [SECS]  waits until NAME's bottom line (the prompt
#                                    and status line) is TEXT, trailing spaces
#                                    aside
#   ui_settle NAME                   waits until NAME's screen stops changing
#                                    (unchanged for 0.5 s)
#   ui_resize NAME COLS ROWS         resizes NAME's window
#   ui_alive NAME                    true while NAME's session exists
#   ui_wait_exit NAME [SECONDS]      waits until NAME's session has ended (its
#                                    program quit); fails otherwise
#   ui_files_with DIR TEXT           how many message files under Maildir DIR's
#                                    cur/ and new/ hold TEXT
#   ui_flags_of DIR TEXT             the Maildir flag letters of the file holding
#                                    TEXT ("(none)" when no file does)
#   ui_wait_flags DIR TEXT L yes|no  waits until that file has (yes) or lacks
#                                    (no) flag letter L; fails otherwise
#
# The tmux server runs on its own socket with a configuration of its own,
# lives until the script ends (also between sessions: a server that left
# when its last session did could still be on its way out when the next
# command reached it, "server exited unexpectedly"), and is killed (only
# it) on exit, before the harness cleans up.

UI_TMUX_SOCK=cachet-ui-$$
UI_TMUX_CONF=$H/tmux.conf
printf 'set-option -g exit-empty off\n' > "$UI_TMUX_CONF"

ui_tmux() {
	tmux -u -L "$UI_TMUX_SOCK" -f "$UI_TMUX_CONF" "$@"
}

ui__stop() {
	ui_tmux kill-server > /dev/null 2>&1 || true
}

# Chains our cleanup before the harness's; the script's exit status stays
# the one it exited with.
trap 'ui__stop; harness_cleanup' EXIT

ui_start() {
	local name=$1 cols=$2 rows=$3
	shift 3
	local cmd
	printf -v cmd '%q ' "$@"
	ui_tmux new-session -d -s "$name" -x "$cols" -y "$rows" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=${UI_TERM:-screen-256color} TZ=UTC $cmd"
}

ui_keys() {
	local name=$1
	shift
	ui_tmux send-keys -t "$name" "$@"
}

ui_screen() {
	ui_tmux capture-pane -p -t "$1"
}

# The SGR parameters a row (0 = top) starts with, e.g. "1;7" for bold and
# reverse video; empty for plain text.
ui_row_sgr() {
	local line re=$'^\e\\[([0-9;]*)m'
	line=$(ui_tmux capture-pane -p -e -t "$1" -S "$2" -E "$2")
	if [[ $line =~ $re ]]; then
		echo "${BASH_REMATCH[1]}"
	fi
}

ui_wait() {
	local name=$1 text=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		ui_screen "$name" 2> /dev/null | grep -qF -- "$text" && return 0
		sleep 0.05
	done
	echo "--- screen of $name ---" >&2
	ui_screen "$name" >&2 || true
	fail "the screen did not show \"$text\" within $secs s"
}

ui_shows() {
	local name=$1 text=$2 secs=${3:-10} i s
	for ((i = 0; i < secs * 20; i++)); do
		s=$(ui_screen "$name" 2> /dev/null) || s=
		[[ $s == *"$text"* ]] && return 0
		sleep 0.05
	done
	return 1
}

ui_wait_gone() {
	local name=$1 text=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		ui_screen "$name" 2> /dev/null | grep -qF -- "$text" || return 0
		sleep 0.05
	done
	echo "--- screen of $name ---" >&2
	ui_screen "$name" >&2 || true
	fail "the screen still shows \"$text\" after $secs s"
}

ui_wait_prompt() {
	local name=$1 text=$2 secs=${3:-10} i last
	for ((i = 0; i < secs * 20; i++)); do
		last=$(ui_screen "$name" 2> /dev/null | tail -n 1)
		[ "${last%"${last##*[! ]}"}" = "${text%"${text##*[! ]}"}" ] && return 0
		sleep 0.05
	done
	echo "--- screen of $name ---" >&2
	ui_screen "$name" >&2 || true
	fail "the bottom line did not become \"$text\" within $secs s"
}

# Settled means the same for half a second: tmux shows a resized window at
# once (its old rows reflowed) but tells the program a little later, so a
# shorter look can take the reflowed rows for the program's redraw.
ui_settle() {
	local name=$1 prev cur i same=0
	prev=$(ui_screen "$name")
	for ((i = 0; i < 100; i++)); do
		sleep 0.1
		cur=$(ui_screen "$name")
		if [ "$cur" = "$prev" ]; then
			((++same >= 5)) && return 0
		else
			same=0
		fi
		prev=$cur
	done
}

ui_resize() {
	ui_tmux resize-window -t "$1" -x "$2" -y "$3"
}

ui_alive() {
	ui_tmux has-session -t "$1" 2> /dev/null
}

ui_wait_exit() {
	local name=$1 secs=${2:-5} i
	for ((i = 0; i < secs * 20; i++)); do
		ui_alive "$name" || return 0
		sleep 0.05
	done
	echo "--- screen of $name ---" >&2
	ui_screen "$name" >&2 || true
	fail "the program in $name did not quit within $secs s"
}

# A Maildir++ tree: ui_maildir DIR makes DIR (INBOX) with cur/ new/ tmp/.
ui_maildir() {
	mkdir -p "$1/cur" "$1/new" "$1/tmp"
}

# Writes stdin as message number N (delivery order) into Maildir DIR's new/.
ui_deliver() {
	local dir=$1 n=$2
	cat > "$dir/new/$((1700000000 + n)).M${n}P1.test"
}

ui_files_with() {
	local n=0 f
	for f in "$1"/cur/* "$1"/new/*; do
		[ -f "$f" ] && grep -qF -- "$2" "$f" && n=$((n + 1))
	done
	echo "$n"
}

ui_flags_of() {
	local f
	for f in "$1"/cur/* "$1"/new/*; do
		if [ -f "$f" ] && grep -qF -- "$2" "$f"; then
			case $f in
			*:2,*) echo "${f##*:2,}" ;;
			*) echo "" ;;
			esac
			return 0
		fi
	done
	echo "(none)"
}

ui_wait_flags() {
	local dir=$1 text=$2 want=$3 has=$4 i
	for ((i = 0; i < 100; i++)); do
		case $(ui_flags_of "$dir" "$text") in
		*"$want"*) [ "$has" = yes ] && return 0 ;;
		*) [ "$has" = no ] && return 0 ;;
		esac
		sleep 0.05
	done
	fail "flags of \"$text\" in $dir: '$(ui_flags_of "$dir" "$text")'; wanted $want: $has"
}
