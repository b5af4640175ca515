# lib.sh - shared set-up for the end-to-end tests (sourced).
#
# Gives every test a private work folder, the demo PKI, simdut start and
# stop with guaranteed clean-up, and small assertions.  Tests run the real
# binaries: $CERTBENCH and $SIMDUT.
set -euo pipefail
: "${CERTBENCH:?}" "${SIMDUT:?}" "${BUILD:?}"

# Run in a private network namespace of our own when we can: every
# 127.0.0.0/8 address is then ours alone, so a port scan of a simulated
# unit sees that unit and nothing else on the machine.
if [ -z "${CB_NETNS:-}" ] && unshare -n true 2>/dev/null; then
	exec env CB_NETNS=1 unshare -n bash -c \
		'ip link set lo up && exec bash "$0" "$@"' "$0" "$@"
fi
export SIMDUT
WORK=$(mktemp -d "${E2E_ROOT:-${TMPDIR:-/tmp}}/certbench-e2e.XXXXXX")
PKI=$BUILD/e2e-pki
export SIMDUT_CA=$PKI/web-ca.pem
# The simulated manufacturer's key and signed firmware images.
export SIMDUT_FW=$(cd "$BUILD" && pwd)/e2e-fw
# Tests run side by side (run.sh): the first makes the shared PKI and
# images while the others wait, so none sees them half written.
exec 9>"$BUILD/.e2e-fixtures.lock"
flock 9
bash fixtures/pki.sh "$PKI" >/dev/null
bash fixtures/mkimages.sh "$SIMDUT_FW" >/dev/null
flock -u 9
exec 9>&-
STATES=()

e2e_cleanup() {
	local s
	for s in "${STATES[@]+"${STATES[@]}"}"; do
		bash fixtures/simdut/simdutctl stop "$s" >/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
}
trap e2e_cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "-- $*"; }

# A copy of a simdut config with changes applied by a jq filter, and a
# short login-failure delay so tests stay quick.
sim_config() { # SRC JQFILTER -> path
	local out=$WORK/$(basename "$1" .json)-$RANDOM.json
	jq ".login_fail_delay_ms = 20 | ${2:-.}" "$1" > "$out"
	echo "$out"
}

# Start simdut with TLS; exports SIMDUT_<UNIT>_TTY/_URL for the profiles.
sim_start() { # CONFIG
	local state=$WORK/sim$RANDOM
	STATES+=("$state")
	bash fixtures/simdut/simdutctl start "$1" "$state" \
		--tls-cert "$PKI/simdut.pem" --tls-key "$PKI/simdut.key" \
		--fw-dir "$SIMDUT_FW" --lifetime 600 > "$state.env" ||
		fail "simdut did not start"
	set -a
	# shellcheck disable=SC1090
	. "$state.env"
	set +a
	SIM_STATE=$state
}

sim_stop() {
	bash fixtures/simdut/simdutctl stop "$SIM_STATE" >/dev/null
}

# Run certbench; sets RC and RUN (the run directory, from --quiet).
cb_run() { # ARGS...
	set +e
	RUN=$("$CERTBENCH" run --quiet -o "$WORK/runs" "$@" 2>"$WORK/stderr")
	RC=$?
	set -e
	if grep -Eq "Sanitizer|runtime error" "$WORK/stderr"; then
		cat "$WORK/stderr" >&2
		fail "sanitizer report from certbench"
	fi
}

# Verdict of a case / a unit in the last run's report.
case_verdict() { jq -r --arg c "$1" '.cases[] | select(.id==$c) | .verdict' "$RUN/report.json"; }
unit_verdict() { jq -r --arg c "$1" --arg u "$2" '.cases[] | select(.id==$c) | .units[] | select(.id==$u) | .verdict' "$RUN/report.json"; }
unit_why() { jq -r --arg c "$1" --arg u "$2" '.cases[] | select(.id==$c) | .units[] | select(.id==$u) | .results[].rationale' "$RUN/report.json"; }

# Every case of the last run PASSed; otherwise show those that did not.
expect_all_pass() {
	jq -e '[.cases[] | select(.verdict != "PASS")] | length == 0' "$RUN/report.json" >/dev/null ||
		{ jq '.cases[] | select(.verdict != "PASS")' "$RUN/report.json"; fail "not every case PASSed"; }
}
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
expect_match() { grep -Eq -- "$2" <<<"$1" || fail "$3: '$1' does not match /$2/"; }
