#!/usr/bin/env bash
# t_simdut_smoke.sh - simdut end to end, without certbench.
#
# Starts fixtures/simdut/secure.json with HTTPS and drives unit u1 like a
# tester would: login banner, a refused and an accepted login on the pty,
# shell commands, logout; security.txt, the policy page and /api/info over
# TLS with openssl s_client; the activity logs.  Then hostile.json over
# plain HTTP: while u1 floods its console, u2 and u3 must keep answering
# HTTP promptly; silent stays silent, garbage never prompts.  Each simdut
# is stopped with SIGTERM and must leave no process and, in an ASan/UBSan
# build, no sanitizer report.
#
# Env: SIMDUT (default $BUILD/simdut, BUILD default build).  Run from
# anywhere; paths are taken from the repository top.  Exit 0 = pass.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
export SIMDUT=${SIMDUT:-${BUILD:-build}/simdut}
ctl=fixtures/simdut/simdutctl
name=t_simdut_smoke

# Opening a pty from a session leader would make it our controlling
# terminal, and its hang-up at simdut's exit would kill this script.
trap '' HUP

tmp=$(mktemp -d "${E2E_ROOT:-${TMPDIR:-/tmp}}/$name.XXXXXX")
bg_pids=()
cleanup() {
	local p
	exec 3>&- 4>&- 5>&- 2>/dev/null || true
	for p in "${bg_pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	"$ctl" stop "$tmp/secure" >/dev/null 2>&1 || true
	"$ctl" stop "$tmp/hostile" >/dev/null 2>&1 || true
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

# ---- console helpers: tests/e2e/console.sh ----

CON_DIR=$tmp
. tests/e2e/console.sh

# ---- HTTP helpers: full response (head and body) on stdout ----

https_get() { # BASE_URL PATH
	local hp=${1#https://}
	printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' \
		"$2" "$hp" |
		timeout 10 openssl s_client -quiet -connect "$hp" \
			-CAfile "$tmp/pki/web-ca.pem" -verify_return_error \
			-verify_ip 127.0.0.1 2>/dev/null
}

http_get() { # BASE_URL PATH [TIMEOUT]
	local hp=${1#http://}
	# shellcheck disable=SC2016 # the inner bash expands them
	timeout "${3:-10}" bash -c 'exec 9<>"/dev/tcp/${0%:*}/${0##*:}" &&
		printf "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n\r\n" \
			"$1" "$0" "Connection: close" >&9 && cat <&9' "$hp" "$2"
}

status_of() {
	head -n 1 | tr -d '\r' | cut -d' ' -f2
}

body_of() {
	sed '1,/^\r$/d'
}

# ---- process and sanitizer checks ----

alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != [ZX] ]]
}

# stop_and_check STATEDIR: SIGTERM via simdutctl, then prove it was clean.
stop_and_check() {
	local dir=$1 pid err p
	pid=$(cat "$dir/pid")
	err=$("$ctl" stop "$dir" 2>&1) || fail "simdutctl stop: $err"
	[[ $err != *SIGKILL* ]] || fail "simdut ignored SIGTERM: $err"
	! alive "$pid" || fail "simdut pid $pid still running after stop"
	for p in /proc/[0-9]*; do
		if tr '\0' ' ' <"$p/cmdline" 2>/dev/null |
			grep -qF -- "$dir"; then
			fail "a process still serves $dir: ${p#/proc/}"
		fi
	done
	[ ! -e "$dir/state.json" ] || fail "$dir/state.json left behind"
	[ ! -e "$dir/u1.tty" ] || fail "$dir/u1.tty left behind"
	grep -q 'simdut: stopping: Terminated' "$dir/simdut.out" ||
		fail "no clean SIGTERM shutdown: $(cat "$dir/simdut.out")"
	if grep -Eq 'Sanitizer|runtime error:|^SUMMARY:' "$dir/simdut.out"; then
		cat "$dir/simdut.out" >&2
		fail "sanitizer report in $dir/simdut.out"
	fi
}

# ==== secure.json over HTTPS ====

bash fixtures/pki.sh "$tmp/pki" >/dev/null
# The units of secure.json on the default address, which this test's
# HTTPS checks expect (the fixture gives each unit its own).
cfg=$tmp/secure.json
jq 'del(.units[].bind, .units[].brute_force, .update)' fixtures/simdut/secure.json \
	> "$cfg"
pw1=$(jq -r '.units[0].password' "$cfg")
pw2=$(jq -r '.units[1].password' "$cfg")
fw=$(jq -r '.product.firmware' "$cfg")

env_text=$("$ctl" start "$cfg" "$tmp/secure" \
	--tls-cert "$tmp/pki/simdut.pem" --tls-key "$tmp/pki/simdut.key" \
	--lifetime 120) || fail "simdutctl start secure.json"
eval "$env_text"
[[ ${SIMDUT_U1_URL:-} == https://127.0.0.1:* ]] ||
	fail "u1 URL: ${SIMDUT_U1_URL:-}"
[[ ${SIMDUT_U2_TTY:-} == /dev/pts/* ]] || fail "u2 tty: ${SIMDUT_U2_TTY:-}"
[ "$SIMDUT_STATE" = "$(cd "$tmp/secure" && pwd -P)" ] || fail "SIMDUT_STATE"
[ "$("$ctl" env "$tmp/secure")" = "$env_text" ] || fail "simdutctl env"
st=$tmp/secure/state.json
[ "$(jq .pid "$st")" = "$(cat "$tmp/secure/pid")" ] || fail "state.json pid"
[ "$(jq -r '.units[0].tty' "$st")" = "$SIMDUT_U1_TTY" ] || fail "state tty"
[ "$(jq -r '.units[0].base_url' "$st")" = "$SIMDUT_U1_URL" ] ||
	fail "state base_url"
[ "$(jq -r '.units[0].http_port' "$st")" = "${SIMDUT_U1_URL##*:}" ] ||
	fail "state http_port"
[ "$(readlink "$tmp/secure/u1.tty")" = "$SIMDUT_U1_TTY" ] || fail "u1.tty link"
if [ -s "$tmp/secure/u1.log" ] || [ -s "$tmp/secure/u2.log" ]; then
	fail "activity logs not empty before any contact"
fi
pass "start: state.json, env, links, empty logs"

con_open 3 "$SIMDUT_U1_TTY"
expect $'\r\nSimDUT SimCam 2\r\n\r\nsimdut login: '
send 3 $'\r'
expect $'\r\nsimdut login: '
send 3 $'admin\r'
expect $'admin\r\nPassword: '
t0=$(now_ms)
send 3 $'not-the-password\r\n'
expect $'\r\nLogin incorrect\r\nsimdut login: '
(($(now_ms) - t0 >= 100)) || fail "Login incorrect came without the delay"
send 3 $'admin\r'
expect 'Password: '
send 3 "$pw2"$'\r'
expect 'Login incorrect'
pass "console: wrong password and u2's password refused on u1, with delay"

expect 'simdut login: '
send 3 $'admin\r'
expect 'Password: '
send 3 "$pw1"$'\r\n'
expect $'\r\nWelcome to SimDUT SimCam 2 firmware '"$fw"$'\r\nadmin@simdut:~$ '
send 3 $'version\r'
expect $'version\r\n'"$fw"$'\r\nadmin@simdut:~$ '
send 3 $'id\r'
expect 'uid=1000(admin)'
send 3 $'serial\n'
expect $'SD2-000101\r\n'
send 3 $'echo hello  world\r'
expect $'hello world\r\n'
send 3 $'nosuchcmd\r'
expect $'sh: nosuchcmd: not found\r\nadmin@simdut:~$ '
send 3 $'exit\r'
expect $'logout\r\n\r\nSimDUT SimCam 2\r\n\r\nsimdut login: '
exec 3>&-
transcript=$(con_text)
[[ $transcript != *"$pw1"* && $transcript != *"$pw2"* &&
	$transcript != *not-the-password* ]] ||
	fail "a password was echoed on the console"
pass "console: login, shell commands, logout"

resp=$(https_get "$SIMDUT_U1_URL" /.well-known/security.txt)
[ "$(status_of <<<"$resp")" = 200 ] || fail "security.txt: $resp"
grep -qi '^Content-Type: text/plain; charset=utf-8' <<<"$resp" ||
	fail "security.txt content type"
sectxt=$(body_of <<<"$resp")
grep -qx 'Contact: mailto:security@simdut.example' <<<"$sectxt" ||
	fail "security.txt contact: $sectxt"
grep -qxF "Canonical: $SIMDUT_U1_URL/.well-known/security.txt" <<<"$sectxt" ||
	fail "security.txt canonical: $sectxt"
grep -qxF "Policy: $SIMDUT_U1_URL/security/policy.html" <<<"$sectxt" ||
	fail "security.txt policy: $sectxt"
expires=$(sed -n 's/^Expires: //p' <<<"$sectxt")
[[ $expires =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] ||
	fail "Expires not RFC 3339 UTC: $expires"
days=$((($(date -u -d "$expires" +%s) - $(date -u +%s)) / 86400))
((days >= 179 && days <= 180)) || fail "Expires $days days away, not 180"
pass "https: security.txt valid, expires in 180 days"

resp=$(https_get "$SIMDUT_U1_URL" /security/policy.html)
[ "$(status_of <<<"$resp")" = 200 ] || fail "policy.html: $resp"
grep -q 'within 5 business days' <<<"$resp" || fail "policy: no ack timeline"
grep -q 'at least every 14 days' <<<"$resp" || fail "policy: no update timeline"
resp=$(https_get "$SIMDUT_U1_URL" /api/info)
[ "$(status_of <<<"$resp")" = 200 ] || fail "/api/info: $resp"
info=$(body_of <<<"$resp")
[ "$(jq -r .model <<<"$info")" = "SimCam 2" ] || fail "/api/info: $info"
[ "$(jq -r .firmware_version <<<"$info")" = "$fw" ] || fail "/api/info: $info"
[ "$(jq -r .hardware_version <<<"$info")" = "rev B" ] || fail "/api/info: $info"
resp=$(https_get "$SIMDUT_U1_URL" /nope)
[ "$(status_of <<<"$resp")" = 404 ] || fail "/nope: $resp"
jq -e .error >/dev/null <<<"$(body_of <<<"$resp")" || fail "/nope body"
pass "https: policy, /api/info, JSON 404"

log=$tmp/secure/u1.log
for line in 'console login refused user=admin' 'console login ok user=admin' \
	'console logout' 'http GET /.well-known/security.txt 200' \
	'http GET /security/policy.html 200' 'http GET /api/info 200' \
	'http GET /nope 404'; do
	grep -qxF "$line" "$log" || fail "u1.log lacks '$line': $(cat "$log")"
done
grep -Eqx 'console rx [0-9]+' "$log" || fail "u1.log has no console rx"
! grep -qF -e "$pw1" -e "$pw2" -e not-the-password "$tmp"/secure/*.log \
	"$tmp/secure/simdut.out" || fail "a password reached a log"
[ ! -s "$tmp/secure/u2.log" ] ||
	fail "u2 was never touched, yet: $(cat "$tmp/secure/u2.log")"
pass "activity logs: events present, no passwords, untouched unit empty"

stop_and_check "$tmp/secure"
pass "secure: clean SIGTERM shutdown, no process left"

# ==== hostile.json over plain HTTP ====

env_text=$("$ctl" start fixtures/simdut/hostile.json "$tmp/hostile" \
	--lifetime 120) || fail "simdutctl start hostile.json"
eval "$env_text"
[[ $SIMDUT_U2_URL == http://127.0.0.1:* ]] || fail "u2 URL: $SIMDUT_U2_URL"

# Drain u1's flood as fast as we can while asking u2 and u3 for /api/info.
{
	timeout 4 cat "$SIMDUT_U1_TTY" 2>/dev/null |
		{ head -c 65536 >"$tmp/flood.head"; wc -c >"$tmp/flood.rest"; }
} &
bg_pids+=($!)
sleep 0.5
for _ in 1 2 3 4 5; do
	for u in "$SIMDUT_U2_URL" "$SIMDUT_U3_URL"; do
		t0=$(now_ms)
		resp=$(http_get "$u" /api/info 3) ||
			fail "no HTTP answer from $u during the flood"
		[ "$(status_of <<<"$resp")" = 200 ] ||
			fail "$u during the flood: $resp"
		ms=$(($(now_ms) - t0))
		((ms < 1000)) || fail "$u took $ms ms during the flood"
	done
done
wait "${bg_pids[-1]}" || true
flood=$(($(stat -c %s "$tmp/flood.head") + $(cat "$tmp/flood.rest")))
((flood > 65536)) || fail "flood delivered only $flood bytes"
[ "$(tr -d A <"$tmp/flood.head" | wc -c)" = 0 ] || fail "flood is not all 'A'"
# Nobody reads u1 now: its pty is full and must not stall the loop.
resp=$(http_get "$SIMDUT_U1_URL" /.well-known/security.txt 3) ||
	fail "u1 HTTP stuck behind its full console"
[ "$(status_of <<<"$resp")" = 200 ] || fail "u1 security.txt: $resp"
pass "flood: $flood bytes of 'A' while u2/u3 answered HTTP in < 1 s"

con_open 4 "$SIMDUT_U2_TTY"
send 4 $'\r\nadmin\r\n'
sleep 1
exec 4>&-
[ ! -s "$con_file" ] || fail "silent unit wrote: $(con_text | od -c | head)"
grep -Eqx 'console rx [0-9]+' "$tmp/hostile/u2.log" ||
	fail "silent unit did not log what it read"
pass "silent: reads, never writes"

timeout 2 cat "$SIMDUT_U3_TTY" >"$tmp/garbage.bin" 2>/dev/null || true
noise=$(stat -c %s "$tmp/garbage.bin")
((noise > 0)) || fail "garbage unit wrote nothing in 2 s"
! grep -aq -e 'login:' -e 'Password:' -e '\$ ' -e '# ' "$tmp/garbage.bin" ||
	fail "garbage unit printed something prompt-like"
! grep -q '^console' "$tmp/hostile/u3.log" ||
	fail "u3 logged console input nobody sent: $(cat "$tmp/hostile/u3.log")"
pass "garbage: $noise bytes of noise, no prompt"

stop_and_check "$tmp/hostile"
pass "hostile: clean SIGTERM shutdown, no process left"
echo "$name: PASS"
