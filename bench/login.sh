#!/usr/bin/env bash
# bench/login.sh - HTTP login attempts per second: certbench vs hydra.
#
# Both tools try the same 5,000-password list (the right password last)
# against the same simdut HTTP Basic endpoint with no brute-force
# protection, at the same concurrency, one after the other in one run.
# Each must find the password; the script prints attempts/s for both and
# the ratio.  Usage: bench/login.sh [CONCURRENCY...]   (default: 4 16 32)
# Env: CERTBENCH, SIMDUT (default build/...).  Installs hydra if missing
# (as root).  Only loopback traffic.
set -euo pipefail
cd "$(dirname "$0")/.."
CERTBENCH=${CERTBENCH:-build/certbench}
export SIMDUT=${SIMDUT:-build/simdut}
levels=("${@:-4 16 32}")
read -r -a levels <<<"${levels[*]}"

if ! command -v hydra >/dev/null; then
	[ "$(id -u)" = 0 ] || { echo "bench: hydra is not installed" >&2; exit 1; }
	apt-get install -y -qq hydra >/dev/null
fi
[ -x "$CERTBENCH" ] && [ -x "$SIMDUT" ] || make -s all

work=$(mktemp -d)
trap 'bash fixtures/simdut/simdutctl stop "$work/sim" >/dev/null 2>&1; rm -rf "$work"' EXIT

jq -n '{security_txt: "missing", vdp_policy: "missing",
	units: [{id: "u1", serial: "BENCH-1", mac: "02:00:00:00:00:01",
		 user: "admin", password: "Rt8-kP2v-Wq5z", http_basic: true}]}' \
	> "$work/sim.json"
set -a
# shellcheck disable=SC1090
. <(bash fixtures/simdut/simdutctl start "$work/sim.json" "$work/sim")
set +a
url="$SIMDUT_U1_URL/api/secure"
port=${SIMDUT_U1_URL##*:}

# 4,999 wrong passwords, then the right one.
for i in $(seq 1 4999); do printf 'wrong-%05d\n' "$i"; done > "$work/list"
echo "Rt8-kP2v-Wq5z" >> "$work/list"

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

printf '%-12s %12s %12s %8s\n' concurrency "certbench/s" "hydra/s" ratio
for c in "${levels[@]}"; do
	t0=$(now)
	"$CERTBENCH" probe login "$url" --basic --user admin \
		--list "$work/list" --concurrency "$c" > "$work/cb.out"
	t1=$(now)
	grep -q "^found *admin/" "$work/cb.out" || { cat "$work/cb.out"; echo "bench: certbench did not find it" >&2; exit 1; }
	t2=$(now)
	hydra -l admin -P "$work/list" -t "$c" -f -I -q 127.0.0.1 -s "$port" \
		http-get /api/secure > "$work/hydra.out" 2>&1 || true
	t3=$(now)
	grep -q "password: Rt8-kP2v-Wq5z" "$work/hydra.out" || { cat "$work/hydra.out"; echo "bench: hydra did not find it" >&2; exit 1; }
	cb=$(rate 5000 "$t0" "$t1")
	hy=$(rate 5000 "$t2" "$t3")
	printf '%-12s %12s %12s %8s\n' "$c" "$cb" "$hy" \
		"$(awk -v a="$cb" -v b="$hy" 'BEGIN { printf "%.2f", a / b }')"
done
echo "machine: $(nproc) CPU, $(uname -r); hydra $(hydra -h 2>&1 | head -1 | awk '{print $2}'); $(date -u +%Y-%m-%d)"
