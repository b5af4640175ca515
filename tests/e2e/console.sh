# console.sh - talk to a pty or TCP console from bash (sourced by the
# simdut tests).
#
# A background cat copies the channel into a file and expect() scans that
# file.  bash's own 'read -N' is not used on a tty: it switches the line
# to cbreak mode while it waits, and that turns CR into LF.
#
# The sourcing test provides fail(), the folder CON_DIR for the copies,
# and the array bg_pids, whose processes it kills when it exits.

export LC_ALL=C		# ${#var} counts bytes
con_file=""
con_pid=""
consumed=0		# bytes of con_file already matched

now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

_con_copy() { # FD FILE
	con_file=$2
	consumed=0
	cat <&"$1" >"$con_file" 2>/dev/null &
	con_pid=$!
	bg_pids+=("$con_pid")
}

# con_open FD TTY: attach FD to a pty slave (raw, no echo).
con_open() {
	eval "exec $1<>\"\$2\""
	stty -F "$2" raw -echo
	_con_copy "$1" "$CON_DIR/console.$1.$RANDOM"
}

# tcp_open FD HOST PORT: attach FD to a TCP connection.
tcp_open() {
	eval "exec $1<>/dev/tcp/$2/$3"
	_con_copy "$1" "$CON_DIR/tcp.$1.$RANDOM"
}

# con_close FD: detach FD and stop its copier (it would steal the next
# reader's bytes on a reopened pty).
con_close() {
	eval "exec $1>&-"
	kill "$con_pid" 2>/dev/null || true
	wait "$con_pid" 2>/dev/null || true
}

# Everything copied so far.
con_text() {
	local data=""
	IFS= read -r -d '' data <"$con_file" || true
	printf '%s' "$data"
}

# expect TEXT [SECONDS]: wait until TEXT follows what was matched before.
expect() {
	local want=$1 limit=$((${2:-5} * 1000)) start data rest
	start=$(now_ms)
	for (( ; ; )); do
		data=""
		IFS= read -r -d '' data <"$con_file" || true
		rest=${data:consumed}
		if [[ $rest == *"$want"* ]]; then
			rest=${rest%%"$want"*}
			consumed=$((consumed + ${#rest} + ${#want}))
			return 0
		fi
		(($(now_ms) - start < limit)) ||
			fail "no $(printf '%q' "$want") on the console;" \
				"got: $(printf '%q' "$rest")"
		sleep 0.02
	done
}

# expect_quiet SECONDS: nothing new on the console meanwhile.
expect_quiet() {
	local data=""
	sleep "$1"
	IFS= read -r -d '' data <"$con_file" || true
	[ "${#data}" = "$consumed" ] ||
		fail "console spoke: $(printf '%q' "${data:consumed}")"
}

# expect_eof: the peer closed the connection (the copying cat ended).
expect_eof() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$con_pid" 2>/dev/null || return 0
		sleep 0.02
	done
	fail "the connection stayed open"
}

# send FD TEXT
send() {
	printf '%s' "$2" >&"$1"
}
