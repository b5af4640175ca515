#!/usr/bin/env bash
# bench/fleet.sh - the full suite against fleets of 1, 4 and 16 simulated
# units: wall time and peak RSS of certbench, and the ratio to one unit.
#
# For each fleet size N it writes a simdut config with N units (from
# fixtures/simdut/secure.json: unit n binds 127.0.0.(10+n), ephemeral
# ports, its own serial, MAC and passwords) and a matching profile (from
# fixtures/profiles/simcam-secure.json: sample sn on unit un, through the
# SIMDUT_Un_* variables simdut's env file gives), starts simdut, and times
#   certbench run -p PROFILE -a fixtures/answers/simcam-secure.json
# (every shipped case; the demo answers cover the assessor's units) under
# /usr/bin/time -v.  Every case must PASS on every fleet, but for a case
# that needs more samples than the fleet has (INCONCLUSIVE, "needs N
# samples": 5.1-1-2 and 5.1-2-2 on one unit, where only the units that
# compare samples are not assessed).  Prints a table with each
# wall time, its ratio to the first size's, certbench's CPU time and peak
# RSS, and exits 1 when 16 units take more than 1.5 times as long as one
# (the goal of issue 6), 3 when a verdict is wrong.
#
# Usage: bench/fleet.sh [SIZES...]   (default: 1 2 4 16; the first is the
#        reference; "vs N" compares with the smallest fleet on which
#        every case runs).  Env: CERTBENCH, SIMDUT, BUILD (default build/...),
#        JOBS (passed as --jobs when set), KEEP=1 keeps the work folder.
# Runs in a private network namespace of its own when it can, like the
# end-to-end tests, so nothing else on the machine sees the units.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CB_NETNS:-}" ] && unshare -n true 2>/dev/null; then
	exec env CB_NETNS=1 unshare -n bash -c \
		'ip link set lo up && exec bash "$0" "$@"' "$0" "$@"
fi
BUILD=${BUILD:-build}
CERTBENCH=${CERTBENCH:-$BUILD/certbench}
export SIMDUT=${SIMDUT:-$BUILD/simdut}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 2 4 16)

for tool in jq openssl /usr/bin/time; do
	command -v "$tool" >/dev/null && continue
	pkg=${tool##*/}
	echo "bench: $tool is not installed: apt-get install $pkg" >&2
	exit 2
done
[ -x "$CERTBENCH" ] && [ -x "$SIMDUT" ] ||
	make -s "$CERTBENCH" "$SIMDUT" O="$BUILD"

work=$(mktemp -d "${TMPDIR:-/tmp}/certbench-fleet.XXXXXX")
states=()
cleanup() {
	local s
	for s in "${states[@]+"${states[@]}"}"; do
		bash fixtures/simdut/simdutctl stop "$s" >/dev/null 2>&1 || true
	done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

bash fixtures/pki.sh "$work/pki" >/dev/null
export SIMDUT_CA=$work/pki/web-ca.pem
export SIMDUT_FW=$work/fw
bash fixtures/mkimages.sh "$SIMDUT_FW" >/dev/null

# Passwords of the documented shape (3-4-4 characters, upper, lower and
# digits), one pair per unit, the same on every run of the script.
RANDOM=6645
pwchars=ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789
pwgroup() { # LEN
	local s="" i
	for ((i = 0; i < $1; i++)); do s+=${pwchars:RANDOM % ${#pwchars}:1}; done
	printf '%s' "$s"
}
password() { # -> e.g. Tq7-vW2m-9KxR, with every class present
	printf '%s%s%s-%s-%s' "$(pwgroup 1 | tr a-z A-Z)" \
		"$(pwgroup 1 | tr A-Z a-z)" "$((RANDOM % 8 + 2))" \
		"$(pwgroup 4)" "$(pwgroup 4)"
}

# units.json: [{n, password, viewer}] for N units.
make_units() { # N
	local n
	for ((n = 1; n <= $1; n++)); do
		jq -n --argjson n "$n" --arg pw "$(password)" \
			--arg vw "Vw-$n-$(pwgroup 4)-$(pwgroup 4)" \
			'{n: $n, password: $pw, viewer: $vw}'
	done | jq -s .
}

make_config() { # UNITS.json -> simdut config
	jq --slurpfile u "$1" '
		def hex2: . as $v | "0123456789abcdef"
			| .[($v / 16 | floor):($v / 16 | floor) + 1] + .[($v % 16):($v % 16) + 1];
		.units[0] as $t
		| .units = [$u[0][] as $x
			| $t + {id: "u\($x.n)",
				serial: "SD2-000\(100 + $x.n)",
				mac: "02:5d:00:00:01:\($x.n | hex2)",
				bind: "127.0.0.\(10 + $x.n)",
				password: $x.password,
				viewer_password: $x.viewer}]' \
		fixtures/simdut/secure.json
}

make_profile() { # UNITS.json CONFIG -> profile
	local tool
	tool=$(pwd)/fixtures/simdut/simdutctl
	jq --slurpfile u "$1" --slurpfile c "$2" --arg tool "$tool" '
		.samples[0] as $t
		| .samples = [$u[0][] as $x
			| ($c[0].units[$x.n - 1]) as $cu
			| $t + {id: "s\($x.n)",
				serial: $cu.serial, mac: $cu.mac,
				label: "sample \($x.n) of \($u[0] | length)",
				console: "tty://${env.SIMDUT_U\($x.n)_TTY}?baud=115200",
				http: "${env.SIMDUT_U\($x.n)_URL}/",
				credentials: {user: "admin", password: $x.password},
				power: "exec:\($tool) power ${env.SIMDUT_STATE} u\($x.n)",
				flash: "exec:\($tool) flash ${env.SIMDUT_STATE} u\($x.n)",
				accounts: [{user: "viewer", password: $x.viewer,
					    role: "viewer"}],
				interfaces: {"debug-uart":
					"tty://${env.SIMDUT_U\($x.n)_DEBUG_TTY}"}}]' \
		fixtures/profiles/simcam-secure.json
}

# field FILE NAME: a value from /usr/bin/time -v output.
field() { sed -n "s/^[[:space:]]*$2: //p" "$1"; }
# Wall clock "h:mm:ss" or "m:ss.cc" in seconds.
seconds() {
	awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }' <<<"$1"
}

declare -A wall rss cases cpu
status=0
for n in "${sizes[@]}"; do
	d=$work/n$n
	mkdir -p "$d"
	make_units "$n" >"$d/units.json"
	make_config "$d/units.json" >"$d/simdut.json"
	make_profile "$d/units.json" "$d/simdut.json" >"$d/profile.json"
	states+=("$d/state")
	bash fixtures/simdut/simdutctl start "$d/simdut.json" "$d/state" \
		--tls-cert "$work/pki/simdut.pem" --tls-key "$work/pki/simdut.key" \
		--fw-dir "$SIMDUT_FW" --lifetime 3600 >"$d/state.env"
	set -a
	# shellcheck disable=SC1091
	. "$d/state.env"
	set +a
	set +e
	/usr/bin/time -v -o "$d/time.txt" "$CERTBENCH" run --quiet \
		${JOBS:+--jobs "$JOBS"} -o "$d/runs" -p "$d/profile.json" \
		-a fixtures/answers/simcam-secure.json >"$d/run.out" 2>"$d/run.err"
	rc=$?
	set -e
	bash fixtures/simdut/simdutctl stop "$d/state" >/dev/null
	run=$(tail -1 "$d/run.out")
	if [ ! -f "$run/report.json" ] || [ "$rc" -gt 2 ] ||
		jq -e --argjson n "$n" '[.cases[] | select(.verdict != "PASS")
			| select(.verdict != "INCONCLUSIVE" or
				 ((.reason // "") | test("^needs [0-9]+ samples") | not) or
				 ((.reason | capture("^needs (?<k>[0-9]+)").k | tonumber) <= $n))]
			| length > 0' "$run/report.json" >/dev/null; then
		echo "bench: $n units: certbench exit $rc, unexpected verdicts:" >&2
		cat "$d/run.err" >&2
		[ -f "$run/report.json" ] && jq -c '.cases[] | select(.verdict != "PASS") | {id, verdict, reason}' "$run/report.json" >&2
		status=3
	fi
	wall[$n]=$(seconds "$(field "$d/time.txt" 'Elapsed (wall clock) time (h:mm:ss or m:ss)')")
	rss[$n]=$(field "$d/time.txt" 'Maximum resident set size (kbytes)')
	cpu[$n]=$(awk -v u="$(field "$d/time.txt" 'User time (seconds)')" \
		-v s="$(field "$d/time.txt" 'System time (seconds)')" \
		'BEGIN { printf "%.1f+%.1f", u, s }')
	cases[$n]=$( [ -f "$run/report.json" ] &&
		jq '[.cases[] | select(.verdict == "PASS")] | length' "$run/report.json" || echo 0)
	# per-case times, slowest first, for finding what serialises
	[ -f "$run/report.json" ] && jq -r '.cases[] | "\(.elapsed_ms)\t\(.id)"' \
		"$run/report.json" | sort -rn >"$d/case-times.txt"
	printf '  %2s unit(s): %6ss  %s\n' "$n" "${wall[$n]}" "(exit $rc)" >&2
done

ref=${sizes[0]}
total=$(ls testcases/en303645/*.json | wc -l)
# The smallest fleet on which every case runs (5.1-1-2 needs two).
full=
for n in "${sizes[@]}"; do
	[ -z "$full" ] && [ "${cases[$n]}" = "$total" ] && full=$n
done
printf '\n%-6s %9s %7s %8s %16s %14s %11s\n' units "wall (s)" ratio \
	"vs ${full:-?}" "CPU usr+sys (s)" "peak RSS (MB)" "cases PASS"
for n in "${sizes[@]}"; do
	ratio=$(awk -v a="${wall[$n]}" -v b="${wall[$ref]}" 'BEGIN { printf "%.2f", a / b }')
	rfull=-
	[ -n "$full" ] && [ "$n" -ge "$full" ] &&
		rfull=$(awk -v a="${wall[$n]}" -v b="${wall[$full]}" 'BEGIN { printf "%.2f", a / b }')
	printf '%-6s %9s %7s %8s %16s %14s %11s\n' "$n" "${wall[$n]}" "$ratio" \
		"$rfull" "${cpu[$n]}" \
		"$(awk -v k="${rss[$n]}" 'BEGIN { printf "%.1f", k / 1024 }')" \
		"${cases[$n]}/$total"
	if [ "$n" -ge 16 ] && [ "$status" = 0 ] &&
		awk -v r="$ratio" 'BEGIN { exit !(r > 1.5) }'; then
		echo "bench: $n units take ${ratio}x the time of $ref (goal: 1.5x)" >&2
		status=1
	fi
done
last=${sizes[${#sizes[@]}-1]}
echo
echo "cases that grew most from $ref to $last units (ms at $ref, at $last, difference):"
join -1 2 -2 2 <(sort -k2 "$work/n$ref/case-times.txt") \
	<(sort -k2 "$work/n$last/case-times.txt") 2>/dev/null |
	awk '{ printf "  %-9s %7d %7d %7d\n", $1, $2, $3, $3 - $2 }' |
	sort -k4 -rn | head -8
echo "machine: $(nproc) CPU, $(uname -r); certbench $("$CERTBENCH" --version 2>/dev/null | head -1); $(date -u +%Y-%m-%d)"
exit "$status"
