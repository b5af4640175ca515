#!/usr/bin/env bash
# t_simdut_surface.sh - simdut's attack surface switches, end to end,
# without certbench.
#
# TLS of the HTTPS API (tls.versions, tls.ciphers, tls.certificate)
# checked with openssl s_client: which protocol versions and cipher
# families complete a handshake, and which certificate is served.
# Undocumented services (extra_ports: telnet, debug, silent, flood) over
# bash's /dev/tcp; information leaks (leaks) in headers, /api/info and
# the telnet banner; /api/config under each config_auth, with a viewer
# account; input_robustness strict, crash and hang, and /api/health.
# Every simdut is stopped with SIGTERM and must leave no sanitizer report.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

# Opening a pty from a session leader would make it our controlling
# terminal, and its hang-up at simdut's exit would kill this script.
trap '' HUP
export LC_ALL=C		# ${#var} counts bytes
ctl=fixtures/simdut/simdutctl
CA=$PKI/web-ca.pem

BG=()
SIM_STATE=""
t_cleanup() {
	local rc=$? p
	if [ "$rc" != 0 ] && [ -n "$SIM_STATE" ]; then
		echo "-- simdut output and u1 log:" >&2
		cat "$SIM_STATE/simdut.out" "$SIM_STATE/u1.log" >&2 \
			2>/dev/null || true
	fi
	exec 3>&- 4>&- 2>/dev/null || true
	for p in "${BG[@]+"${BG[@]}"}"; do
		kill "$p" 2>/dev/null || true
	done
	e2e_cleanup
}
trap t_cleanup EXIT

# A one-unit copy of secure.json without update, bound to 127.0.0.1.
cfg() { # JQFILTER -> path
	sim_config fixtures/simdut/secure.json \
		"del(.update, .tls, .units[1], .units[0].bind, .units[0].brute_force)
		 | $1"
}

start() { # CONFIG
	sim_start "$1"
	U1=$SIMDUT_U1_URL
	HP=${U1#https://}
	AUTH1=$SIMDUT_U1_USER:$SIMDUT_U1_PASSWORD
}

stop() {
	sim_stop
	grep -q 'simdut: stopping: Terminated' "$SIM_STATE/simdut.out" ||
		fail "no clean SIGTERM shutdown: $(cat "$SIM_STATE/simdut.out")"
	if grep -Eq 'Sanitizer|runtime error' "$SIM_STATE/simdut.out"; then
		cat "$SIM_STATE/simdut.out" >&2
		fail "sanitizer report from simdut"
	fi
}

# ---- TLS ----

# hs ARGS...: a handshake with openssl s_client against HP; prints
# "PROTOCOL CIPHER" when it completed, nothing when refused.
hs() {
	timeout 10 openssl s_client -connect "$HP" -CAfile "$CA" "$@" \
		</dev/null 2>/dev/null |
		awk '/^New, / { sub(",", "", $2); n = $2; c = $NF }
		     /^ *Protocol *:/ { p = $3 }
		     END { if (c != "" && c != "(NONE)") print p ? p : n, c }'
}

# verify_of ARGS...: s_client's verification result line.
verify_of() {
	timeout 10 openssl s_client -connect "$HP" -CAfile "$CA" "$@" \
		</dev/null 2>/dev/null | sed -n 's/^ *Verify return code: //p'
}

LOW='DEFAULT:@SECLEVEL=0'
pass() { echo "ok - $*"; }

# Absent "tls": libmicrohttpd's and GnuTLS's defaults, as before.
start "$(cfg .)"
[ -n "$(hs -tls1 -cipher "$LOW")" ] || fail "no tls: TLS 1.0 refused"
[ -n "$(hs -tls1_3)" ] || fail "no tls: TLS 1.3 refused"
stop
pass "tls absent: library defaults (1.0 to 1.3)"

start "$(cfg '.tls = {}')"
[ -z "$(hs -tls1 -cipher "$LOW")" ] || fail "tls {}: TLS 1.0 accepted"
[ -z "$(hs -tls1_1 -cipher "$LOW")" ] || fail "tls {}: TLS 1.1 accepted"
r=$(hs -tls1_2)
[[ $r == "TLSv1.2 "*GCM* || $r == "TLSv1.2 "*CHACHA* ]] ||
	fail "tls {}: TLS 1.2: '$r'"
[[ $(hs -tls1_3) == "TLSv1.3 "* ]] || fail "tls {}: TLS 1.3 refused"
[ -z "$(hs -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0')" ] ||
	fail "tls {}: CBC accepted"
[ "$(verify_of -tls1_3 -verify_ip 127.0.0.1)" = "0 (ok)" ] ||
	fail "tls {}: certificate does not verify"
stop
pass "tls {}: 1.2 and 1.3 only, AEAD only, the CA's certificate"

start "$(cfg '.tls = {"versions": ["1.0", "1.1", "1.2"], "ciphers": "legacy"}')"
[[ $(hs -tls1 -cipher "$LOW") == "TLSv1 "* ]] || fail "legacy: TLS 1.0 refused"
[[ $(hs -tls1_1 -cipher "$LOW") == "TLSv1.1 "* ]] ||
	fail "legacy: TLS 1.1 refused"
[ -z "$(hs -tls1_3)" ] || fail "legacy: TLS 1.3 accepted though not listed"
[ "$(hs -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0')" = \
	"TLSv1.2 ECDHE-ECDSA-AES128-SHA" ] || fail "legacy: CBC-SHA1 refused"
[ -z "$(hs -tls1_2 -cipher 'ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0')" ] ||
	fail "legacy: NULL cipher accepted"
stop
pass "tls legacy: 1.0 and 1.1 accepted, 1.3 refused, CBC-SHA1, no NULL"

start "$(cfg '.tls = {"versions": ["1.2"], "ciphers": "weak"}')"
[ "$(hs -tls1_2 -cipher 'ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0')" = \
	"TLSv1.2 ECDHE-ECDSA-NULL-SHA" ] || fail "weak: NULL cipher refused"
[ -z "$(hs -tls1_3)" ] || fail "weak: TLS 1.3 accepted"
stop
pass "tls weak: NULL encryption accepted"

for c in self-signed expired rsa1024; do
	start "$(cfg ".tls = {\"certificate\": \"$c\"}")"
	pem=$(timeout 10 openssl s_client -connect "$HP" -cipher "$LOW" \
		</dev/null 2>/dev/null | openssl x509 2>/dev/null) ||
		fail "$c: no certificate"
	txt=$(openssl x509 -noout -text <<<"$pem")
	grep -q 'IP Address:127.0.0.1' <<<"$txt" || fail "$c: no IP SAN"
	v=$(verify_of -cipher "$LOW" -verify_ip 127.0.0.1)
	case $c in
	self-signed)
		[[ $v == "18 (self-signed certificate)"* ]] ||
			fail "$c: verify '$v'"
		grep -q 'ASN1 OID: prime256v1' <<<"$txt" || fail "$c: not P-256"
		openssl x509 -noout -checkend 86400 <<<"$pem" >/dev/null ||
			fail "$c: expires within a day"
		;;
	expired)
		! openssl x509 -noout -checkend 0 <<<"$pem" >/dev/null ||
			fail "$c: not expired"
		end=$(date -d "$(openssl x509 -noout -enddate <<<"$pem" |
			cut -d= -f2)" +%s)
		days=$((($(date +%s) - end) / 86400))
		[ "$days" = 30 ] || fail "$c: ended $days days ago, not 30"
		;;
	rsa1024)
		grep -q 'Public-Key: (1024 bit)' <<<"$txt" || fail "$c: key size"
		# A default client (security level 2) refuses the key.
		v=$(verify_of -tls1_2)
		[[ $v == "66 (EE certificate key too weak)" ]] ||
			fail "$c: verify at level 2: $v"
		[ -n "$(hs -tls1_2 -cipher "$LOW")" ] ||
			fail "$c: refused even at SECLEVEL 0"
		;;
	esac
	stop
	pass "tls certificate $c"
done

# ---- extra ports ----

# tcp_talk PORT INPUT SECONDS: what the unit's PORT says within SECONDS
# after INPUT was sent (the connection stays open until then).
tcp_talk() {
	# shellcheck disable=SC2016 # the inner bash expands them
	timeout "$3" bash -c 'exec 9<>"/dev/tcp/127.0.0.1/$0" || exit 1
		printf "%b" "$1" >&9; cat <&9' "$1" "$2" 2>/dev/null || true
}

start "$(cfg '.units[0].extra_ports = [
	{"port": 2323, "kind": "telnet"}, {"port": 4444, "kind": "debug"},
	{"port": 0, "kind": "silent"}, {"port": 9999, "kind": "flood"}]')"
st=$SIM_STATE/state.json
[ "$(jq -c '[.units[0].extra_ports[] | .kind]' "$st")" = \
	'["telnet","debug","silent","flood"]' ] || fail "state.json extra_ports"
silent=$(jq '.units[0].extra_ports[2].port' "$st")
((silent > 0)) || fail "silent port $silent"
out=$(tcp_talk 2323 "admin\r$SIMDUT_U1_PASSWORD\rid\rexit\r" 3)
[[ $out == *$'simdut login: '* && $out == *'uid=1000(admin)'* &&
	$out == *$'logout\r' ]] || fail "extra telnet: $(printf %q "$out")"
out=$(tcp_talk 4444 'cat /etc/shadow\r\nreboot\n' 2)
[ "$out" = $'simdut debug service v0.3 (build 2024-05-01) ready\r\n# sh: cat /etc/shadow: ok\r\n# sh: reboot: ok\r\n# ' ] ||
	fail "debug: $(printf %q "$out")"
out=$(tcp_talk "$silent" 'hello\r\n' 2 | wc -c)
[ "$out" = 0 ] || fail "silent port wrote $out bytes"
n=$(tcp_talk 9999 '' 2 | head -c 1000000 | tr -d A | wc -c)
m=$(tcp_talk 9999 '' 2 | head -c 1000000 | wc -c)
[ "$n" = 0 ] && ((m == 1000000)) || fail "flood: $m bytes, $n not A"
log=$SIM_STATE/u1.log
for l in 'extra-telnet connect' 'extra-telnet login ok user=admin' \
	'extra debug connect port=4444' 'extra debug cmd port=4444' \
	"extra silent connect port=$silent" 'extra flood connect port=9999'; do
	grep -qxF "$l" "$log" || fail "u1.log lacks '$l'"
done
! grep -q shadow "$log" || fail "a debug command reached the log"
stop
pass "extra ports: telnet, debug, silent, flood"

# ---- information leaks ----

# code_of CURLARGS...: the HTTP status of a request to U1.
code_of() {
	curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" -m 10 "$@"
}

start "$(cfg .)"
h=$(curl -s -D - -o /dev/null --cacert "$CA" "$U1/api/info")
! grep -qi -e '^Server:' -e '^X-Serial:' <<<"$h" || fail "no leaks: $h"
[ "$(curl -s --cacert "$CA" "$U1/api/info" | jq -c 'keys')" = \
	'["firmware_version","hardware_version","model"]' ] ||
	fail "no leaks: /api/info keys"
[ "$(curl -s --cacert "$CA" "$U1/api/health")" = '{"status":"ok"}' ] ||
	fail "/api/health"
stop
pass "leaks off: no Server, no X-Serial, /api/info as before; /api/health"

start "$(cfg '.units[0].leaks = true | .units[0].telnet = {}')"
h=$(curl -s -D - -o /dev/null --cacert "$CA" "$U1/api/info" | tr -d '\r')
grep -qx 'Server: SimDUT-httpd/2.4.1 (Linux 4.9.88; build 0x5f3a)' <<<"$h" ||
	fail "leaks: Server: $h"
grep -qx 'X-Serial: SD2-000101' <<<"$h" || fail "leaks: X-Serial: $h"
info=$(curl -s --cacert "$CA" "$U1/api/info")
[ "$(jq -r '[.serial, .kernel, .internal_ip] | join(" ")' <<<"$info")" = \
	"SD2-000101 4.9.88 10.0.3.7" ] || fail "leaks: /api/info $info"
out=$(tcp_talk "$SIMDUT_U1_TELNET" '' 1)
[[ $out == $'\r\nSimDUT SimCam 2 firmware 1.4.2 serial SD2-000101 (kernel 4.9.88, 10.0.3.7)\r\n\r\nsimdut login: ' ]] ||
	fail "leaks: banner $(printf %q "$out")"
stop
pass "leaks: Server, X-Serial, /api/info, console banner"

# ---- /api/config ----

start "$(cfg '.units[0].viewer_password = "view-only-1"')"
[ "$(code_of "$U1/api/config")" = 401 ] || fail "config: no credentials"
[ "$(code_of -u admin:wrong "$U1/api/config")" = 401 ] ||
	fail "config: wrong password"
[ "$(code_of -u viewer:view-only-1 "$U1/api/config")" = 403 ] ||
	fail "config: viewer not 403"
[ "$(code_of -u viewer:nope "$U1/api/config")" = 401 ] ||
	fail "config: wrong viewer password"
c=$(curl -s --cacert "$CA" -u "$AUTH1" "$U1/api/config")
[ "$c" = '{"ntp":"pool.ntp.org","wifi_ssid":"SimDUT-Setup","remote_access":false}' ] ||
	fail "config: $c"
c=$(curl -s --cacert "$CA" -u "$AUTH1" -d '{"remote_access": true}' \
	"$U1/api/config")
[ "$(jq .remote_access <<<"$c")" = true ] || fail "config POST: $c"
[ "$(code_of -u "$AUTH1" -d '{"remote_access": 1}' "$U1/api/config")" = \
	400 ] || fail "config POST: bad type accepted"
[ "$(code_of -u "$AUTH1" -d '{oops' "$U1/api/config")" = 400 ] ||
	fail "config POST: bad JSON accepted"
long=$(printf 'x%.0s' {1..300})
[ "$(code_of -u "$AUTH1" -d "{\"ntp\": \"$long\"}" "$U1/api/config")" = \
	400 ] || fail "strict: long string not 400"
[ "$(code_of -u "$AUTH1" "$U1/api/health")" = 200 ] ||
	fail "strict: unit dead after bad input"
stop
pass "config_auth owner: 401, viewer 403, owner 200; strict input 400"

start "$(cfg '.units[0].viewer_password = "view-only-1"
	| .units[0].config_auth = "any_user"')"
[ "$(code_of -u viewer:view-only-1 "$U1/api/config")" = 200 ] ||
	fail "any_user: viewer refused"
[ "$(code_of "$U1/api/config")" = 401 ] || fail "any_user: anonymous in"
stop
start "$(cfg '.units[0].config_auth = "none"')"
[ "$(code_of "$U1/api/config")" = 200 ] || fail "none: anonymous refused"
[ "$(code_of -d '{"remote_access": true}' "$U1/api/config")" = 200 ] ||
	fail "none: anonymous POST refused"
stop
pass "config_auth any_user and none"

# ---- malformed input ----

start "$(cfg '.units[0].input_robustness = "crash"')"
[ "$(code_of -u "$AUTH1" -d '{"ntp": "a%nb"}' "$U1/api/config")" = 000 ] ||
	fail "crash: %n answered"
grep -qxF 'http POST /api/config crashed' "$SIM_STATE/u1.log" ||
	fail "crash: not logged"
sleep 0.3
[ "$(code_of "$U1/api/health")" = 000 ] || fail "crash: still answers"
! timeout 2 bash -c "exec 9<>/dev/tcp/${HP%:*}/${HP##*:}" 2>/dev/null ||
	fail "crash: HTTP port still accepts"
stop
start "$(cfg '.units[0].http_login = true
	| .units[0].input_robustness = "crash"')"
[ "$(code_of -d '{"username": "admin", "password": "x"}' "$U1/api/login")" \
	= 401 ] || fail "crash: ordinary login broke"
[ "$(code_of -d "{\"username\": \"$long\", \"password\": \"x\"}" \
	"$U1/api/login")" = 000 ] || fail "crash: long user name answered"
[ "$(code_of "$U1/api/health")" = 000 ] || fail "crash: login did not kill"
stop
pass "input_robustness crash: %n and a long string stop HTTP"

start "$(cfg '.units[0].input_robustness = "hang" | .units[0].hang_s = 3')"
t0=$(date +%s%N)
code_of -m 2 -u "$AUTH1" -d "{\"$long\": 1}" "$U1/api/config" >/dev/null &
BG+=($!)
sleep 0.5
[ "$(code_of -m 1 "$U1/api/health")" = 000 ] || fail "hang: answered"
# Connections stay open: a request made now is answered after the hang.
[ "$(code_of -m 6 "$U1/api/health")" = 200 ] || fail "hang: never ended"
ms=$((($(date +%s%N) - t0) / 1000000))
((ms >= 2800)) || fail "hang: over after $ms ms"
grep -qxF 'http POST /api/config hang' "$SIM_STATE/u1.log" ||
	fail "hang: not logged"
stop
pass "input_robustness hang: no answer for hang_s, then answers again"
echo "t_simdut_surface: PASS"
