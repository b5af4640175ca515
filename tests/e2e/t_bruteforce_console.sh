# auth.bruteforce on the serial console: one session, so one level at
# concurrency 1; the sample's lockout is seen and judged against the IXIT
# claim, and a console without one FAILs.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

cases=$WORK/testcases
mkdir -p "$cases"
jq -n '{id: "5.1-5-2", provision: "5.1-5", kind: "functional",
	title: "console brute force", purpose: "brute force on the console",
	needs: {samples: 1, ixit: ["1-AuthMech"]},
	units: [{id: "b", title: "console", for: "each_sample",
		 steps: [{step: "auth.bruteforce", mechanisms: ["console"],
			  user: "${sample.credentials.user}",
			  password: "${sample.credentials.password}",
			  attempts: 14, level_ms: 20000}]}]}' > "$cases/5.1-5-2.json"
why() { jq -r '.cases[0].units[0].results[] | "\(.sample) \(.verdict) \(.rationale)"' "$RUN/report.json"; }

note "a console that locks after 10 failures, as documented: PASS"
sim_start "$(sim_config fixtures/simdut/secure.json)"
cb_run -p fixtures/profiles/simcam-secure.json --testcases "$cases" --case 5.1-5-2
expect_eq "$(case_verdict 5.1-5-2)" PASS "lockout on the console"
expect_match "$(why)" "^s1 PASS console \(console\): .*locks out after 10 failed attempts" "s1 rationale"
expect_match "$(why)" "1 parallel: [0-9]+ attempts" "one level"
if why | grep -q "4 parallel"; then fail "a console was attacked in parallel"; fi
jq -ne 'any(inputs; .type == "io" and .adapter == "s1.console" and .op == "write" and (.data | tostring | test("cb-wrong")))' \
	"$RUN/evidence.jsonl" >/dev/null || fail "no wrong password went over the console"
sim_stop

note "a console without lockout or throttling: FAIL"
sim_start "$(sim_config fixtures/simdut/secure.json '.units[].brute_force = {mode: "none"}')"
cb_run -p fixtures/profiles/simcam-secure.json --testcases "$cases" --case 5.1-5-2
expect_eq "$(case_verdict 5.1-5-2)" FAIL "no lockout on the console"
expect_match "$(why)" "^s1 FAIL console \(console\): " "FAIL rationale"
sim_stop
