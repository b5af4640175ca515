#!/usr/bin/env bash
# run.sh - run every end-to-end test (t_*.sh) against the real certbench
# and simdut binaries, each with its own time limit; report and fail if
# any test fails.  Env: CERTBENCH, SIMDUT, BUILD (set by the Makefile).
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
for t in tests/e2e/t_*.sh; do
	[ -n "${E2E_ONLY:-}" ] && [[ "$t" != *"$E2E_ONLY"* ]] && continue
	start=$(date +%s)
	log=$(mktemp)
	if timeout --kill-after=10 "$limit" bash "$t" >"$log" 2>&1; then
		printf '  E2E     %-40s ok (%ss)\n' "$(basename "$t")" $(( $(date +%s) - start ))
	else
		rc=$?
		printf '  E2E     %-40s FAILED (exit %s, %ss)\n' "$(basename "$t")" "$rc" $(( $(date +%s) - start ))
		sed 's/^/    | /' "$log"
		failed+=("$t")
	fi
	rm -f "$log"
done
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
