# Insecure configuration (shared root/admin default, no security.txt):
# both functional cases FAIL and each unit's rationale names what was
# observed.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

sim_start "$(sim_config fixtures/simdut/insecure.json)"
cb_run -p fixtures/profiles/simcam-insecure.json \
	-a fixtures/answers/simcam-insecure.json
cat "$WORK/stderr"
expect_eq "$RC" 1 "exit status"
expect_eq "$(case_verdict 5.1-1-2)" FAIL "5.1-1-2"
expect_eq "$(case_verdict 5.2-1-2)" FAIL "5.2-1-2"
expect_eq "$(unit_verdict 5.1-1-2 c1)" PASS "positive control"
expect_eq "$(unit_verdict 5.1-1-2 c2)" FAIL "uniqueness"
expect_match "$(unit_why 5.1-1-2 c2)" "s1 and s2 share the same value \(fp:" "c2 rationale"
expect_eq "$(unit_verdict 5.1-1-2 c3)" FAIL "cross-sample"
expect_match "$(unit_why 5.1-1-2 c3)" "credential of sample s2 .* accepted on console \(console\) of s1" "c3 rationale"
expect_eq "$(unit_verdict 5.1-1-2 c4)" FAIL "Mirai"
expect_match "$(unit_why 5.1-1-2 c4)" "^root/.* was accepted on console; 1 of the 61 Mirai default credentials tried was accepted on console of s1" "c4 rationale"
expect_eq "$(unit_verdict 5.2-1-2 a)" FAIL "vdp reachable"
expect_match "$(unit_why 5.2-1-2 a)" "answered HTTP 404" "vdp rationale"
expect_eq "$(unit_verdict 5.2-1-2 b)" INCONCLUSIVE "vdp content without a policy"
expect_eq "$(case_verdict 5.1-3-2)" FAIL "telnet in clear"
expect_eq "$(case_verdict 5.1-4-2)" FAIL "broken password change"
expect_eq "$(case_verdict 5.1-5-2)" FAIL "no brute-force protection"
expect_match "$(unit_why 5.1-5-2 b)" "brute force is practicable" "brute-force rationale"
expect_eq "$(case_verdict 5.1-2-2)" FAIL "shared Mirai password"
expect_match "$(unit_why 5.1-2-2 a)" "pwq.list.mirai" "password quality rationale"
expect_eq "$(case_verdict 5.5-1-2)" FAIL "legacy TLS"
expect_match "$(unit_why 5.5-1-2 a)" "accepts TLS 1.0 \(tls.proto.tls10\)" "TLS rationale"
expect_match "$(unit_why 5.5-1-2 a)" "accepts TLS 1.1, which IXIT 11-ComMech does not document" "TLS vs IXIT"
expect_eq "$(unit_verdict 5.6-1-2 b)" FAIL "undocumented debug service"
expect_match "$(unit_why 5.6-1-2 b)" "port [0-9]+/tcp is open and not documented in IXIT 13-SoftServ \(banner \"simdut debug service" "scan rationale"
expect_eq "$(unit_verdict 5.6-1-2 a)" PASS "documented services as documented"
expect_eq "$(unit_verdict 5.5-4-2 a)" FAIL "viewer reaches the settings"
expect_match "$(unit_why 5.5-4-2 a)" "config-write: POST /api/config let in role viewer" "access rationale"
expect_eq "$(unit_verdict 5.5-5-2 b)" FAIL "debug service beside IXIT 11-ComMech"
expect_match "$(unit_why 5.5-4-2 b)" "config-read: its service names mechanism 'api', which IXIT 1-AuthMech does not document" "undocumented mechanism"
expect_eq "$(case_verdict 5.6-2-2)" FAIL "information leaks"
expect_match "$(unit_why 5.6-2-2 a)" "lan: HTTP header Server of GET / discloses software_version" "leak: server header"
expect_match "$(unit_why 5.6-2-2 a)" "discloses serial" "leak: serial"
expect_match "$(unit_why 5.6-2-2 a)" "discloses internal_address: \"10\.0\.3\.7" "leak: internal address"
expect_eq "$(case_verdict 5.6-4-2)" FAIL "open debug UART"
expect_match "$(unit_why 5.6-4-2 a)" "open root shell at 115200 baud on debug-uart" "root shell rationale"
expect_match "$(unit_why 5.6-4-2 a)" "bootloader accepts commands at 57600 baud on debug-uart" "bootloader rationale"
expect_eq "$(jq -r .overall_verdict "$RUN/report.json")" FAIL "overall"
note "the shared password is masked everywhere, even where it is a Mirai entry"
if grep -rlF -- admin "$RUN"; then fail "password found in clear"; fi
note "one TCP scan per sample is shared until a step changes the device"
ev=$RUN/evidence.jsonl
for s in s1 s2; do
	scans=$(jq -c --arg s "$s" 'select(.type == "scan" and .protocol == "tcp" and .sample == $s) | .seq' "$ev" | wc -l)
	reused=$(jq -c --arg s "$s" 'select(.type == "scan-reused" and .sample == $s) | .seq' "$ev" | wc -l)
	[ "$scans" -ge 1 ] && [ "$reused" -ge 1 ] || fail "$s: $scans scans, $reused reused"
	[ $((scans + reused)) -eq 6 ] || fail "$s: $scans scans + $reused reused, want 6 asks"
done
# every reuse names a scan of the same sample and host, made earlier
jq -s -e 'map({key: (.seq | tostring), value: .}) | from_entries as $by |
	[.[] | select(.type == "scan-reused")] |
	all(. as $r | $by[$r.scan_seq | tostring] |
	    .type == "scan" and .sample == $r.sample and .host == $r.host and .seq < $r.seq)' "$ev" >/dev/null ||
	fail "a scan-reused record names no earlier scan of its sample"
# the firmware updates between 5.1-5-2 and 5.5-5-2 make the next ask scan again
jq -s -e '[.[] | select(.type == "scan" and .protocol == "tcp" and .sample == "s1") | .case] | index("5.5-5-2") != null' "$ev" >/dev/null ||
	fail "5.5-5-2 reused a scan made before the update cases"
sim_stop

note "one sample: the units that judge a sample alone still run, the comparisons do not"
one=$WORK/one-sample.json
jq '.samples |= .[:1]' fixtures/profiles/simcam-insecure.json |
	sed "s|exec:\.\./simdut/|exec:$PWD/fixtures/simdut/|g" > "$one"
sim_start "$(sim_config fixtures/simdut/insecure.json)"
cb_run -p "$one" -a fixtures/answers/simcam-insecure.json --case 5.1-1-2 --case 5.1-2-2
expect_eq "$(case_verdict 5.1-1-2)" FAIL "a Mirai password on one sample is a finding"
expect_eq "$(unit_verdict 5.1-1-2 c4)" FAIL "Mirai on one sample"
expect_eq "$(unit_verdict 5.1-1-2 c1)" PASS "positive control on one sample"
for u in c2 c3; do
	expect_eq "$(unit_verdict 5.1-1-2 $u)" INCONCLUSIVE "$u on one sample"
	expect_match "$(unit_why 5.1-1-2 $u)" "this unit compares samples, and the case needs 2 while the profile has 1" "$u rationale"
done
expect_eq "$(case_verdict 5.1-2-2)" INCONCLUSIVE "password quality needs every sample"
expect_match "$(jq -r '.cases[] | select(.id == "5.1-2-2") | .reason' "$RUN/report.json")" "needs 2 samples, the profile has 1" "case reason"
sim_stop

note "expired security.txt: FAIL naming the RFC 9116 rule"
sim_start "$(sim_config fixtures/simdut/secure.json '.security_txt = "expired"')"
cb_run -p fixtures/profiles/simcam-secure.json --case 5.2-1-2
expect_eq "$RC" 1 "exit status (expired)"
expect_match "$(unit_why 5.2-1-2 b)" "sectxt.expires.past" "expired rationale"
sim_stop

note "policy without timelines: FAIL"
sim_start "$(sim_config fixtures/simdut/secure.json '.vdp_policy = "no_timelines"')"
cb_run -p fixtures/profiles/simcam-secure.json --case 5.2-1-2
expect_eq "$RC" 1 "exit status (no timelines)"
expect_match "$(unit_why 5.2-1-2 b)" "no timeline for acknowledging receipt" "timeline rationale"
sim_stop

note "universal default beside unique passwords: only the Mirai unit fails"
sim_start "$(sim_config fixtures/simdut/secure.json '.universal_default_password = true')"
cb_run -p fixtures/profiles/simcam-secure.json --case 5.1-1-2 \
	-a fixtures/answers/simcam-secure.json
expect_eq "$RC" 1 "exit status (universal default)"
expect_eq "$(unit_verdict 5.1-1-2 c2)" PASS "unique sticker passwords"
expect_eq "$(unit_verdict 5.1-1-2 c4)" FAIL "hidden default found"
expect_match "$(unit_why 5.1-1-2 c4)" "root/admin was accepted on console" "names the default"
sim_stop
