#!/usr/bin/env bash
# t_simdut_debug.sh - simdut's debug UART (units[].debug_uart), end to
# end, without certbench.
#
# Config validation of the new keys; debug_tty in state.json, the env
# file and the <id>.debug.tty link; then, on the pty with a small Python
# helper that sets the line's speed the way a USB-serial adapter would:
# at a wrong rate every mode but "off" answers with noise (mostly
# non-printable, never a prompt character, the same every time) and
# understands nothing; at the right rate root_shell, uboot, uboot_locked
# and login answer as documented; "off" stays silent at every rate and
# nothing speaks before it is spoken to.  Last, the activity log and a
# clean SIGTERM shutdown (no sanitizer report in an ASan/UBSan build).
#
# Env: SIMDUT (default $BUILD/simdut, BUILD default build).  Run from
# anywhere; paths are taken from the repository top.  Exit 0 = pass.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
export SIMDUT=${SIMDUT:-${BUILD:-build}/simdut}
ctl=fixtures/simdut/simdutctl
name=t_simdut_debug

# Opening a pty from a session leader would make it our controlling
# terminal, and its hang-up at simdut's exit would kill this script.
trap '' HUP

tmp=$(mktemp -d "${E2E_ROOT:-${TMPDIR:-/tmp}}/$name.XXXXXX")
cleanup() {
	"$ctl" stop "$tmp/sim" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "$name: FAIL: $*" >&2
	exit 1
}

pass() {
	echo "ok - $*"
}

[ -x "$SIMDUT" ] || fail "$SIMDUT: not built"
command -v python3 >/dev/null || fail "python3 is needed"

# uart TTY BAUD [LINE...]: open TTY raw at BAUD, send each LINE (\r and
# \n are CR and LF; none: just listen), collect what comes back within
# 300 ms of each.  Prints "BYTES PRINTABLE" (printable ASCII, CR, LF,
# TAB), then the bytes on one line with \r, \n and \xNN escapes.
cat >"$tmp/uart.py" <<'EOF'
import os, select, sys, termios, time
path, baud, lines = sys.argv[1], int(sys.argv[2]), sys.argv[3:] or [""]
fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
a = termios.tcgetattr(fd)
a[0] = a[1] = a[3] = 0
a[2] = termios.CS8 | termios.CREAD | termios.CLOCAL
a[4] = a[5] = getattr(termios, "B%d" % baud)
a[6][termios.VMIN], a[6][termios.VTIME] = 0, 0
termios.tcsetattr(fd, termios.TCSANOW, a)
termios.tcflush(fd, termios.TCIOFLUSH)
out = b""
for line in lines:
    data = line.replace("\\r", "\r").replace("\\n", "\n").encode()
    if data:
        os.write(fd, data)
    end = time.monotonic() + 0.3
    while (left := end - time.monotonic()) > 0:
        if select.select([fd], [], [], left)[0]:
            out += os.read(fd, 4096)
os.close(fd)
ok = sum(1 for b in out if 0x20 <= b < 0x7f or b in (9, 10, 13))
text = "".join(chr(b) if 0x20 <= b < 0x7f and b != 0x5c else
               {10: "\\n", 13: "\\r", 0x5c: "\\\\"}.get(b, "\\x%02x" % b)
               for b in out)
print(len(out), ok)
print(text)
EOF
uart() {
	timeout 20 python3 "$tmp/uart.py" "$@" || fail "uart helper: $*"
}

# expect_reply TTY BAUD WANT LINE...: the escaped reply is exactly WANT.
expect_reply() {
	local tty=$1 baud=$2 want=$3 got
	shift 3
	got=$(uart "$tty" "$baud" "$@" | sed -n 2p)
	[ "$got" = "$want" ] ||
		fail "$tty at $baud after $*: got '$got', want '$want'"
}

# expect_noise TTY BAUD LINE...: something came, less than a quarter of
# it printable, no prompt character; prints the escaped bytes.
expect_noise() {
	local tty=$1 baud=$2 out n ok text
	shift 2
	out=$(uart "$tty" "$baud" "$@")
	read -r n ok <<<"${out%%$'\n'*}"
	text=${out#*$'\n'}
	((n >= 4)) || fail "$tty at $baud: only $n bytes of noise"
	((ok * 4 < n)) || fail "$tty at $baud: $ok of $n printable: $text"
	[[ $text != *[:\$\#\>%=]* && $text != *'\r'* && $text != *'\n'* ]] ||
		fail "$tty at $baud: prompt-like noise: $text"
	printf '%s\n' "$text"
}

# ==== config validation ====

good='{"units": [{"id": "v", "user": "admin", "password": "x"}]}'
bad_config() { # JQ_FILTER EXPECTED_MESSAGE
	local out rc=0
	jq "$1" <<<"$good" >"$tmp/bad.json"
	out=$("$SIMDUT" "$tmp/bad.json" --state "$tmp/bad" 2>&1) || rc=$?
	[ "$rc" = 2 ] || fail "config $1: exit $rc, want 2: $out"
	[[ $out == *"$2"* ]] || fail "config $1: '$out' lacks '$2'"
}
bad_config '.units[0].debug_uart = {"baud": 12345}' \
	'units[0].debug_uart.baud: expected one of 9600, 19200'
bad_config '.units[0].debug_uart = {"baud": 4800}' \
	'units[0].debug_uart.baud: expected one of'
bad_config '.units[0].debug_uart = {"baud": "57600"}' \
	'units[0].debug_uart.baud: expected an integer'
bad_config '.units[0].debug_uart = {"mode": "shell"}' \
	'units[0].debug_uart.mode: expected one of "off", "root_shell"'
bad_config '.units[0].debug_uart = {"speed": 9600}' \
	'units[0].debug_uart.speed: unknown key'
bad_config '.units[0].debug_uart = true' \
	'units[0].debug_uart: expected an object'
pass "config: bad baud, mode, key and type name the key"

# ==== one simdut, a unit per mode ====

jq -n '{login_fail_delay_ms: 20, units: [
	{id: "d1", user: "admin", password: "pw-d1-x",
	 debug_uart: {baud: 57600, mode: "root_shell"}},
	{id: "d2", user: "admin", password: "pw-d2-x",
	 debug_uart: {baud: 115200, mode: "uboot"}},
	{id: "d3", user: "admin", password: "pw-d3-x",
	 debug_uart: {mode: "uboot_locked"}},
	{id: "d4", user: "admin", password: "pw-d4-x",
	 debug_uart: {baud: 9600, mode: "login"}},
	{id: "d5", user: "admin", password: "pw-d5-x",
	 debug_uart: {baud: 57600, mode: "off"}},
	{id: "d6", user: "admin", password: "pw-d6-x"}]}' >"$tmp/debug.json"
"$ctl" start "$tmp/debug.json" "$tmp/sim" --lifetime 120 >"$tmp/env" ||
	fail "simdut did not start: $(cat "$tmp/sim/simdut.out")"
set -a
. "$tmp/env"
set +a

for u in d1 d2 d3 d4 d5; do
	U=${u^^}
	var=SIMDUT_${U}_DEBUG_TTY
	tty=${!var:-}
	[ -c "$tty" ] || fail "$var: '$tty' is not a character device"
	[ "$(jq -r --arg u $u '.units[] | select(.id == $u) | .debug_tty' \
		"$tmp/sim/state.json")" = "$tty" ] || fail "$u: state.json"
	[ "$(readlink "$tmp/sim/$u.debug.tty")" = "$tty" ] ||
		fail "$u: $u.debug.tty link"
	var=SIMDUT_${U}_TTY
	[ "$tty" != "${!var}" ] || fail "$u: debug UART is the console"
done
[ -z "${SIMDUT_D6_DEBUG_TTY+x}" ] || fail "d6 has no debug UART, env says one"
[ "$(jq '.units[5] | has("debug_tty")' "$tmp/sim/state.json")" = false ] ||
	fail "d6: debug_tty in state.json"
[ ! -e "$tmp/sim/d6.debug.tty" ] || fail "d6: a debug link"
pass "debug_tty in state.json, SIMDUT_<ID>_DEBUG_TTY, <id>.debug.tty"

D1=$SIMDUT_D1_DEBUG_TTY D2=$SIMDUT_D2_DEBUG_TTY D3=$SIMDUT_D3_DEBUG_TTY
D4=$SIMDUT_D4_DEBUG_TTY D5=$SIMDUT_D5_DEBUG_TTY

# ==== nobody speaks first ====

for t in "$D1" "$D2" "$D3" "$D4" "$D5"; do
	expect_reply "$t" 57600 ""
done
pass "no unit writes before input arrives"

# ==== the wrong rate: noise, nothing understood ====

n1=$(expect_noise "$D1" 115200 '\r\n' 'id\r')
n2=$(expect_noise "$D1" 115200 '\r\n' 'id\r')
[ "$n1" = "$n2" ] || fail "noise differs between runs: '$n1' / '$n2'"
[ "$n1" != "$(expect_noise "$D1" 9600 '\r\n' 'id\r')" ] ||
	fail "the same noise at 115200 and 9600"
expect_noise "$D2" 57600 '\r\n' 'version\r' >/dev/null
expect_noise "$D2" 921600 '\r\n' >/dev/null
expect_noise "$D3" 115200 '\r\n' >/dev/null
expect_noise "$D4" 57600 '\r\n' 'root\r' >/dev/null
expect_reply "$D5" 115200 "" '\r\n' 'id\r'
grep -q 'debug cmd' "$tmp/sim/d1.log" "$tmp/sim/d2.log" &&
	fail "a command ran at the wrong rate"
pass "wrong rate: noise (deterministic, no prompt), no command runs"

# uboot_locked did not move on at the wrong rate: still the first line.
expect_reply "$D3" 57600 'Password: ' '\r\n'

# ==== the right rate ====

P='root@simdut:/# '
expect_reply "$D1" 57600 "\\r\\n$P" '\r\n'
expect_reply "$D1" 57600 "id\\r\\nuid=0(root) gid=0(root)\\r\\n$P" 'id\r\n'
expect_reply "$D1" 57600 "ls -l\\r\\nsh: ls: not found\\r\\n$P" 'ls -l\r'
pass "root_shell at 57600: prompt, id, not found"

expect_reply "$D2" 115200 '\r\n=> ' '\r\n'
got=$(uart "$D2" 115200 'version\r' | sed -n 2p)
[[ $got == 'version\r\nU-Boot 2019.07 ('*') simdut\r\n=> ' ]] ||
	fail "uboot version: $got"
got=$(uart "$D2" 115200 'help\r' | sed -n 2p)
[[ $got == 'help\r\n'*'printenv - '*'version  - '*'\r\n=> ' ]] ||
	fail "uboot help: $got"
got=$(uart "$D2" 115200 'printenv\r' | sed -n 2p)
[[ $got == *'\r\nbootargs=console=ttyS0,115200 '*'\r\nbootcmd='*'\r\n=> ' ]] ||
	fail "uboot printenv: $got"
expect_reply "$D2" 115200 "go 0x0\\r\\nUnknown command 'go' - try 'help'\\r\\n=> " \
	'go 0x0\r'
pass "uboot at 115200: prompt, version, help, printenv, unknown command"

expect_reply "$D3" 57600 '\r\nPassword incorrect\r\nPassword: ' 'version\r'
expect_reply "$D3" 57600 '\r\nPassword incorrect\r\nPassword: ' 'help\r\n'
pass "uboot_locked at the default 57600: Password:, every line refused"

expect_reply "$D4" 9600 '\r\nsimdut login: ' '\r\n'
expect_reply "$D4" 9600 \
	'root\r\nPassword: \r\nLogin incorrect\r\nsimdut login: ' \
	'root\r' 'toor\r'
pass "login at 9600: login:, Password:, Login incorrect"

expect_reply "$D5" 57600 "" '\r\n' 'id\r' 'version\r'
pass "off: silent at its own rate too"

# ==== a reply is bounded ====

long=$(printf 'x%.0s' {1..400})
out=$(uart "$D1" 57600 "$long"'\r')
read -r n _ <<<"${out%%$'\n'*}"
((n <= 256)) || fail "a 400-byte line got a $n-byte reply"
[[ ${out#*$'\n'} == *"sh: $(printf 'x%.0s' {1..32}): not found"*"$P" ]] ||
	fail "long line reply: ${out#*$'\n'}"
pass "a 400-byte line: reply of $n bytes, command name cut at 32"

# ==== activity log, shutdown ====

for line in 'debug cmd id' 'debug cmd not-found'; do
	grep -qxF "$line" "$tmp/sim/d1.log" || fail "d1.log lacks '$line'"
done
for line in 'debug cmd version' 'debug cmd help' 'debug cmd printenv'; do
	grep -qxF "$line" "$tmp/sim/d2.log" || fail "d2.log lacks '$line'"
done
grep -qxF 'debug password refused' "$tmp/sim/d3.log" || fail "d3.log"
grep -qxF 'debug login refused' "$tmp/sim/d4.log" || fail "d4.log"
grep -q '^debug rx [0-9]*$' "$tmp/sim/d5.log" || fail "d5.log"
! grep -q toor "$tmp/sim/d4.log" || fail "a password reached the log"
pass "activity logs"

err=$("$ctl" stop "$tmp/sim" 2>&1) || fail "simdutctl stop: $err"
grep -q 'simdut: stopping: Terminated' "$tmp/sim/simdut.out" ||
	fail "no clean SIGTERM shutdown: $(cat "$tmp/sim/simdut.out")"
if grep -Eq 'Sanitizer|runtime error:|^SUMMARY:' "$tmp/sim/simdut.out"; then
	cat "$tmp/sim/simdut.out" >&2
	fail "sanitizer report from simdut"
fi
[ ! -e "$tmp/sim/d1.debug.tty" ] || fail "d1.debug.tty left behind"
pass "SIGTERM: clean exit, links removed"
echo "$name: PASS"
