#!/usr/bin/env bash
# t_simdut_auth.sh - simdut's authentication surfaces and weaknesses, end
# to end, without certbench.
#
# One simdut with six units on their own loopback addresses drives:
# config validation of the new keys; bind addresses, telnet ports, user
# and (derived, sequential) passwords in state.json and env; telnet login
# with and without a password, and the password-less pty console; the
# HTTP JSON login, Basic and Digest; a lockout shared by all surfaces and
# its recovery; fixed_delay answering parallel attempts in parallel;
# throttle holding attempts (HTTP and a pipelined telnet session) and
# judging them one at a time; passwd on the console and /api/password,
# working, broken and disabled; the activity logs.  Last, simdut is
# stopped with SIGTERM while the throttle holds a request, and must exit
# cleanly (no sanitizer report in an ASan/UBSan build).
#
# Plain HTTP over bash's /dev/tcp; no curl.  The bind addresses are in
# 127.0.0.0/8, which Linux routes to lo in any namespace: no root needed.
#
# Env: SIMDUT (default $BUILD/simdut, BUILD default build).  Run from
# anywhere; paths are taken from the repository top.  Exit 0 = pass.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
export SIMDUT=${SIMDUT:-${BUILD:-build}/simdut}
ctl=fixtures/simdut/simdutctl
name=t_simdut_auth

# Opening a pty from a session leader would make it our controlling
# terminal, and its hang-up at simdut's exit would kill this script.
trap '' HUP

tmp=$(mktemp -d "${E2E_ROOT:-${TMPDIR:-/tmp}}/$name.XXXXXX")
bg_pids=()
cleanup() {
	local p
	exec 3>&- 4>&- 5>&- 6>&- 2>/dev/null || true
	for p in "${bg_pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
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

# ---- console helpers (pty or TCP): tests/e2e/console.sh ----

CON_DIR=$tmp
. tests/e2e/console.sh

# ---- HTTP helpers: full response (head and body) on stdout ----

# http_req METHOD BASE_URL PATH [BODY [HEADER]]
http_req() {
	local hp=${2#http://} body=${4-} head
	head="$1 $3 HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n"
	[ -z "${5-}" ] || head+="$5\r\n"
	if [ -n "$body" ]; then
		head+="Content-Type: application/json\r\n"
		head+="Content-Length: ${#body}\r\n"
	fi
	head+="\r\n"
	# shellcheck disable=SC2016 # the inner bash expands them
	timeout 10 bash -c 'exec 9<>"/dev/tcp/${0%:*}/${0##*:}" &&
		printf "%b%s" "$1" "$2" >&9 && cat <&9' "$hp" "$head" "$body"
}

status_of() {
	head -n 1 | tr -d '\r' | cut -d' ' -f2
}

body_of() {
	sed '1,/^\r$/d'
}

header_of() { # NAME
	grep -i "^$1:" | head -n 1 | cut -d' ' -f2- | tr -d '\r'
}

json_login() { # USER PASSWORD
	jq -cn --arg u "$1" --arg p "$2" '{username: $u, password: $p}'
}

# login_status BASE_URL USER PASSWORD: status of POST /api/login
login_status() {
	http_req POST "$1" /api/login "$(json_login "$2" "$3")" | status_of
}

basic_status() { # BASE_URL USER PASSWORD
	local b64
	b64=$(printf '%s:%s' "$2" "$3" | base64 -w0)
	http_req GET "$1" /api/secure "" "Authorization: Basic $b64" |
		status_of
}

md5() {
	printf '%s' "$1" | md5sum | cut -c1-32
}

# digest_req BASE_URL USER PASSWORD: a challenge, then the answer to it.
digest_req() {
	local resp nonce ha1 ha2 r cnonce=0a4f113b
	resp=$(http_req GET "$1" /api/digest)
	nonce=$(header_of WWW-Authenticate <<<"$resp" |
		sed -n 's/.*nonce="\([^"]*\)".*/\1/p')
	[ -n "$nonce" ] || fail "no Digest nonce: $resp"
	ha1=$(md5 "$2:simdut:$3")
	ha2=$(md5 "GET:/api/digest")
	r=$(md5 "$ha1:$nonce:00000001:$cnonce:auth:$ha2")
	http_req GET "$1" /api/digest "" "Authorization: Digest \
username=\"$2\", realm=\"simdut\", nonce=\"$nonce\", uri=\"/api/digest\", \
algorithm=MD5, qop=auth, nc=00000001, cnonce=\"$cnonce\", response=\"$r\""
}

# ---- process and sanitizer checks ----

alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != [ZX] ]]
}

no_sanitizer_report() { # FILE
	if grep -Eq 'Sanitizer|runtime error:|^SUMMARY:' "$1"; then
		cat "$1" >&2
		fail "sanitizer report in $1"
	fi
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
bad_config '.units[0].bind = "10.0.0.1"' \
	'units[0].bind: expected an IPv4 address in 127.0.0.0/8'
bad_config '.units[0].bind = 127' 'units[0].bind: expected a string'
bad_config '.units[0].telnet = {"auth": "maybe"}' 'units[0].telnet.auth:'
bad_config '.units[0].telnet = {"prot": 23}' \
	'units[0].telnet.prot: unknown key'
bad_config '.units[0].console_auth = "off"' 'units[0].console_auth:'
bad_config '.units[0].http_login = 1' \
	'units[0].http_login: expected true or false'
bad_config '.units[0].brute_force = {"mode": "lockout", "tries": 3}' \
	'units[0].brute_force.tries: unknown key'
bad_config '.units[0].brute_force = {"growth": "2"}' \
	'units[0].brute_force.growth: expected a number'
bad_config '.units[0].brute_force = {"growth": 0.5}' \
	'units[0].brute_force.growth: must be 1 to 100'
bad_config '.units[0].password = {"derive": "mac_first6"}' \
	'units[0].password.derive: expected one of'
bad_config '.units[0].password = {"derive": "mac_last6", "widht": 3}' \
	'units[0].password.widht: unknown key'
bad_config '.units[0].password = {"derive": "sequential", "width": 0}' \
	'units[0].password.width: must be 1 to 20'
bad_config '.units[0].password = {"prefix": "x"}' \
	'units[0].password.derive: missing'
bad_config '.units[0].password_change = "yes"' 'units[0].password_change:'
bad_config '.units += [{"id": "w", "user": "a", "password": "y",
	"http_port": 41999, "telnet": {"port": 41999}}]' \
	'units[1].telnet.port: same as http_port'
pass "config: new keys strictly validated, errors name the key"

# ==== start ====

jq -n '{
  product: {model: "SimAuth"},
  login_fail_delay_ms: 20,
  units: [
    {id: "a1", user: "admin", password: "Tq7-auth-01", bind: "127.0.0.11",
     telnet: {port: 0}, http_login: true, http_basic: true,
     http_digest: true},
    {id: "a2", user: "root",
     password: {derive: "mac_last6", prefix: "ignored", width: 9},
     mac: "02:5D:00:AB:CD:EF", bind: "127.0.0.12",
     telnet: {auth: "none"}, console_auth: "none",
     password_change: "broken", http_login: true},
    {id: "a3", user: "admin", password: {derive: "sequential"},
     bind: "127.0.0.13", telnet: {}, http_login: true, http_basic: true,
     brute_force: {mode: "lockout", lockout_after: 3, recovery_s: 2}},
    {id: "a4", user: "admin", password: {derive: "sequential"},
     bind: "127.0.0.14", http_login: true,
     brute_force: {mode: "fixed_delay", delay_ms: 400}},
    {id: "a5", user: "admin", password: {derive: "md5_serial_8"},
     serial: "SN-0005", bind: "127.0.0.15", telnet: {}, http_login: true,
     brute_force: {mode: "throttle", delay_ms: 300, growth: 2,
                   max_delay_ms: 600}},
    {id: "a6", user: "admin", password: "a6-Pw-77", bind: "127.0.0.16",
     telnet: {auth: "none"}, password_change: "disabled"}
  ]}' >"$tmp/auth.json"

env_text=$("$ctl" start "$tmp/auth.json" "$tmp/sim" --lifetime 120) ||
	fail "simdutctl start"
eval "$env_text"
st=$tmp/sim/state.json
for i in 1 2 3 4 5 6; do
	host=SIMDUT_A${i}_HOST
	url=SIMDUT_A${i}_URL
	[ "${!host}" = "127.0.0.1$i" ] || fail "a$i host: ${!host}"
	[[ ${!url} == "http://127.0.0.1$i:"* ]] || fail "a$i URL: ${!url}"
	[ "$(jq -r ".units[$((i - 1))].host" "$st")" = "${!host}" ] ||
		fail "a$i state host"
done
[ "$(jq -r '.units[0].telnet_port' "$st")" = "$SIMDUT_A1_TELNET" ] ||
	fail "state telnet_port"
[ "$(jq -r '.units[3].telnet_port' "$st")" = null ] ||
	fail "a4 has no telnet, yet a telnet_port"
[[ $env_text != *SIMDUT_A4_TELNET* ]] ||
	fail "a4 has no telnet, yet env has one"
[ "$SIMDUT_A1_USER" = admin ] || fail "a1 user in env: $SIMDUT_A1_USER"
[ "$SIMDUT_A2_USER" = root ] || fail "a2 user in env: $SIMDUT_A2_USER"
[ "$SIMDUT_A1_PASSWORD" = Tq7-auth-01 ] || fail "a1 password in env"
[ "$SIMDUT_A2_PASSWORD" = abcdef ] || fail "mac_last6: $SIMDUT_A2_PASSWORD"
[ "$SIMDUT_A3_PASSWORD" = pass0001 ] || fail "sequential: $SIMDUT_A3_PASSWORD"
[ "$SIMDUT_A4_PASSWORD" = pass0002 ] || fail "sequential: $SIMDUT_A4_PASSWORD"
[ "$SIMDUT_A5_PASSWORD" = "$(md5 SN-0005 | cut -c1-8)" ] ||
	fail "md5_serial_8: $SIMDUT_A5_PASSWORD"
# The bind address is the only one: a1's port is closed on 127.0.0.1.
a1_port=${SIMDUT_A1_URL##*:}
! timeout 2 bash -c "exec 9<>/dev/tcp/127.0.0.1/$a1_port" 2>/dev/null ||
	fail "a1 also listens on 127.0.0.1:$a1_port"
pass "start: hosts, telnet ports, users, derived/sequential passwords"

# ==== telnet ====

tcp_open 3 "$SIMDUT_A1_HOST" "$SIMDUT_A1_TELNET"
expect $'\r\nSimDUT SimAuth\r\n\r\nsimdut login: '
send 3 $'admin\r'
expect $'admin\r\nPassword: '
send 3 $'wrong-one\r\n'
expect $'\r\nLogin incorrect\r\nsimdut login: '
send 3 $'admin\r'
expect 'Password: '
send 3 "$SIMDUT_A1_PASSWORD"$'\r'
expect $'\r\nWelcome to SimDUT SimAuth firmware 1.0.0\r\nadmin@simdut:~$ '
send 3 $'id\r'
expect $'uid=1000(admin) gid=1000(admin)\r\nadmin@simdut:~$ '
send 3 $'exit\r'
expect $'logout\r\n'
expect_eof
con_close 3
[[ $(con_text) != *wrong-one* && $(con_text) != *"$SIMDUT_A1_PASSWORD"* ]] ||
	fail "telnet echoed a password"
pass "telnet: refused and accepted login, shell, logout closes"

tcp_open 3 "$SIMDUT_A2_HOST" "$SIMDUT_A2_TELNET"
expect $'\r\nSimDUT SimAuth\r\n\r\nroot@simdut:~# '
send 3 $'id\r'
expect $'uid=0(root) gid=0(root)\r\nroot@simdut:~# '
send 3 $'exit\r'
expect_eof
con_close 3
pass "telnet auth none: root shell at once"

# Many sessions at once, each its own dialogue.
for fd in 3 4 5 6; do
	eval "exec $fd<>/dev/tcp/$SIMDUT_A1_HOST/$SIMDUT_A1_TELNET"
done
for fd in 3 4 5 6; do
	send $fd $'admin\r'"$SIMDUT_A1_PASSWORD"$'\recho s'$fd$'\rexit\r'
done
for fd in 3 4 5 6; do
	out=$(timeout 5 cat <&$fd) || fail "telnet session $fd did not end"
	[[ $out == *$'\r\ns'$fd$'\r\n'* ]] || fail "session $fd: $out"
	eval "exec $fd>&-"
done
pass "telnet: four concurrent sessions"

# ==== pty console without authentication ====

con_open 4 "$SIMDUT_A2_TTY"
send 4 $'\r'
expect 'root@simdut:~# '
send 4 $'exit\r'
expect $'logout\r\n\r\nSimDUT SimAuth\r\n\r\nroot@simdut:~# '
con_close 4
pass "console_auth none: root shell, and again after exit"

# ==== HTTP login, Basic, Digest ====

u=$SIMDUT_A1_URL
resp=$(http_req POST "$u" /api/login "$(json_login admin Tq7-auth-01)")
[ "$(status_of <<<"$resp")" = 200 ] || fail "/api/login: $resp"
[ "$(body_of <<<"$resp" | jq -r .result)" = ok ] || fail "login body: $resp"
body_of <<<"$resp" | jq -er '.token | test("^[0-9a-f]{32}$")' >/dev/null ||
	fail "login token: $resp"
resp=$(http_req POST "$u" /api/login "$(json_login admin nope)")
[ "$(status_of <<<"$resp")" = 401 ] || fail "bad login: $resp"
[ "$(body_of <<<"$resp" | jq -c .)" = '{"result":"denied"}' ] ||
	fail "bad login body: $resp"
resp=$(http_req POST "$u" /api/login '{"username": "admin"')
[ "$(status_of <<<"$resp")" = 400 ] || fail "malformed login: $resp"
[ "$(body_of <<<"$resp" | jq -r .result)" = "bad request" ] ||
	fail "malformed body: $resp"
[ "$(http_req POST "$u" /api/login '{"username": 1, "password": "x"}' |
	status_of)" = 400 ] || fail "non-string user name accepted"
resp=$(http_req GET "$u" /api/login)
[ "$(status_of <<<"$resp")" = 405 ] || fail "GET /api/login: $resp"
[ "$(header_of Allow <<<"$resp")" = POST ] || fail "Allow: $resp"
[ "$(http_req POST "$SIMDUT_A6_URL" /api/login "$(json_login a b)" |
	status_of)" = 404 ] || fail "a6 has no http_login"
pass "http: JSON login ok, denied, bad request, 405, 404 when off"

resp=$(http_req GET "$u" /api/secure)
[ "$(status_of <<<"$resp")" = 401 ] || fail "Basic without creds: $resp"
[ "$(header_of WWW-Authenticate <<<"$resp")" = 'Basic realm="simdut"' ] ||
	fail "Basic challenge: $resp"
[ "$(basic_status "$u" admin Tq7-auth-01)" = 200 ] || fail "Basic ok"
[ "$(basic_status "$u" admin Tq7-auth-02)" = 401 ] || fail "Basic wrong"
resp=$(http_req GET "$u" /api/digest)
[ "$(status_of <<<"$resp")" = 401 ] || fail "Digest without creds: $resp"
[[ $(header_of WWW-Authenticate <<<"$resp") == 'Digest realm="simdut"'* ]] ||
	fail "Digest challenge: $resp"
resp=$(digest_req "$u" admin Tq7-auth-01)
[ "$(status_of <<<"$resp")" = 200 ] || fail "Digest ok: $resp"
resp=$(digest_req "$u" admin Tq7-auth-02)
[ "$(status_of <<<"$resp")" = 401 ] || fail "Digest wrong: $resp"
[[ $(header_of WWW-Authenticate <<<"$resp") == Digest* ]] ||
	fail "Digest refusal without a new challenge: $resp"
pass "http: Basic and Digest, challenge, accept, refuse"

# ==== lockout, shared by every surface ====

u=$SIMDUT_A3_URL
pw=$SIMDUT_A3_PASSWORD
[ "$(login_status "$u" admin bad-1)" = 401 ] || fail "lockout: 1st"
[ "$(basic_status "$u" admin bad-2)" = 401 ] || fail "lockout: 2nd"
tcp_open 5 "$SIMDUT_A3_HOST" "$SIMDUT_A3_TELNET"
expect 'simdut login: '
send 5 $'admin\rbad-3\r'
expect $'\r\nLogin incorrect\r\nsimdut login: '
t_locked=$(now_ms)
[ "$(login_status "$u" admin "$pw")" = 423 ] || fail "not locked (JSON)"
resp=$(http_req POST "$u" /api/login "$(json_login admin "$pw")")
[ "$(body_of <<<"$resp" | jq -r .result)" = locked ] ||
	fail "locked body: $resp"
[ "$(basic_status "$u" admin "$pw")" = 403 ] || fail "not locked (Basic)"
send 5 "admin"$'\r'"$pw"$'\r'
expect $'\r\nAccount locked\r\nsimdut login: '
# recovery_s is 2: wait it out from the third failure.
while (($(now_ms) - t_locked < 2100)); do sleep 0.1; done
[ "$(login_status "$u" admin "$pw")" = 200 ] || fail "no recovery"
send 5 "admin"$'\r'"$pw"$'\r'
expect 'admin@simdut:~$ '
con_close 5
log=$tmp/sim/a3.log
for line in 'http-login login refused user=admin' \
	'http-basic login refused user=admin' \
	'telnet login refused user=admin' 'http-login login locked user=admin' \
	'http-basic login locked user=admin' 'telnet login locked user=admin' \
	'http-login login ok user=admin' 'telnet login ok user=admin'; do
	grep -qxF "$line" "$log" || fail "a3.log lacks '$line': $(cat "$log")"
done
pass "lockout: 3 failures over 3 surfaces lock all, recovery after 2 s"

# ==== fixed_delay: parallel attempts wait in parallel ====

u=$SIMDUT_A4_URL
t0=$(now_ms)
pids=()
for i in 1 2 3 4 5 6 7 8; do
	{
		s=$(now_ms)
		c=$(login_status "$u" admin "wrong-$i")
		echo "$c $(($(now_ms) - s))" >"$tmp/fd.$i"
	} &
	pids+=($!)
done
wait "${pids[@]}"
total=$(($(now_ms) - t0))
for i in 1 2 3 4 5 6 7 8; do
	read -r c ms <"$tmp/fd.$i"
	[ "$c" = 401 ] || fail "fixed_delay attempt $i: $c"
	((ms >= 380)) || fail "fixed_delay attempt $i answered in $ms ms"
done
((total < 1500)) || fail "8 parallel attempts took $total ms: serialised?"
t0=$(now_ms)
[ "$(login_status "$u" admin "$SIMDUT_A4_PASSWORD")" = 200 ] ||
	fail "fixed_delay: right password"
(($(now_ms) - t0 < 300)) || fail "fixed_delay delayed a success"
pass "fixed_delay: 8 parallel refusals in $total ms, each >= 400 ms"

# ==== throttle: held, judged one at a time ====

u=$SIMDUT_A5_URL
pw=$SIMDUT_A5_PASSWORD
t0=$(now_ms)
pids=()
for i in 1 2 3; do
	{
		c=$(login_status "$u" admin "wrong-$i")
		echo "$c $(($(now_ms) - t0))" >"$tmp/th.$i"
	} &
	pids+=($!)
	sleep 0.05
done
{
	c=$(login_status "$u" admin "$pw")
	echo "$c $(($(now_ms) - t0))" >"$tmp/th.4"
} &
pids+=($!)
wait "${pids[@]}"
prev=-1000
for i in 1 2 3 4; do
	read -r c ms <"$tmp/th.$i"
	want=401
	[ "$i" != 4 ] || want=200
	[ "$c" = "$want" ] || fail "throttle attempt $i: $c, want $want"
	# Gaps of 300, 600 (growth 2) and 600 (max_delay_ms).
	((ms - prev >= 250)) ||
		fail "throttle attempt $i at $ms ms, previous at $prev"
	prev=$ms
done
((prev >= 1400)) || fail "throttle: the right password came at $prev ms"
pass "throttle: 3 held refusals then the right one, last at $prev ms"

# A console session typing ahead is held the same way.
tcp_open 6 "$SIMDUT_A5_HOST" "$SIMDUT_A5_TELNET"
expect 'simdut login: '
send 6 $'admin\rwrong-x\radmin\r'"$pw"$'\rid\r'
expect $'\r\nLogin incorrect\r\n'
t0=$(now_ms)
expect 'uid=1000(admin)'
(($(now_ms) - t0 >= 200)) || fail "telnet: next attempt was not held"
con_close 6
pass "throttle: a typed-ahead telnet login held, then accepted"

# ==== password change ====

# On a1's pty console: refusals, then a change valid everywhere.
new=N3w-pass-a1
pwerr='passwd: Authentication token manipulation error'
con_open 4 "$SIMDUT_A1_TTY"
send 4 $'\r'
expect 'simdut login: '
send 4 $'admin\r'"$SIMDUT_A1_PASSWORD"$'\r'
expect 'admin@simdut:~$ '
send 4 $'passwd\r'
expect $'passwd\r\nCurrent password: '
send 4 $'not-it\r'
expect $'\r\n'"$pwerr"$'\r\nadmin@simdut:~$ '
send 4 $'passwd\r'
expect 'Current password: '
send 4 "$SIMDUT_A1_PASSWORD"$'\r'
expect $'\r\nNew password: '
send 4 "$new"$'\r'
expect $'\r\nRetype new password: '
send 4 $'mismatch\r'
expect $'\r\n'"$pwerr"$'\r\nadmin@simdut:~$ '
send 4 $'passwd\r'"$SIMDUT_A1_PASSWORD"$'\r'"$new"$'\r'"$new"$'\r'
expect $'\r\npasswd: password updated successfully\r\nadmin@simdut:~$ '
send 4 $'exit\r'
expect 'simdut login: '
con_close 4
[[ $(con_text) != *"$new"* ]] || fail "passwd echoed the new password"
u=$SIMDUT_A1_URL
[ "$(login_status "$u" admin "$new")" = 200 ] || fail "new password refused"
[ "$(login_status "$u" admin "$SIMDUT_A1_PASSWORD")" = 401 ] ||
	fail "old password still works after passwd"
[ "$(basic_status "$u" admin "$new")" = 200 ] || fail "new password (Basic)"
pass "passwd: wrong current, mismatch, change applied to every surface"

pwbody() { # USER OLD NEW
	jq -cn --arg u "$1" --arg o "$2" --arg n "$3" \
		'{username: $u, old_password: $o, new_password: $n}'
}
resp=$(http_req POST "$u" /api/password "$(pwbody admin wrong x)")
[ "$(status_of <<<"$resp")" = 403 ] || fail "/api/password wrong old: $resp"
[ "$(body_of <<<"$resp" | jq -r .result)" = denied ] || fail "$resp"
resp=$(http_req POST "$u" /api/password \
	"$(pwbody admin "$new" "$SIMDUT_A1_PASSWORD")")
[ "$(status_of <<<"$resp")" = 200 ] || fail "/api/password: $resp"
[ "$(body_of <<<"$resp" | jq -r .result)" = ok ] || fail "$resp"
tcp_open 3 "$SIMDUT_A1_HOST" "$SIMDUT_A1_TELNET"
expect 'simdut login: '
send 3 $'admin\r'"$SIMDUT_A1_PASSWORD"$'\r'
expect 'admin@simdut:~$ '
con_close 3
[ "$(login_status "$u" admin "$new")" = 401 ] || fail "changed-away pw works"
pass "/api/password: wrong old 403, change back applied to telnet"

# a2 is "broken": both ways report success, nothing changes.
con_open 4 "$SIMDUT_A2_TTY"
send 4 $'\r'
expect 'root@simdut:~# '
send 4 $'passwd\r'"$SIMDUT_A2_PASSWORD"$'\rBr0ken-new\rBr0ken-new\r'
expect $'passwd: password updated successfully\r\nroot@simdut:~# '
con_close 4
u=$SIMDUT_A2_URL
[ "$(login_status "$u" root Br0ken-new)" = 401 ] ||
	fail "broken: the new password works"
[ "$(login_status "$u" root "$SIMDUT_A2_PASSWORD")" = 200 ] ||
	fail "broken: the old password stopped working"
resp=$(http_req POST "$u" /api/password \
	"$(pwbody root "$SIMDUT_A2_PASSWORD" Br0ken-2)")
[ "$(status_of <<<"$resp")" = 200 ] || fail "broken /api/password: $resp"
[ "$(login_status "$u" root Br0ken-2)" = 401 ] ||
	fail "broken: the API's new password works"
[ "$(login_status "$u" root "$SIMDUT_A2_PASSWORD")" = 200 ] ||
	fail "broken: old password lost after the API"
pass "password_change broken: success reported, password unchanged"

# a6 has no password change at all.
tcp_open 3 "$SIMDUT_A6_HOST" "$SIMDUT_A6_TELNET"
expect 'root@simdut:~# '
send 3 $'passwd\r'
expect $'sh: passwd: not found\r\nroot@simdut:~# '
con_close 3
[ "$(http_req POST "$SIMDUT_A6_URL" /api/password \
	"$(pwbody admin a6-Pw-77 x)" | status_of)" = 404 ] ||
	fail "disabled /api/password is not 404"
pass "password_change disabled: no passwd, /api/password 404"

# ==== logs ====

for line in 'telnet connect' 'telnet login refused user=admin' \
	'telnet login ok user=admin' 'telnet logout' 'telnet close' \
	'http-login login ok user=admin' 'http-login login refused user=admin' \
	'http-basic login ok user=admin' 'http-digest login ok user=admin' \
	'http-digest login refused user=admin' 'console passwd refused' \
	'console passwd ok' 'http passwd refused' 'http passwd ok' \
	'http POST /api/login 200' 'http GET /api/digest 401'; do
	grep -qxF "$line" "$tmp/sim/a1.log" ||
		fail "a1.log lacks '$line': $(cat "$tmp/sim/a1.log")"
done
grep -qxF 'console passwd ok (not applied)' "$tmp/sim/a2.log" ||
	fail "a2.log: $(cat "$tmp/sim/a2.log")"
! grep -rqF -e Tq7-auth-01 -e "$new" -e Br0ken -e "$SIMDUT_A2_PASSWORD" \
	-e wrong-one -e bad-3 -e "$SIMDUT_A5_PASSWORD" \
	"$tmp"/sim/*.log "$tmp/sim/simdut.out" ||
	fail "a password reached a log"
pass "activity logs: every surface and outcome, no passwords"

# ==== SIGTERM while the throttle holds a request ====

u=$SIMDUT_A5_URL
[ "$(login_status "$u" admin wrong-y)" = 401 ] || fail "throttle refusal"
(login_status "$u" admin wrong-z >/dev/null 2>&1 || true) &
bg_pids+=($!)
sleep 0.1
pid=$(cat "$tmp/sim/pid")
err=$("$ctl" stop "$tmp/sim" 2>&1) || fail "simdutctl stop: $err"
[[ $err != *SIGKILL* ]] || fail "simdut ignored SIGTERM: $err"
! alive "$pid" || fail "simdut pid $pid still running after stop"
grep -q 'simdut: stopping: Terminated' "$tmp/sim/simdut.out" ||
	fail "no clean SIGTERM shutdown: $(cat "$tmp/sim/simdut.out")"
no_sanitizer_report "$tmp/sim/simdut.out"
pass "SIGTERM with a held HTTP request: clean exit"
echo "$name: PASS"
