# Information disclosed before authentication (5.6-2-2): the secure
# device shows only what IXIT 15-Intf lists (model and versions on the
# network, the model on its console) and PASSes on both samples; with
# simdut's leaks switch on u1 (Server and X-Serial headers, /api/info
# with serial, kernel and internal address, banners on the console and an
# extra telnet port) s1 FAILs naming each kind and where it was seen,
# while s2 still PASSes.  No profile password appears in the run folder.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

P=fixtures/profiles/simcam-secure.json

# IXIT 13-SoftServ and 15-Intf as the profile format describes them.
SERV='[
 {"id": "https-api", "status": "enabled", "transport": "tcp", "port": "http",
  "authentication": "api", "allows_configuration": true,
  "description": "Local HTTPS API: login, settings, firmware update, device information",
  "justification": "The companion app and the owner'"'"'s browser configure the camera through it",
  "endpoints": [
   {"id": "info", "method": "GET", "path": "/api/info", "auth": "none"},
   {"id": "health", "method": "GET", "path": "/api/health", "auth": "none"},
   {"id": "login", "method": "POST", "path": "/api/login", "auth": "none"},
   {"id": "config-read", "method": "GET", "path": "/api/config", "auth": "basic", "roles": ["owner"]},
   {"id": "secure", "method": "GET", "path": "/api/secure", "auth": "basic", "roles": ["owner"]}]},
 {"id": "telnet", "status": "disabled", "transport": "tcp", "port": 23,
  "description": "No telnet daemon in production firmware"}
]'
INTF='[
 {"id": "lan", "type": "network", "status": "enabled", "need": "required",
  "description": "Ethernet and Wi-Fi: the HTTPS API",
  "protection": "TLS; HTTP Basic for everything but device information and health",
  "disclosed": ["model", "firmware_version", "hardware_version"]},
 {"id": "uart", "type": "physical", "status": "enabled", "need": "intermittent",
  "description": "Serial console header (115200 8N1), password login",
  "protection": "IXIT 1-AuthMech console",
  "disclosed": ["model"]},
 {"id": "debug-uart", "type": "physical", "status": "disabled",
  "need": "not_required", "description": "Bootloader UART pads next to the SoC",
  "protection": "Disabled in production firmware",
  "debug": true, "debug_access": "disabled"}
]'

# A copy of the secure profile with those sections and a jq filter; its
# bench tools point at simdutctl by absolute path (the copy lives
# elsewhere).
prof() { # JQFILTER -> path
	local out=$WORK/profile-$RANDOM.json
	jq --argjson serv "$SERV" --argjson intf "$INTF" \
		".ixit[\"13-SoftServ\"] = \$serv | .ixit[\"15-Intf\"] = \$intf | ${1:-.}" "$P" |
		sed "s|exec:\.\./simdut/simdutctl|exec:$PWD/fixtures/simdut/simdutctl|" \
			> "$out"
	echo "$out"
}

# Every password of the profile: none may be in the run folder.
no_secrets() { # PROFILE
	local pw
	for pw in $(jq -r '.samples[] | .credentials.password, (.accounts[]?.password)' "$1"); do
		if grep -rlF -- "$pw" "$RUN"; then fail "password found in clear"; fi
	done
}

# "VERDICT RATIONALE" of 5.6-2-2 for one sample in the last run.
result() { # SAMPLE
	jq -r --arg s "$1" '.cases[] | select(.id=="5.6-2-2") | .units[0].results[] | select(.sample==$s) | "\(.verdict) \(.rationale)"' "$RUN/report.json"
}

PROF=$(prof)

note "secure device: both samples disclose only what IXIT 15-Intf lists"
sim_start "$(sim_config fixtures/simdut/secure.json)"
"$CERTBENCH" lint "$PROF" >/dev/null || fail "the test profile does not lint"
cb_run -p "$PROF" --case 5.6-2-2
cat "$WORK/stderr"
unit_why 5.6-2-2 a
expect_eq "$(case_verdict 5.6-2-2)" PASS "5.6-2-2"
expect_eq "$RC" 0 "exit status"
why=$(unit_why 5.6-2-2 a)
expect_eq "$(grep -c "disclosed only documented information (model, firmware_version, hardware_version) in [0-9]* responses, [0-9]* banners and the console banner" <<<"$why")" 2 "both samples"
no_secrets "$PROF"
# Every request was answered; protected and POST endpoints were left alone.
n=$(jq -s '[.[] | select(.type == "io" and .request != null)] | length' "$RUN/evidence.jsonl")
[ "$n" -ge 8 ] || fail "only $n HTTP exchanges recorded"
expect_eq "$(jq -s '[.[] | select(.type == "io" and .request != null and (.response.status // 0) == 0)] | length' "$RUN/evidence.jsonl")" 0 "unanswered requests"
grep -q "http GET /certbench-no-such-page-5d1e 404" "$SIM_STATE/u1.log" || fail "no error page asked"
if grep -q "http GET /api/config\|http POST" "$SIM_STATE/u1.log"; then fail "asked a protected or non-GET endpoint"; fi

note "an API that does not answer is a bench ERROR, never a PASS"
cb_run -p "$(prof '.samples[0].http = "https://127.0.0.11:1/"')" --case 5.6-2-2
expect_match "$(result s1)" "^ERROR " "s1 without its API"
expect_match "$(result s2)" "^PASS " "s2 beside it"

note "the same device against a list that leaves out firmware_version"
cb_run -p "$(prof '.ixit["15-Intf"][0].disclosed = ["model", "hardware_version"]')" --case 5.6-2-2
expect_eq "$(case_verdict 5.6-2-2)" FAIL "undocumented firmware version"
expect_match "$(unit_why 5.6-2-2 a)" '^lan: HTTP body of GET /api/info discloses firmware_version: "1\.4\.2"' "firmware rationale"
sim_stop

note "leaks on u1: s1 FAILs naming each kind, s2 still PASSes"
sim_start "$(sim_config fixtures/simdut/secure.json '.units[0].leaks = true | .units[0].extra_ports = [{"port": 0, "kind": "telnet"}]')"
cb_run -p "$PROF" --case 5.6-2-2
cat "$WORK/stderr"
unit_why 5.6-2-2 a
expect_eq "$RC" 1 "exit status (leaks)"
expect_eq "$(case_verdict 5.6-2-2)" FAIL "5.6-2-2 (leaks)"
s1=$(result s1)
s2=$(result s2)
expect_match "$s1" '^FAIL ' "s1 verdict"
expect_match "$s2" '^PASS disclosed only documented information' "s2 verdict"
expect_match "$s1" 'lan: HTTP header Server of GET / discloses software_version: "SimDUT-httpd/2\.4\.1 \(Linux 4\.9\.88"' "Server header"
expect_match "$s1" 'lan: HTTP header X-Serial of GET / discloses serial: "SD2-000101"' "serial header"
expect_match "$s1" 'lan: HTTP body of GET /api/info discloses internal_address: "10\.0\.3\.7"' "internal address"
expect_match "$s1" 'lan: HTTP body of GET /api/info discloses software_version: "kernel":"4\.9\.88"' "kernel field"
expect_match "$s1" 'lan: banner of TCP port [0-9]+ discloses software_version: "kernel 4\.9\.88"' "telnet banner"
expect_match "$s1" 'uart: banner before the login prompt discloses firmware_version: "1\.4\.2"' "console firmware"
expect_match "$s1" 'uart: banner before the login prompt discloses serial: "SD2-000101"' "console serial"
expect_match "$s1" 'uart: banner before the login prompt discloses internal_address: "10\.0\.3\.7"' "console address"
if sed 's/; /\n/g' <<<"$s1" | grep -Eq "discloses (model|hardware_version)|^lan: .* discloses firmware_version"; then
	fail "a documented kind failed: $s1"
fi
# The evidence names each finding of each source, documented or not.
jq -e -s 'any(.[]; .type == "disclosure" and .interface == "lan" and (.source | startswith("banner of TCP port")) and any(.findings[]; .kind == "internal_address" and .documented == false))' "$RUN/evidence.jsonl" >/dev/null ||
	fail "no disclosure record for the telnet banner"
no_secrets "$PROF"
sim_stop
