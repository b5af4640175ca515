# power.cycle and device.reset against simdut: the bench power switch (the
# sample's "power" tool, simdutctl's simulated relay) turns the unit off
# and on, and the console shows its login prompt again; a sample without
# the switch, or one that does not come back, is INCONCLUSIVE with the
# reason, never PASS; "console" as the switch needs a console adapter.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

P=fixtures/profiles/simcam-secure.json
cases=$WORK/testcases
mkdir -p "$cases"
script() { # ID STEP ARGS-JSON
	jq -n --arg id "$1" --arg step "$2" --argjson args "$3" '{
		id: $id, provision: "5.7-1", kind: "functional",
		title: "bench power", purpose: "bench power switching",
		needs: {samples: 1},
		units: [{id: "a", title: "switch", for: "each_sample",
			 steps: [{step: $step} + $args]}]}' > "$cases/$1.json"
}
script 5.7-1-2 power.cycle '{"off_ms": 200, "boot_ms": 8000, "expect": "login: $"}'
prof() { # JQFILTER -> path
	local out=$WORK/profile-$RANDOM.json
	jq "${1:-.}" "$P" |
		sed "s|exec:\.\./simdut/simdutctl|exec:$PWD/fixtures/simdut/simdutctl|" \
			> "$out"
	echo "$out"
}
why() { jq -r '.cases[0].units[0].results[] | "\(.sample) \(.verdict) \(.rationale)"' "$RUN/report.json"; }

note "power.cycle through the bench tool: off, on, and the login prompt again"
sim_start "$(sim_config fixtures/simdut/secure.json .)"
cb_run -p "$(prof .)" --testcases "$cases" --case 5.7-1-2
expect_eq "$(case_verdict 5.7-1-2)" PASS "power cycle"
expect_match "$(why)" "s1 PASS power cycle done; the console showed /login: \\$/" "rationale"
grep -q "power off" "$SIM_STATE/u1.log" || fail "u1 was never switched off"
jq -ne 'any(inputs; .type == "bench-tool" and .tool == "power" and .arg == "off")' "$RUN/evidence.jsonl" >/dev/null ||
	fail "the switching is not in the evidence"

note "a sample that does not come back is INCONCLUSIVE"
script 5.7-1-2 power.cycle '{"off_ms": 100, "boot_ms": 1500, "expect": "never shown"}'
cb_run -p "$(prof .)" --testcases "$cases" --case 5.7-1-2
expect_match "$(why)" "s1 INCONCLUSIVE power cycle done, but the console did not show /never shown/ within 1500 ms" "not back"

note "no reset line in the profile: INCONCLUSIVE, saying so"
script 5.7-1-2 device.reset '{"boot_ms": 100}'
cb_run -p "$(prof .)" --testcases "$cases" --case 5.7-1-2
expect_match "$(why)" "s1 INCONCLUSIVE .*sample s1 has no 'reset' bench tool in the profile" "no reset"
sim_stop

note "\"console\" as the power switch needs a console adapter"
bad=$(prof '.samples[0].power = "console" | del(.samples[0].console)')
set +e
out=$("$CERTBENCH" lint "$bad" 2>&1)
rc=$?
set -e
expect_eq "$rc" 65 "lint exit status"
expect_match "$out" "'power' is \"console\" but the sample has no console adapter" "lint error"
