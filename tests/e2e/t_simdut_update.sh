#!/usr/bin/env bash
# t_simdut_update.sh - simdut's firmware update, power control, secure boot
# and support period page, end to end, without certbench.
#
# fixtures/mkimages.sh makes the manufacturer key and genuine images in
# $BUILD/e2e-fw.  Then, over HTTPS with curl: config and start-up errors;
# a genuine upload installs and /api/info reports it; a flipped payload
# byte, a flipped embedded key, a foreign signer, an older image, another
# model and a stripped signature are refused with their reasons, and an
# upload cut short installs nothing; each weakness switch turns its own
# refusal into an installation and no other; the legacy CGI installs
# without credentials; pulled updates from throw-away openssl s_server
# instances (an untrusted CA, the wrong host name, the update CA, http://);
# a corrupted stored image (/debug/flash) halts the unit at the next power
# cycle (console message, 503), and "simdutctl flash" of a genuine image
# plus a cycle boots it again; power off; every support_period mode.
# Every simdut is stopped with SIGTERM and must leave no sanitizer report.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

# Opening a pty from a session leader would make it our controlling
# terminal, and its hang-up at simdut's exit would kill this script.
trap '' HUP
ctl=fixtures/simdut/simdutctl

FW=$(mkdir -p "$BUILD/e2e-fw" && cd "$BUILD/e2e-fw" && pwd)
bash fixtures/mkimages.sh "$FW" >/dev/null || fail "mkimages.sh"
CA=$PKI/web-ca.pem
IMG=$WORK/img
SRV=$WORK/srv
mkdir -p "$IMG" "$SRV"

bg_pids=()
SIM_STATE=""
t_cleanup() {
	local rc=$? p
	if [ "$rc" != 0 ] && [ -n "$SIM_STATE" ]; then
		echo "-- simdut output and u1, u2 logs:" >&2
		cat "$SIM_STATE/simdut.out" "$SIM_STATE/u1.log" \
			"$SIM_STATE/u2.log" >&2 2>/dev/null || true
	fi
	exec 3>&- 2>/dev/null || true
	for p in "${bg_pids[@]+"${bg_pids[@]}"}"; do
		kill "$p" 2>/dev/null || true
	done
	e2e_cleanup
}
trap t_cleanup EXIT

# ---- simdut with --fw-dir ----

cfg() { # JQFILTER -> a secure.json copy with the update settings given
	sim_config fixtures/simdut/secure.json \
		"del(.update, .support_period, .support_end, .model_reported)
		 | $1"
}

fw_start() { # CONFIG
	local state=$WORK/sim$RANDOM
	STATES+=("$state")
	bash "$ctl" start "$1" "$state" \
		--tls-cert "$PKI/simdut.pem" --tls-key "$PKI/simdut.key" \
		--fw-dir "$FW" --lifetime 600 >"$state.env" ||
		fail "simdut did not start"
	set -a
	# shellcheck disable=SC1090
	. "$state.env"
	set +a
	SIM_STATE=$state
	U1=$SIMDUT_U1_URL
	U2=$SIMDUT_U2_URL
	AUTH1=$SIMDUT_U1_USER:$SIMDUT_U1_PASSWORD
	AUTH2=$SIMDUT_U2_USER:$SIMDUT_U2_PASSWORD
}

fw_stop() {
	bash "$ctl" stop "$SIM_STATE" >/dev/null
	grep -q 'simdut: stopping: Terminated' "$SIM_STATE/simdut.out" ||
		fail "no clean SIGTERM shutdown: $(cat "$SIM_STATE/simdut.out")"
	if grep -Eq 'Sanitizer|runtime error' "$SIM_STATE/simdut.out"; then
		cat "$SIM_STATE/simdut.out" >&2
		fail "sanitizer report from simdut"
	fi
	[ ! -e "$SIM_STATE/u1.power" ] || fail "u1.power left behind"
}

# start_error CONFIG ARGS...: simdut must refuse to start; prints its line.
start_error() {
	local out rc=0
	out=$("$SIMDUT" "$@" --state "$WORK/bad$RANDOM" 2>&1) || rc=$?
	[ "$rc" = 2 ] || fail "simdut $*: exit $rc, want 2: $out"
	echo "$out"
}

# ---- HTTP: http METHOD URL [curl args]; sets ST, BODY, HEAD ----

http() {
	local m=$1 u=$2
	shift 2
	rm -f "$WORK/body" "$WORK/head"
	ST=$(curl -sS --cacert "$CA" -D "$WORK/head" -o "$WORK/body" \
		-w '%{http_code}' -X "$m" "$@" "$u" 2>"$WORK/curl.err") ||
		ST=000
	BODY=$(cat "$WORK/body" 2>/dev/null || true)
	HEAD=$(cat "$WORK/head" 2>/dev/null || true)
	# A failed transfer says why, for the failure message.
	[ "$ST" != 000 ] || BODY=$(cat "$WORK/curl.err")
}

jget() { jq -r "$1" <<<"$BODY"; }

# upload URL AUTH FILE [PATH]: POST a raw image.
upload() {
	http POST "$1${4:-/api/update}" -u "$2" \
		-H 'Content-Type: application/octet-stream' --data-binary "@$3"
}

expect_installed() { # VERSION WHAT
	expect_eq "$ST" 200 "$2: status ($BODY)"
	expect_eq "$(jget .result)/$(jget .version)" "installed/$1" "$2"
}

expect_refused() { # REASON WHAT
	expect_eq "$ST" 422 "$2: status ($BODY)"
	expect_eq "$(jget .result)/$(jget .reason)" "refused/$1" "$2"
}

expect_version() { # URL VERSION WHAT
	http GET "$1/api/info"
	expect_eq "$ST" 200 "$3: /api/info"
	expect_eq "$(jget .firmware_version)" "$2" "$3: firmware_version"
}

expect_log() { # LINE [UNIT]: wait up to 5 s for an exact log line
	local i log=$SIM_STATE/${2:-u1}.log
	for ((i = 0; i < 100; i++)); do
		grep -qxF -- "$1" "$log" && return 0
		sleep 0.05
	done
	fail "${2:-u1}.log lacks '$1': $(cat "$log")"
}

# ---- console: tests/e2e/console.sh ----

CON_DIR=$WORK
. tests/e2e/console.sh

# ---- images ----

good=$FW/simcam-2-1.5.0.sdfw
size=$(stat -c %s "$good")
expect_eq "$size" $((160 + 65536 + 64)) "image size"

flip() { # SRC OFFSET DST: DST is SRC with one byte inverted
	local b
	cp "$1" "$3"
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the byte
	printf "$(printf '\\%03o' $((b ^ 0xff)))" |
		dd of="$3" bs=1 seek="$2" conv=notrunc status=none
}

flip "$good" 1000 "$IMG/payload.sdfw"	# a payload byte
flip "$good" 100 "$IMG/key.sdfw"	# a byte of the signer key's X
head -c $((160 + 65536)) "$good" >"$IMG/stripped.sdfw"
head -c 100 "$good" >"$IMG/short.sdfw"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-out "$IMG/attacker.key" 2>/dev/null
"$SIMDUT" mkimage --key "$IMG/attacker.key" --model "SimCam 2" \
	--version 6.6.6 --counter 9 --payload-size 1000 -o "$IMG/foreign.sdfw"
"$SIMDUT" mkimage --key "$FW/manufacturer.key" --model "SimCam 2" \
	--version 1.5.0 --counter 5 --payload-size 65536 -o "$IMG/again.sdfw"
cmp -s <(head -c $((160 + 65536)) "$good") \
	<(head -c $((160 + 65536)) "$IMG/again.sdfw") ||
	fail "mkimage is not deterministic"
# The signature is P1363 r||s over header||payload: stock openssl agrees.
sig=$(tail -c 64 "$good" | od -An -tx1 -v | tr -d ' \n')
r=${sig:0:64} s=${sig:64:64}
der_int() { # HEX -> DER INTEGER as hex
	local h=$1
	while [[ $h == 00* && ${#h} -gt 2 ]]; do h=${h:2}; done
	[[ $h == [89a-f]* ]] && h=00$h
	printf '02%02x%s' $((${#h} / 2)) "$h"
}
body=$(der_int "$r")$(der_int "$s")
der=$(printf '30%02x%s' $((${#body} / 2)) "$body")
# shellcheck disable=SC2001,SC2059 # hex pairs become \xNN escapes
printf "$(sed 's/../\\x&/g' <<<"$der")" >"$IMG/sig.der"
head -c $((160 + 65536)) "$good" |
	openssl dgst -sha256 -verify "$FW/manufacturer.pub.pem" \
		-signature "$IMG/sig.der" >/dev/null ||
	fail "openssl does not verify the image signature"
note "images made; the signature verifies with openssl"

# ==== config and start-up errors ====

out=$(start_error "$(cfg '.update = {"upload": "yes"}')")
expect_match "$out" 'update\.upload: expected true or false' "bool check"
out=$(start_error "$(cfg '.update = {"pull": {"verify": 1}}')")
expect_match "$out" 'update\.pull\.verify: expected true or false' "pull"
out=$(start_error "$(cfg '.update = {"uplaod": true}')")
expect_match "$out" 'update\.uplaod: unknown key' "unknown key"
out=$(start_error "$(cfg '.support_end = "2030-02-30"')")
expect_match "$out" 'support_end: expected a date YYYY-MM-DD' "date"
out=$(start_error "$(cfg '.support_period = "forever"')")
expect_match "$out" 'support_period: expected one of' "support_period"
out=$(start_error "$(cfg '.update = {"upload": true}')")
expect_match "$out" '^simdut: update needs --fw-dir$' "no --fw-dir"
out=$(start_error "$(cfg '.update = {"secure_boot": false}')")
expect_match "$out" '^simdut: update needs --fw-dir$' "secure_boot named"
out=$(start_error "$(cfg '.update = {} | .product.firmware = "1.4.3"')" \
	--fw-dir "$FW")
expect_match "$out" 'simcam-2-1\.4\.3\.sdfw: No such file' "boot image"
mkdir -p "$WORK/fw2"
cp "$FW/manufacturer.pub.pem" "$WORK/fw2/"
cp "$good" "$WORK/fw2/simcam-2-1.4.2.sdfw"
out=$(start_error "$(cfg '.update = {}')" --fw-dir "$WORK/fw2")
expect_match "$out" \
	'simcam-2-1\.4\.2\.sdfw: version 1\.5\.0, but product\.firmware is 1\.4\.2' \
	"boot version"
cp "$IMG/payload.sdfw" "$WORK/fw2/simcam-2-1.4.2.sdfw"
out=$(start_error "$(cfg '.update = {}')" --fw-dir "$WORK/fw2")
expect_match "$out" \
	'simcam-2-1\.4\.2\.sdfw: boot image refused \(signature\)' "boot signature"
out=$(start_error "$(cfg '.update = {"pull": {}}')" --fw-dir "$WORK/fw2")
expect_match "$out" 'fw2/update-ca\.pem: No such file' "update CA"
note "config and start-up errors name the key or file"

# ==== strict unit: upload, pull, debug flash, power ====

fw_start "$(cfg '.update = {"upload": true, "debug_flash": true,
	"pull": {}} | .support_end = "2031-03-15"
	| .model_reported = "SC2-EU"')"
expect_version "$U1" 1.4.2 "boot image"
http GET "$U1/api/info"
expect_eq "$(jget .model)" SC2-EU "model_reported"
[ -p "$SIM_STATE/u1.power" ] || fail "no u1.power FIFO"
expect_eq "$(jq -r '.units[0].power' "$SIM_STATE/state.json")" \
	"$SIM_STATE/u1.power" "state.json power"

upload "$U1" "" "$good"
expect_eq "$ST" 401 "no credentials"
grep -qi '^WWW-Authenticate: Basic realm="simdut"' <<<"$HEAD" ||
	fail "no Basic challenge: $HEAD"
upload "$U1" "$AUTH2" "$good"
expect_eq "$ST" 401 "u2's password on u1"
upload "$U1" "$SIMDUT_U1_USER:" "$good"
expect_eq "$ST" 401 "empty password"
expect_version "$U1" 1.4.2 "after 401s"
note "upload needs the unit's own credentials"

upload "$U2" "$AUTH2" "$IMG/payload.sdfw"
expect_refused signature "flipped payload byte"
upload "$U2" "$AUTH2" "$IMG/key.sdfw"
expect_refused untrusted-key "flipped key byte"
upload "$U2" "$AUTH2" "$IMG/foreign.sdfw"
expect_refused untrusted-key "foreign signer"
upload "$U2" "$AUTH2" "$FW/simcam-2-1.3.0.sdfw"
expect_refused rollback "1.3.0"
upload "$U2" "$AUTH2" "$FW/simcam-3-1.5.0.sdfw"
expect_refused wrong-model "SimCam 3"
upload "$U2" "$AUTH2" "$IMG/stripped.sdfw"
expect_refused malformed "stripped signature"
upload "$U2" "$AUTH2" "$IMG/short.sdfw"
expect_refused malformed "100 bytes"
expect_version "$U2" 1.4.2 "after refusals"
expect_log "update upload refused reason=untrusted-key" u2
note "refusals: signature, untrusted-key, rollback, wrong-model, malformed"

upload "$U1" "$AUTH1" "$good"
expect_installed 1.5.0 "genuine 1.5.0"
expect_version "$U1" 1.5.0 "installed"
expect_version "$U2" 1.4.2 "the other unit"
upload "$U1" "$AUTH1" "$good"
expect_installed 1.5.0 "reinstall, equal counter"
upload "$U1" "$AUTH1" "$FW/simcam-2-1.4.2.sdfw"
expect_refused rollback "1.4.2 after 1.5.0"
expect_log "update upload installed version=1.5.0"
note "genuine 1.5.0 installs; the counter now refuses 1.4.2"

truncate -s $((4 * 1024 * 1024 + 1)) "$IMG/huge.bin"
upload "$U2" "$AUTH2" "$IMG/huge.bin"
expect_eq "$ST" 413 "4 MiB + 1"
head -c 70000 /dev/zero >"$IMG/big.json"
http POST "$U2/api/update/source" -u "$AUTH2" --data-binary "@$IMG/big.json"
expect_eq "$ST" 413 "64 KiB still holds elsewhere"
http POST "$U2/cgi-bin/upgrade.cgi" --data-binary "@$good"
expect_eq "$ST" 404 "legacy CGI off"
timeout 1 curl -sS --cacert "$CA" -u "$AUTH2" --limit-rate 8k \
	--data-binary "@$good" "$U2/api/update" >/dev/null 2>&1 || true
expect_log "update upload incomplete" u2
expect_version "$U2" 1.4.2 "cut upload"
note "413 above 4 MiB (64 KiB elsewhere); a cut upload installs nothing"

# Update servers: web-ca's certificate (untrusted by the unit), one from
# the update CA for 127.0.0.50, and that one on the wrong address.
cp "$good" "$SRV/"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$WORK/upd.key" -out "$WORK/upd.csr" -subj /CN=127.0.0.50 \
	2>/dev/null
printf 'subjectAltName=IP:127.0.0.50\nextendedKeyUsage=serverAuth\n' \
	>"$WORK/upd.ext"
openssl x509 -req -in "$WORK/upd.csr" -CA "$FW/update-ca.pem" \
	-CAkey "$FW/update-ca.key" -CAcreateserial \
	-CAserial "$WORK/upd.srl" -out "$WORK/upd.pem" -days 2 \
	-extfile "$WORK/upd.ext" 2>/dev/null
serve() { # ADDR CERT KEY
	(cd "$SRV" && exec openssl s_server -quiet -WWW -accept "$1:8443" \
		-cert "$2" -key "$3" >/dev/null 2>&1) &
	bg_pids+=($!)
}
pki=$(cd "$PKI" && pwd)
serve 127.0.0.40 "$pki/simdut.pem" "$pki/simdut.key"
serve 127.0.0.50 "$WORK/upd.pem" "$WORK/upd.key"
serve 127.0.0.51 "$WORK/upd.pem" "$WORK/upd.key"
for a in 40 50 51; do
	for ((i = 0; ; i++)); do
		(exec 9<>"/dev/tcp/127.0.0.$a/8443") 2>/dev/null && break
		((i < 50)) || fail "no update server on 127.0.0.$a:8443"
		sleep 0.1
	done
done

source_url() { # URL UNIT-URL AUTH
	http POST "$2/api/update/source" -u "$3" \
		-d "{\"url\": \"$1\"}" -H 'Content-Type: application/json'
}
check() { http POST "$1/api/update/check" -u "$2"; }

check "$U2" ""
expect_eq "$ST" 401 "check without credentials"
check "$U2" "$AUTH2"
expect_refused no-source "no source yet"
for bad in 'ftp://127.0.0.50/x' 'file:///etc/passwd' 'https://a b/' \
	"https://$(printf '%01030d' 0)"; do
	source_url "$bad" "$U2" "$AUTH2"
	expect_eq "$ST" 400 "source $bad"
done
source_url "http://127.0.0.50:8443/simcam-2-1.5.0.sdfw" "$U2" "$AUTH2"
expect_eq "$ST/$(jget .result)" 200/ok "http source stored"
check "$U2" "$AUTH2"
expect_refused insecure-scheme "http:// without allow_http"
! grep -q 'update pull fetch' "$SIM_STATE/u2.log" ||
	fail "http:// was fetched: $(cat "$SIM_STATE/u2.log")"
source_url "https://127.0.0.40:8443/simcam-2-1.5.0.sdfw" "$U2" "$AUTH2"
check "$U2" "$AUTH2"
expect_refused fetch "server certificate from web-ca"
expect_match "$(jget .detail)" 'certificate' "untrusted CA detail"
source_url "https://127.0.0.51:8443/simcam-2-1.5.0.sdfw" "$U2" "$AUTH2"
check "$U2" "$AUTH2"
expect_refused fetch "certificate for another address"
expect_match "$(jget .detail)" 'name' "host name detail"
source_url "https://127.0.0.50:8443/simcam-2-1.3.0.sdfw" "$U2" "$AUTH2"
check "$U2" "$AUTH2"
expect_refused malformed "s_server's answer for a missing file"
expect_version "$U2" 1.4.2 "after failed pulls"
source_url "https://127.0.0.50:8443/simcam-2-1.5.0.sdfw" "$U2" "$AUTH2"
check "$U2" "$AUTH2"
expect_installed 1.5.0 "pull from the update CA's server"
expect_version "$U2" 1.5.0 "pulled"
expect_log "update pull fetch https://127.0.0.50:8443/simcam-2-1.5.0.sdfw" u2
expect_log "update pull installed version=1.5.0" u2
expect_log "update pull refused reason=insecure-scheme" u2
note "pull: no-source, 400s, insecure-scheme, untrusted CA, host name," \
	"installed"

http GET "$U1/support/period.html"
expect_eq "$ST" 200 "support page"
grep -q 'Security updates for the SimCam 2 are provided until 15 March 2031\.' \
	<<<"$BODY" || fail "support prose: $BODY"
grep -q '<td>2031-03-15</td>' <<<"$BODY" || fail "support ISO date: $BODY"

con_open 3 "$SIMDUT_U1_TTY"
expect $'\r\nSimDUT SimCam 2\r\n\r\nsimdut login: '
http PUT "$U1/debug/flash" --data-binary "@$IMG/payload.sdfw"
expect_eq "$ST" 401 "debug flash without credentials"
http PUT "$U1/debug/flash" -u "$AUTH1" --data-binary "@$IMG/payload.sdfw"
expect_eq "$ST" 200 "debug flash"
expect_eq "$(jget .result)/$(jget .bytes)" "ok/$size" "debug flash answer"
expect_version "$U1" 1.5.0 "running firmware unchanged by a flash"
bash "$ctl" power "$SIM_STATE" u1 cycle
expect $'\r\nsecure boot: image verification failed (signature), halted\r\n'
expect_log "boot halted reason=signature"
http GET "$U1/api/info"
expect_eq "$ST/$BODY" '503/{"error":"secure boot failed"}' "halted HTTP"
http PUT "$U1/debug/flash" -u "$AUTH1" --data-binary "@$good"
expect_eq "$ST" 503 "debug flash while halted"
send 3 $'\r'
expect_quiet 0.5
bash "$ctl" power "$SIM_STATE" u1 cycle
expect $'\r\nsecure boot: image verification failed (signature), halted\r\n'
note "corrupted stored image: halted, console says so, HTTP 503"

bash "$ctl" flash "$SIM_STATE" u1 "$FW/simcam-2-1.3.0.sdfw"
bash "$ctl" power "$SIM_STATE" u1 cycle
expect $'\r\nsecure boot: image verification failed (rollback), halted\r\n'
bash "$ctl" flash "$SIM_STATE" u1 "$good"
bash "$ctl" power "$SIM_STATE" u1 on
expect $'\r\nSimDUT boot: firmware 1.5.0\r\n'$'\r\nSimDUT SimCam 2\r\n\r\n'
expect 'simdut login: '
expect_log "power flash $size bytes"
expect_log "boot ok version=1.5.0"
expect_version "$U1" 1.5.0 "booted again"
send 3 "$SIMDUT_U1_USER"$'\r'
expect 'Password: '
send 3 "$SIMDUT_U1_PASSWORD"$'\r'
expect $'\r\nWelcome to SimDUT SimCam 2 firmware 1.5.0\r\n'
send 3 $'version\r'
expect $'version\r\n1.5.0\r\n'
send 3 $'model\r'
expect $'model\r\nSC2-EU\r\nadmin@simdut:~$ '
note "simdutctl flash of a genuine image and a cycle boot it (rollback refused)"

bash "$ctl" power "$SIM_STATE" u1 off
expect_log "power off"
http GET "$U1/api/info"
expect_eq "$ST" 000 "HTTP without power"
send 3 $'version\r'
expect_quiet 0.5
expect_version "$U2" 1.5.0 "the other unit keeps power"
bash "$ctl" power "$SIM_STATE" u1 on
expect $'\r\nSimDUT boot: firmware 1.5.0\r\n'
expect_version "$U1" 1.5.0 "power on"
! bash "$ctl" power "$SIM_STATE" nosuch cycle 2>"$WORK/err" ||
	fail "power for a unit that does not exist"
grep -q 'no power FIFO' "$WORK/err" || fail "unclear: $(cat "$WORK/err")"
exec 3>&-
note "power off: no HTTP, silent console; on boots"
fw_stop

# ==== each weakness switch turns its refusal into an installation ====

fw_start "$(cfg '.update = {"upload": true, "accept_unsigned": true,
	"debug_flash": true, "secure_boot": false}
	| .support_period = "expired"')"
upload "$U1" "$AUTH1" "$IMG/stripped.sdfw"
expect_installed 1.5.0 "accept_unsigned: stripped"
upload "$U2" "$AUTH2" "$IMG/payload.sdfw"
expect_installed 1.5.0 "accept_unsigned: flipped payload"
upload "$U1" "$AUTH1" "$FW/simcam-2-1.3.0.sdfw"
expect_refused rollback "accept_unsigned keeps rollback"
upload "$U1" "$AUTH1" "$FW/simcam-3-1.5.0.sdfw"
expect_refused wrong-model "accept_unsigned keeps the model check"
http GET "$U1/support/period.html"
grep -q 'provided until 30 June 2021\.' <<<"$BODY" ||
	fail "expired support page: $BODY"
grep -q '<td>2021-06-30</td>' <<<"$BODY" || fail "expired ISO date"
# secure_boot off: an unsigned stored image boots, garbage does not.
http PUT "$U1/debug/flash" -u "$AUTH1" --data-binary "@$IMG/payload.sdfw"
bash "$ctl" power "$SIM_STATE" u1 cycle
expect_log "boot ok version=1.5.0"
http PUT "$U1/debug/flash" -u "$AUTH1" --data-binary "@$IMG/short.sdfw"
bash "$ctl" power "$SIM_STATE" u1 cycle
expect_log "boot halted reason=malformed"
http GET "$U1/api/info"
expect_eq "$ST" 503 "no bootable image"
fw_stop

fw_start "$(cfg '.update = {"upload": true, "accept_any_key": true}
	| .support_period = "missing"')"
upload "$U1" "$AUTH1" "$IMG/foreign.sdfw"
expect_installed 6.6.6 "accept_any_key: foreign signer"
upload "$U2" "$AUTH2" "$IMG/key.sdfw"
expect_refused signature "accept_any_key: a damaged key still fails"
upload "$U2" "$AUTH2" "$IMG/stripped.sdfw"
expect_refused malformed "accept_any_key keeps the signature"
http GET "$U1/support/period.html"
expect_eq "$ST" 404 "support page missing"
fw_stop

fw_start "$(cfg '.update = {"upload": true, "allow_rollback": true}
	| .support_period = "login_required"')"
upload "$U1" "$AUTH1" "$FW/simcam-2-1.3.0.sdfw"
expect_installed 1.3.0 "allow_rollback: 1.3.0"
upload "$U1" "$AUTH1" "$IMG/payload.sdfw"
expect_refused signature "allow_rollback keeps the signature"
expect_version "$U1" 1.3.0 "rolled back"
http GET "$U1/support/period.html"
expect_eq "$ST" 401 "support page without credentials"
grep -qi '^WWW-Authenticate: Basic realm="simdut"' <<<"$HEAD" ||
	fail "no Basic challenge on the support page"
http GET "$U1/support/period.html" -u "$AUTH1"
expect_eq "$ST" 200 "support page with credentials"
grep -q 'provided until 31 December 2030\.' <<<"$BODY" ||
	fail "support page: $BODY"
fw_stop

fw_start "$(cfg '.update = {"upload": true, "ignore_model": true}')"
upload "$U1" "$AUTH1" "$FW/simcam-3-1.5.0.sdfw"
expect_installed 1.5.0 "ignore_model: SimCam 3"
upload "$U2" "$AUTH2" "$FW/simcam-2-1.3.0.sdfw"
expect_refused rollback "ignore_model keeps rollback"
fw_stop
note "accept_unsigned, accept_any_key, allow_rollback, ignore_model"

fw_start "$(cfg '.update = {"legacy_cgi": true, "pull": {"verify": false}}')"
http POST "$U1/cgi-bin/upgrade.cgi" --data-binary "@$IMG/stripped.sdfw"
expect_installed 1.5.0 "legacy CGI, no credentials, no signature"
http POST "$U1/cgi-bin/upgrade.cgi" --data-binary "@$FW/simcam-3-1.5.0.sdfw"
expect_installed 1.5.0 "legacy CGI, other model"
http POST "$U1/cgi-bin/upgrade.cgi" --data-binary "@$FW/simcam-2-1.3.0.sdfw"
expect_installed 1.3.0 "legacy CGI, rollback"
http POST "$U1/cgi-bin/upgrade.cgi" --data-binary "@$IMG/short.sdfw"
expect_refused malformed "legacy CGI, 100 bytes"
expect_log "update legacy-cgi installed version=1.3.0"
upload "$U1" "$AUTH1" "$good"
expect_eq "$ST" 404 "upload off"
source_url "https://127.0.0.40:8443/simcam-2-1.5.0.sdfw" "$U2" "$AUTH2"
check "$U2" "$AUTH2"
expect_installed 1.5.0 "verify:false trusts any server"
fw_stop
note "legacy CGI installs unauthenticated; verify:false pulls from anyone"
