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
#   ui_wait_gone NAME TEXT [SECONDS] waits until NAME no longer shows TEXT
#   ui_wait_prompt NAME TEXT [SECS]  waits until NAME's bottom line (the prompt
#                                    and status line) is TEXT, trailing spaces
#                                    aside
#   ui_settle NAME                   waits until NAME's screen stops changing
#   ui_resize NAME COLS ROWS         resizes NAME's window
#   ui_alive NAME                    true while NAME's session exists
#
# The tmux server runs on its own socket and is killed (only it) on exit,
# before the harness cleans up.

UI_TMUX_SOCK=cachet-ui-$$

ui_tmux() {
	tmux -u -L "$UI_TMUX_SOCK" "$@"
}

ui__stop() {
	ui_tmux kill-server > /dev/null 2>&1 || true
}

# Chains our cleanup before the harness's, keeping the script's status.
trap 'ui__rc=$?; ui__stop; (exit $ui__rc); harness_cleanup' EXIT

ui_start() {
	local name=$1 cols=$2 rows=$3
	shift 3
	local cmd
	printf -v cmd '%q ' "$@"
	ui_tmux new-session -d -s "$name" -x "$cols" -y "$rows" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=${UI_TERM:-screen-256color} TZ=UTC $cmd"
	ui_tmux set-option -t "$name" remain-on-exit off > /dev/null
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

ui_settle() {
	local name=$1 prev="" cur i
	for ((i = 0; i < 100; i++)); do
		cur=$(ui_screen "$name")
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.1
	done
}

ui_resize() {
	ui_tmux resize-window -t "$1" -x "$2" -y "$3"
}

ui_alive() {
	ui_tmux has-session -t "$1" 2> /dev/null
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
