# Input validation (5.13-1-2 a, input.fuzz) against simdut's /api/config:
# a strict parser PASSes and gets its settings back; a parser that crashes
# on long strings FAILs naming the mutation after which the unit stopped
# answering, while the other unit PASSes; one that hangs FAILs naming the
# unanswered mutation; the evidence holds the seed, and a replay with that
# seed sends byte-identical mutation bodies.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

P=fixtures/profiles/simcam-secure.json
C=5.13-1-2

# The secure profile with an IXIT 29-InpVal section for /api/config (the
# rules of fixtures/simdut/README.md "Settings"), plus a jq filter.
prof() { # JQFILTER -> path
	local out=$WORK/profile-$RANDOM.json
	jq '.ixit["29-InpVal"] = [{
		"id": "config", "source": "api", "method": "POST",
		"path": "/api/config", "auth": "basic",
		"content_type": "application/json",
		"validation": "JSON object with only the keys ntp, wifi_ssid, remote_access; ntp 1 to 128 bytes, wifi_ssid 1 to 32 bytes, both printable; remote_access a boolean; anything else is refused with 400 and changes nothing",
		"example": {"ntp": "pool.ntp.org", "wifi_ssid": "SimDUT-Setup", "remote_access": false},
		"fields": {
			"ntp": {"type": "string", "min_length": 1, "max_length": 128},
			"wifi_ssid": {"type": "string", "min_length": 1, "max_length": 32},
			"remote_access": {"type": "boolean"}},
		"reject_status": [400], "health": "/api/health"}]'" | ${1:-.}" "$P" |
		sed "s|exec:\.\./simdut/simdutctl|exec:$PWD/fixtures/simdut/simdutctl|" \
			> "$out"
	echo "$out"
}

# The script with a fixed seed (and other step arguments), for replays.
cases_with() { # JQFILTER -> folder
	local dir=$WORK/cases-$RANDOM
	mkdir -p "$dir"
	jq "(.units[] | select(.id == \"a\") | .steps[0]) |= (. + $1)" \
		testcases/en303645/$C.json > "$dir/$C.json"
	echo "$dir"
}

# Verdict and rationale of unit a on one sample.
sample_verdict() { jq -r --arg s "$1" '.cases[] | select(.id=="'$C'") | .units[] | select(.id=="a") | .results[] | select(.sample==$s) | .verdict' "$RUN/report.json"; }
sample_why() { jq -r --arg s "$1" '.cases[] | select(.id=="'$C'") | .units[] | select(.id=="a") | .results[] | select(.sample==$s) | .rationale' "$RUN/report.json"; }
# The recorded mutations of one sample: "n sha256 bytes" per line.
mutations() { jq -r --arg s "$1" 'select(.type=="input-mutation" and .sample==$s) | "\(.n) \(.sha256) \(.bytes)"' "$RUN/evidence.jsonl"; }
seed_of() { jq -r --arg s "$1" 'select(.type=="input-fuzz" and .sample==$s) | .seed' "$RUN/evidence.jsonl"; }

PROFILE=$(prof)

note "strict parser: both samples refuse what breaks the documentation and stay alive"
sim_start "$(sim_config fixtures/simdut/secure.json)"
start=$(date +%s)
cb_run -p "$PROFILE" --case "$C"
cat "$WORK/stderr"
note "two samples fuzzed in $(( $(date +%s) - start )) s"
expect_eq "$(unit_verdict $C a)" PASS "unit a"
for s in s1 s2; do
	expect_eq "$(sample_verdict $s)" PASS "$s"
	expect_match "$(sample_why $s)" "^config: refused [0-9]+ of 120 unexpected inputs, [0-9]+ within the documented constraints accepted \([0-9]+ of the 120 break a documented constraint\); /api/health answered after every batch of 10 and at the end; seed 0x[0-9a-f]{16}$" "$s rationale"
	expect_eq "$(mutations $s | wc -l)" 120 "$s mutations recorded"
	expect_match "$(seed_of $s)" "^0x[0-9a-f]{16}$" "$s seed recorded"
done
# The systematic mutations name what they are.
jq -r 'select(.type=="input-mutation" and .sample=="s1") | .label' "$RUN/evidence.jsonl" > "$WORK/labels"
for want in "ntp: string of 4096 bytes" "malformed JSON: truncated" \
	"remote_access: integer instead of boolean" \
	"ntp: path traversal ../../../../etc/passwd" \
	"wifi_ssid: format string %n%n%s" "ntp: shell metacharacters ;id" \
	"unknown key" "deep nesting" "invalid UTF-8" "NUL byte" "empty object"; do
	grep -qF -- "$want" "$WORK/labels" || fail "no mutation '$want'"
done
# Every mutation breaking a documented constraint was refused with 400.
expect_eq "$(jq -r 'select(.type=="input-mutation" and .must_refuse and .status != 400) | .label' "$RUN/evidence.jsonl")" "" "must-refuse answered other than 400"
# Every body went to the device: the control, 120 mutations, maybe the restore.
n=$(jq -r 'select(.type=="io" and .request.url=="/api/config" and .sample=="s1") | .seq' "$RUN/evidence.jsonl" | wc -l)
[ "$n" -ge 121 ] && [ "$n" -le 122 ] || fail "s1 saw $n requests to /api/config"
# The documented values are back after the accepted mutations.
for u in U1 U2; do
	url=SIMDUT_${u}_URL
	pw=$(jq -r --arg i "$([ $u = U1 ] && echo s1 || echo s2)" '.samples[] | select(.id==$i) | .credentials.password' "$P")
	got=$(curl -sS --cacert "$SIMDUT_CA" -u "admin:$pw" "${!url}/api/config")
	expect_eq "$(jq -c . <<<"$got")" '{"ntp":"pool.ntp.org","wifi_ssid":"SimDUT-Setup","remote_access":false}' "$u settings restored"
done
RUN1=$RUN
SEED1=$(seed_of s1)
sim_stop

note "replay with the recorded seed: byte-identical mutation bodies"
sim_start "$(sim_config fixtures/simdut/secure.json)"
cb_run -p "$PROFILE" --testcases "$(cases_with "{\"seed\": \"$SEED1\"}")" --case "$C"
expect_eq "$(seed_of s1)" "$SEED1" "replayed seed"
expect_eq "$(mutations s1)" "$(RUN=$RUN1 mutations s1)" "s1 mutation bodies"
sim_stop

note "another seed: the same systematic mutations, other random ones"
sim_start "$(sim_config fixtures/simdut/secure.json)"
cb_run -p "$PROFILE" --testcases "$(cases_with '{"seed": 12345, "count": 150}')" --case "$C"
expect_eq "$(seed_of s1)" "0x0000000000003039" "decimal seed recorded in hex"
sys=$(jq -r 'select(.type=="input-fuzz" and .sample=="s1") | .systematic' "$RUN/evidence.jsonl")
expect_eq "$(mutations s1 | head -n "$sys")" "$(RUN=$RUN1 mutations s1 | head -n "$sys")" "systematic part"
[ "$(mutations s1 | sed -n "$((sys + 1)),120p")" != "$(RUN=$RUN1 mutations s1 | sed -n "$((sys + 1)),120p")" ] ||
	fail "random part did not change with the seed"
expect_eq "$(mutations s1 | wc -l)" 150 "count"
sim_stop

note "a parser that crashes on long strings: u1 FAILs, u2 PASSes"
sim_start "$(sim_config fixtures/simdut/secure.json '.units[0].input_robustness = "crash"')"
cb_run -p "$PROFILE" --case "$C"
expect_eq "$RC" 1 "exit status (crash)"
expect_eq "$(sample_verdict s1)" FAIL "s1 (crash)"
expect_eq "$(sample_verdict s2)" PASS "s2 (crash on u1 only)"
expect_match "$(sample_why s1)" "^config: device stopped answering after mutation #[0-9]+ \(ntp: string of 4096 bytes\); /api/health: connection refused; config: stopped after [0-9]+ of 120 mutations; seed 0x" "crash rationale"
grep -q "http stopped (crashed)" "$SIM_STATE/u1.log" || fail "simdut u1 did not crash"
sim_stop

note "a parser that hangs: u1 FAILs naming the unanswered mutation"
sim_start "$(sim_config fixtures/simdut/secure.json '.units[0].input_robustness = "hang" | .units[0].hang_s = 3')"
cb_run -p "$PROFILE" --case "$C"
expect_eq "$(sample_verdict s1)" FAIL "s1 (hang)"
expect_eq "$(sample_verdict s2)" PASS "s2 (hang on u1 only)"
expect_match "$(sample_why s1)" "^config: no answer within 5 s to mutation #[0-9]+ \(ntp: string of 4096 bytes\); /api/health answered afterwards; config: stopped after [0-9]+ of 120 mutations" "hang rationale"
sim_stop

note "a hang longer than the deadline: no answer within 2 s"
sim_start "$(sim_config fixtures/simdut/secure.json '.units[0].input_robustness = "hang" | .units[0].hang_s = 4')"
cb_run -p "$PROFILE" --testcases "$(cases_with '{"timeout_ms": 2000}')" --case "$C"
expect_eq "$(sample_verdict s1)" FAIL "s1 (long hang)"
expect_match "$(sample_why s1)" "^config: no answer within 2 s to mutation #[0-9]+ \(ntp: string of 4096 bytes\); /api/health answered afterwards" "long hang rationale"
sim_stop

note "documentation stricter than the device: what it accepts beyond it FAILs"
sim_start "$(sim_config fixtures/simdut/secure.json)"
cb_run -p "$(prof '.ixit["29-InpVal"][0].fields.wifi_ssid.max_length = 16')" --case "$C"
expect_eq "$(sample_verdict s1)" FAIL "s1 (wifi_ssid documented at most 16)"
expect_match "$(sample_why s1)" "^config: accepted #[0-9]+ wifi_ssid: string of 17 bytes \(documented at most 16\): HTTP 200; config: accepted #[0-9]+ wifi_ssid: path traversal" "accepted rationale"
pw=$(jq -r '.samples[0].credentials.password' "$P")
expect_eq "$(curl -sS --cacert "$SIMDUT_CA" -u "admin:$pw" "$SIMDUT_U1_URL/api/config" | jq -r .wifi_ssid)" SimDUT-Setup "restored after a FAIL"

note "refusals with an undocumented status are findings, not failures"
cb_run -p "$(prof '.ixit["29-InpVal"][0].reject_status = [422]')" --case "$C"
expect_eq "$(sample_verdict s1)" PASS "s1 (400 instead of 422)"
expect_match "$(sample_why s1)" "^config: #1 ntp: empty string: refused with HTTP 400, not with a documented reject_status" "status finding"
expect_match "$(sample_why s1)" "; config: [0-9]+ more findings in the evidence; config: refused [0-9]+ of 120" "findings capped, counts kept"

note "positive control: without credentials the example is refused, INCONCLUSIVE"
cb_run -p "$(prof '.ixit["29-InpVal"][0].auth = "none"')" --case "$C"
expect_eq "$(sample_verdict s1)" INCONCLUSIVE "control without credentials"
expect_match "$(sample_why s1)" "the documented example was not accepted \(HTTP 401\)" "control rationale"

note "a misspelt input id is a bench error, not a shorter test"
cb_run -p "$PROFILE" --testcases "$(cases_with '{"inputs": ["config", "confg"]}')" --case "$C"
expect_eq "$(sample_verdict s1)" ERROR "misspelt input"
expect_match "$(sample_why s1)" "IXIT 29-InpVal has no input 'confg'" "misspelt rationale"
sim_stop
