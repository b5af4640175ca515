# Attack surface, access control and TLS (5.5-1, 5.5-4, 5.5-5, 5.6-1,
# 5.13-1 c) against simdut: with the secure configuration every case
# PASSes; an undocumented telnet or debug service, a documented-as-
# disabled service that answers, a silent port and one that floods, a
# configuration endpoint open to everyone or to any account, an
# undocumented API path and each TLS weakness FAIL the right unit with a
# rationale that names the port and banner, the endpoint and who got in,
# or the best-practice rule.  probe ports and probe tls end with the
# right answer against silent, flooding and non-TLS peers.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

P=fixtures/profiles/simcam-secure.json
A=fixtures/answers/simcam-secure.json
CASES=(--case 5.5-4-1 --case 5.5-4-2 --case 5.5-5-1 --case 5.5-5-2
	--case 5.6-1-1 --case 5.6-1-2)

prof() { # JQFILTER -> path
	local out=$WORK/profile-$RANDOM.json
	jq "${1:-.}" "$P" > "$out"
	echo "$out"
}

note "secure device: every access and scan case PASSes"
sim_start "$(sim_config fixtures/simdut/secure.json .)"
cb_run -p "$P" -a "$A" "${CASES[@]}"
cat "$WORK/stderr"
expect_all_pass
expect_eq "$RC" 0 "exit status"
expect_match "$(unit_why 5.5-4-2 a)" "each of the 3 protected endpoints refused no credentials, a wrong password and every role it leaves out" "access"
expect_match "$(unit_why 5.5-4-2 b)" "each of the 3 protected endpoints asks for its documented authentication" "mechanism"
expect_match "$(unit_why 5.5-5-2 a)" "each of the 1 protected endpoints" "configuration"
expect_match "$(unit_why 5.5-5-2 b)" "1 open TCP port\(s\) of 65535 scanned, all documented in IXIT 11-ComMech" "11-ComMech scan"
expect_match "$(unit_why 5.6-1-2 a)" "each of the 3 documented services with a port has its documented status" "status"
expect_match "$(unit_why 5.6-1-2 b)" "all documented in IXIT 13-SoftServ" "scan"
ev=$RUN/evidence.jsonl
# Every port's state is kept: the runs of one scan cover 1-65535.
jq -ne '[inputs | select(.type == "step" and .step == "net.scan") | .value.tcp.scanned] | all(. == 65535) and length == 6' "$ev" >/dev/null ||
	fail "scan evidence"
# No account password in clear anywhere in the run.
for pw in Tq7-vW2m-9KxR hB4p-Zs8n-Lw3E Vw-1-kq8Z-t4Lm Vw-2-kq8Z-t4Lm; do
	! grep -rqF -- "$pw" "$RUN" || fail "password $pw in clear in the run"
done
sim_stop

# check SIMFILTER PROFILEFILTER CASE UNIT PATTERN
check() {
	note "$1 | $2: $3 $4 FAILs"
	sim_start "$(sim_config fixtures/simdut/secure.json "$1")"
	cb_run -p "$(prof "$2")" --case "$3"
	expect_eq "$RC" 1 "exit status ($1)"
	expect_eq "$(unit_verdict "$3" "$4")" FAIL "$3 $4 ($1)"
	expect_match "$(unit_why "$3" "$4")" "$5" "rationale ($1)"
	sim_stop
}

check '.units[0].extra_ports = [{"port": 0, "kind": "debug"}]' . 5.6-1-2 b \
	"port [0-9]+/tcp is open and not documented in IXIT 13-SoftServ \(banner \"simdut debug service v0.3 \(build 2024-05-01\) ready"
check '.units[0].extra_ports = [{"port": 0, "kind": "telnet"}]' . 5.5-5-2 b \
	"port [0-9]+/tcp is open and not documented in IXIT 11-ComMech \(banner \"\\\\r\\\\nSimDUT SimCam 2"
check '.units[0].extra_ports = [{"port": 0, "kind": "silent"}, {"port": 0, "kind": "flood"}]' . 5.6-1-2 b \
	"not documented in IXIT 13-SoftServ \(says nothing\).*not documented in IXIT 13-SoftServ \(banner \"AAAA|not documented in IXIT 13-SoftServ \(banner \"AAAA.*not documented in IXIT 13-SoftServ \(says nothing\)"
check '.units[0].telnet = {"port": 0, "auth": "password"} | .units[1].telnet = {"port": 0, "auth": "password"}' \
	'.ixit["13-SoftServ"] |= map(if .id == "telnet" then .port = 2323 else . end)' 5.6-1-2 b \
	"port [0-9]+/tcp is open and not documented"
check '.units[0].telnet = {"port": 2323, "auth": "password"}' \
	'.ixit["13-SoftServ"] |= map(if .id == "telnet" then .port = 2323 else . end)' 5.6-1-2 a \
	"telnet: documented as disabled, but port 2323/tcp is open \(banner \"\\\\r\\\\nSimDUT SimCam 2"
check '.units[0].config_auth = "none"' . 5.5-5-2 a \
	"config-write: POST /api/config succeeded without credentials \(HTTP 200\).*config-write: POST /api/config succeeded with a wrong password"
check '.units[0].config_auth = "any_user"' . 5.5-4-2 a \
	"config-read: GET /api/config let in role viewer, which the documentation leaves out \(HTTP 200\)"
check . '.ixit["13-SoftServ"][0].endpoints |= map(if .id == "secure" then .auth = "digest" else . end)' 5.5-4-2 b \
	"secure: without credentials GET /api/secure answered HTTP 401 asking for Basic, not a Digest challenge"

note "a documented service that is closed fails its status"
check . '.ixit["13-SoftServ"] += [{"id": "rtsp", "status": "enabled", "port": 554}]' 5.6-1-2 a \
	"rtsp: documented as enabled, but port 554/tcp is closed"

note "probe ports and probe tls: silent, endless and garbage peers give bounded, correct results"
sim_start "$(sim_config fixtures/simdut/secure.json \
	'.units[0].extra_ports = [{"port": 0, "kind": "silent"}, {"port": 0, "kind": "flood"}, {"port": 0, "kind": "debug"}]')"
api=$(jq -r '.units[] | select(.id == "u1") | .http_port' "$SIM_STATE/state.json")
want=$(jq -r '[.units[] | select(.id == "u1") | .http_port, .extra_ports[].port] | sort | map(tostring) | join(",")' "$SIM_STATE/state.json")
port_of() { jq -r --arg k "$1" '.units[] | select(.id == "u1") | .extra_ports[] | select(.kind == $k) | .port' "$SIM_STATE/state.json"; }
timeout 60 "$CERTBENCH" probe ports 127.0.0.11 --json > "$WORK/ports.json" ||
	fail "probe ports"
expect_eq "$(jq -r '[.tcp.open_ports[].port] | map(tostring) | join(",")' "$WORK/ports.json")" "$want" "open ports"
expect_eq "$(jq -r '.tcp.scanned' "$WORK/ports.json")" 65535 "every port scanned"
expect_eq "$(jq -r --argjson p "$(port_of silent)" '.tcp.open_ports[] | select(.port == $p) | .banner_text' "$WORK/ports.json")" "" "silent port"
expect_match "$(jq -r --argjson p "$(port_of flood)" '.tcp.open_ports[] | select(.port == $p) | .banner_hex | length' "$WORK/ports.json")" "^512$" "flood cut at 256 bytes"
expect_match "$(jq -r --argjson p "$(port_of debug)" '.tcp.open_ports[] | select(.port == $p) | .banner_text' "$WORK/ports.json")" "^simdut debug service" "debug banner"
expect_eq "$(jq -r --argjson p "$api" '.tcp.open_ports[] | select(.port == $p) | .tls' "$WORK/ports.json")" true "API speaks TLS"
out=$(timeout 60 "$CERTBENCH" probe ports 127.0.0.11 -p "$api,$(port_of debug)")
expect_match "$out" "$api/tcp +open .*\[tls\] ServerHello, TLS 1\.[23]" "table: TLS"
expect_match "$out" "2 open, 0 closed, 0 filtered of 2 ports" "table: summary"
for k in silent flood debug; do
	set +e
	timeout 60 "$CERTBENCH" probe tls "127.0.0.11:$(port_of $k)" --json --timeout 1000 > "$WORK/tls-$k.json"
	rc=$?
	set -e
	[ "$rc" != 124 ] || fail "probe tls against the $k port did not end"
	expect_eq "$(jq -r .reachable "$WORK/tls-$k.json")" true "$k: reachable"
	expect_match "$(jq -r .error "$WORK/tls-$k.json")" "." "$k: not TLS, with a reason"
done
timeout 60 "$CERTBENCH" probe tls "127.0.0.11:$api" --ca "$SIMDUT_CA" --json > "$WORK/tls-api.json" ||
	fail "probe tls against the API"
expect_eq "$(jq -r '[.versions[] | select(.accepted == true) | .version] | join(",")' "$WORK/tls-api.json")" "TLS1.2,TLS1.3" "API versions"
sim_stop

note "an undocumented remote API fails 5.13-1-2 c"
check '.update.debug_flash = true' . 5.13-1-2 c \
	"undocumented API endpoint\? /debug/flash answers HTTP 405 \(a path that cannot exist answers 404; not in IXIT 1-AuthMech, 7-UpdMech, 13-SoftServ or 29-InpVal\)"

note "each TLS weakness of simdut fails 5.5-1-2 with its rule"
check '.tls.certificate = "expired"' . 5.5-1-2 a "api-tls \(port [0-9]+\): .*\(tls.cert.expired\)"
check '.tls.certificate = "rsa1024"' . 5.5-1-2 a "api-tls \(port [0-9]+\): .*\(tls.key.rsa-small\)"
check '.tls.ciphers = "weak"' . 5.5-1-2 a "api-tls \(port [0-9]+\): .*\(tls.cipher.null\)"
check '.tls.versions = ["1.1", "1.2", "1.3"] | .tls.ciphers = "legacy"' . 5.5-1-2 a \
	"accepts TLS 1.1 \(tls.proto.tls11\).*accepts TLS 1.1, which IXIT 11-ComMech does not document"
note "a self-signed certificate is a warning, not a failure, for a local API"
sim_start "$(sim_config fixtures/simdut/secure.json '.tls.certificate = "self-signed"')"
cb_run -p "$P" --case 5.5-1-2
expect_eq "$(case_verdict 5.5-1-2)" PASS "self-signed"
expect_match "$(unit_why 5.5-1-2 a)" "see the warnings in the evidence" "warning named"
jq -ne 'any(inputs; .type == "step" and .step == "tls.probe" and (.value | tostring | test("tls.cert.self-signed")))' "$RUN/evidence.jsonl" >/dev/null ||
	fail "self-signed warning not in the evidence"
sim_stop
