#!/usr/bin/env bash
# bench/ports.sh - full TCP port scan of 127.0.0.1: certbench vs nmap.
#
# Starts three TLS services (openssl s_server) on free loopback ports,
# then, RUNS times (default 3), times
#   certbench probe ports 127.0.0.1 --json      (all 65535 ports, banners,
#                                                TLS detection)
#   nmap -sT -p- -T4 -oX FILE 127.0.0.1         (connect scan, no banners)
# one after the other and compares the open-port sets.  Other services on
# the machine show up in both and must agree as well; a port that ss saw
# appear or vanish during the run (someone else's test) is reported but
# not held against either tool.  Prints each run's wall times and the
# ratio certbench/nmap; exits 1 on a disagreement or if certbench misses
# TLS on our services, 2 if a tool is missing.
# Usage: bench/ports.sh [RUNS]   Env: CERTBENCH (default build/certbench).
# Only loopback traffic.
set -euo pipefail
cd "$(dirname "$0")/.."
CERTBENCH=${CERTBENCH:-build/certbench}
runs=${1:-3}

for tool in nmap jq openssl ss; do
	command -v "$tool" >/dev/null && continue
	pkg=$tool
	[ "$tool" = ss ] && pkg=iproute2
	echo "bench: $tool is not installed: apt-get install $pkg" >&2
	exit 2
done
[ -x "$CERTBENCH" ] || make -s "$CERTBENCH"

work=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

bash fixtures/pki.sh "$work/pki" >/dev/null

# A port nothing listens on (below the ephemeral range).
free_port() {
	local p
	while :; do
		p=$((1024 + RANDOM % 31000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

tls_ports=()
for i in 1 2 3; do
	port=$(free_port)
	openssl s_server -quiet -accept "127.0.0.1:$port" -www \
		-cert "$work/pki/simdut.pem" -key "$work/pki/simdut.key" \
		</dev/null >"$work/s_server$i.log" 2>&1 &
	pids+=("$!")
	for _ in $(seq 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		sleep 0.1
	done
	tls_ports+=("$port")
done

listening() { # ports listening where 127.0.0.1 reaches them, one a line
	ss -Hltn | awk '{ n = split($4, a, ":"); addr = substr($4, 1, length($4) - length(a[n]) - 1)
		if (addr ~ /^(0\.0\.0\.0|127\.0\.0\.1|\*|\[::\])$/) print a[n] }' | sort -un
}
now() { date +%s.%N; }

echo "TLS services on 127.0.0.1: ${tls_ports[*]}"
printf '%-4s %14s %10s %8s  %s\n' run "certbench s" "nmap s" ratio "open ports (agree?)"
status=0
for run in $(seq "$runs"); do
	listening >"$work/ss0"
	t0=$(now)
	"$CERTBENCH" probe ports 127.0.0.1 --json >"$work/cb.json"
	t1=$(now)
	listening >"$work/ss1"
	t2=$(now)
	nmap -sT -p- -T4 -oX "$work/nmap.xml" 127.0.0.1 >/dev/null
	t3=$(now)
	listening >"$work/ss2"

	jq -r '.tcp.open_ports[].port' "$work/cb.json" | sort -n >"$work/cb.open"
	grep -o '<port protocol="tcp" portid="[0-9]*"><state state="open"' \
		"$work/nmap.xml" | grep -o 'portid="[0-9]*"' | tr -dc '0-9\n' |
		sort -n >"$work/nmap.open"
	# ports some snapshot saw listening and another did not
	sort -n "$work/ss0" "$work/ss1" "$work/ss2" | uniq -c |
		awk '$1 < 3 { print $2 }' | sort -n >"$work/transient"
	comm -3 "$work/cb.open" "$work/nmap.open" | tr -d '\t' | sort -n \
		>"$work/diff"
	bad=$(comm -23 "$work/diff" "$work/transient" | tr '\n' ' ')
	moved=$(comm -12 "$work/diff" "$work/transient" | tr '\n' ' ')
	verdict="yes"
	[ -n "$moved" ] && verdict="yes, but for transient $moved"
	if [ -n "$bad" ]; then
		verdict="NO: differ on $bad"
		status=1
	fi
	for p in "${tls_ports[@]}"; do
		jq -e --argjson p "$p" '.tcp.open_ports[] | select(.port == $p and .tls)' \
			"$work/cb.json" >/dev/null || { verdict="$verdict; TLS missed on $p"; status=1; }
	done
	cb=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	nm=$(awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.2f", b - a }')
	printf '%-4s %14s %10s %8s  %s (%s)\n' "$run" "$cb" "$nm" \
		"$(awk -v a="$t1" -v b="$t0" -v c="$t3" -v d="$t2" 'BEGIN { printf "%.2f", (a - b) / (c - d) }')" \
		"$(tr '\n' ' ' <"$work/cb.open" | sed 's/ $//')" "$verdict"
done
echo "machine: $(nproc) CPU, $(uname -r); $(nmap --version | head -1); $(date -u +%Y-%m-%d)"
exit "$status"
