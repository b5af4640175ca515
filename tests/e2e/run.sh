#!/usr/bin/env bash
# run.sh - run every end-to-end test (t_*.sh) against the real certbench
# and simdut binaries, each with its own time limit, E2E_JOBS (default 2)
# at a time; report and fail if any test fails.  Env: CERTBENCH, SIMDUT,
# BUILD (set by the Makefile), E2E_ONLY (a name filter), E2E_TIMEOUT.
set -u
cd "$(dirname "$0")/../.."
export CERTBENCH=${CERTBENCH:-build/certbench}
export SIMDUT=${SIMDUT:-build/simdut}
export BUILD=${BUILD:-build}
limit=${E2E_TIMEOUT:-600}
# Under ASAN=1 a sanitizer report must never pass for an expected exit code.
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=87:print_stacktrace=1}
# Every test's work folder lives under this run's own root, so the check
# for leftover simulated devices below sees this run's and nobody else's.
E2E_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/certbench-e2e-run.XXXXXX")
export E2E_ROOT
failed=()
jobs=${E2E_JOBS:-2}
# The longest tests start first, so the lanes end together; each test
# runs in a network namespace of its own, so lanes do not meet.
tests=()
for t in tests/e2e/t_auth.sh tests/e2e/t_secure.sh tests/e2e/t_*.sh; do
	[ -n "${E2E_ONLY:-}" ] && [[ "$t" != *"$E2E_ONLY"* ]] && continue
	[[ " ${tests[*]-} " == *" $t "* ]] || tests+=("$t")
done
results=$(mktemp -d)

run_one() { # TEST INDEX
	local start rc=0
	start=$(date +%s)
	timeout --kill-after=10 "$limit" bash "$1" >"$results/$2.log" 2>&1 ||
		rc=$?
	echo "$rc $(( $(date +%s) - start ))" >"$results/$2.tmp"
	mv "$results/$2.tmp" "$results/$2.rc"
}

# Print the tests that have ended since the last call, in order of ending.
report() {
	local f i rc secs
	for f in "$results"/*.rc; do
		[ -e "$f" ] || continue
		i=$(basename "$f" .rc)
		read -r rc secs <"$f"
		if [ "$rc" = 0 ]; then
			printf '  E2E     %-40s ok (%ss)\n' "$(basename "${tests[$i]}")" "$secs"
		else
			printf '  E2E     %-40s FAILED (exit %s, %ss)\n' "$(basename "${tests[$i]}")" "$rc" "$secs"
			sed 's/^/    | /' "$results/$i.log"
			failed+=("${tests[$i]}")
		fi
		mv "$f" "$results/$i.done"
	done
}

running=0
for i in "${!tests[@]}"; do
	while [ "$running" -ge "$jobs" ]; do
		wait -n
		running=$((running - 1))
		report
	done
	run_one "${tests[$i]}" "$i" &
	running=$((running + 1))
done
wait
report
rm -rf "$results"
# No test may leave a simulated device behind (only ours: their state
# folders live in the tests' work folders under E2E_ROOT).
if pgrep -f -- "--state $E2E_ROOT/" >/dev/null 2>&1; then
	echo "  E2E     a simdut process is still running:" >&2
	pgrep -af -- "--state $E2E_ROOT/" >&2
	pkill -f -- "--state $E2E_ROOT/"
	failed+=("leftover simdut")
fi
rm -rf "$E2E_ROOT"
if [ ${#failed[@]} -gt 0 ]; then
	echo "e2e: ${#failed[@]} failed: ${failed[*]}" >&2
	exit 1
fi
