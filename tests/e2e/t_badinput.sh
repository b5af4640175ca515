# Malformed test cases, profiles and answers files: each gives exactly
# its expected file:line:column: message, exit 65, creates no run
# directory and touches no device (the simulated units see no traffic).
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

sim_start "$(sim_config fixtures/simdut/secure.json)"
profile=fixtures/profiles/simcam-secure.json
answers=fixtures/answers/simcam-secure.json
n=0

check() { # EXPECTED_FILE ARGS...
	local want=$1
	shift
	cb_run "$@"
	expect_eq "$RC" 65 "exit status for $want"
	expect_eq "$(cat "$WORK/stderr")" "certbench: $(cat "$want")" "message for $want"
	[ -z "$RUN" ] || fail "a run directory was reported for $want"
	n=$((n + 1))
}

for d in fixtures/bad/testcases/*/; do
	check "$d/expected-error" -p "$profile" -a "$answers" --testcases "$d"
done
for f in fixtures/bad/profiles/*.json; do
	check "${f%.json}.expected-error" -p "$f" -a "$answers"
done
for f in fixtures/bad/answers/*.json; do
	check "${f%.json}.expected-error" -p "$profile" -a "$f"
done
note "$n bad input files rejected"

[ ! -e "$WORK/runs" ] || [ -z "$(ls -A "$WORK/runs")" ] || fail "run directories were created"
for log in "$SIM_STATE"/*.log; do
	if grep -Eq "console rx|http " "$log"; then
		cat "$log"
		fail "a device was touched: $log"
	fi
done
note "no device saw any traffic"

note "lint agrees and names every bad file"
set +e
out=$("$CERTBENCH" lint fixtures/bad/profiles/*.json fixtures/bad/answers/*.json 2>&1)
rc=$?
set -e
expect_eq "$rc" 65 "lint exit status"
expect_eq "$(grep -c '^certbench: fixtures/bad/' <<<"$out")" \
	"$(ls fixtures/bad/profiles/*.json fixtures/bad/answers/*.json | wc -l)" "lint errors"
"$CERTBENCH" lint testcases/en303645/*.json fixtures/answers/*.json \
	fixtures/lab/*.json >/dev/null

note "usage errors exit 64"
set +e
"$CERTBENCH" run >/dev/null 2>&1; expect_eq $? 64 "run without a profile"
"$CERTBENCH" frobnicate >/dev/null 2>&1; expect_eq $? 64 "unknown command"
set -e
sim_stop
