#!/usr/bin/env bash
# bench/tls.sh - what a TLS server accepts: certbench probe tls vs sslscan.
#
# Both tools scan the same 'openssl s_server -www' on 127.0.0.1 (a
# fixtures/pki.sh certificate), one after the other, for each server
# profile below.  They must agree on the accepted protocol versions and,
# per version, on the accepted cipher suites (OpenSSL names on both sides)
# and on the server's preferred suite; the script prints the median wall
# time of each tool and the ratio, and exits 1 on any disagreement.
#
# Usage: bench/tls.sh [--install] [RUNS]     (RUNS per tool, default 3)
#   --install   install sslscan with apt-get if missing (as root only)
# Env: CERTBENCH (default build/certbench).  Only loopback traffic.
# Exit: 0 agreement, 1 disagreement or a tool failed, 2 a tool is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
CERTBENCH=${CERTBENCH:-build/certbench}
runs=3
install=0
for a in "$@"; do
	case $a in
	--install) install=1 ;;
	[1-9] | [1-9][0-9]) runs=$a ;;
	*) echo "usage: bench/tls.sh [--install] [RUNS]" >&2; exit 64 ;;
	esac
done

if ! command -v sslscan >/dev/null; then
	if [ "$install" = 1 ] && [ "$(id -u)" = 0 ]; then
		apt-get install -y -qq sslscan >/dev/null
	else
		echo "bench: sslscan is not installed." >&2
		echo "bench: install it with: apt-get install sslscan" \
			"(or run bench/tls.sh --install as root)" >&2
		exit 2
	fi
fi
for t in jq openssl; do
	command -v $t >/dev/null ||
		{ echo "bench: $t is missing: apt-get install $t" >&2; exit 2; }
done
[ -x "$CERTBENCH" ] || make -s "$CERTBENCH"

work=$(mktemp -d)
srv=""
stop_server() {
	if [ -n "$srv" ]; then
		kill "$srv" 2>/dev/null || true
		wait "$srv" 2>/dev/null || true
		srv=""
	fi
}
trap 'stop_server; rm -rf "$work"' EXIT
bash fixtures/pki.sh "$work/pki" >/dev/null

# name | s_server options.  Both use the P-256 simdut certificate.
profiles=(
	"modern|-min_protocol TLSv1.2 -max_protocol TLSv1.3 -serverpref
	 -cipher ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA
	 -ciphersuites TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"
	"legacy|-min_protocol TLSv1 -max_protocol TLSv1.3 -serverpref
	 -cipher ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:@SECLEVEL=0
	 -ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"
)

# Start s_server on a free port; sets $port and $srv.
start_server() {
	local opts=$1 try
	for try in 1 2 3 4 5 6 7 8; do
		port=$((20000 + RANDOM % 40000))
		# shellcheck disable=SC2086
		openssl s_server -accept "127.0.0.1:$port" -www \
			-cert "$work/pki/simdut.pem" -key "$work/pki/simdut.key" \
			$opts >"$work/srv.log" 2>&1 </dev/null &
		srv=$!
		for _ in $(seq 50); do
			grep -q '^ACCEPT' "$work/srv.log" && return 0
			kill -0 "$srv" 2>/dev/null || break
			sleep 0.1
		done
		stop_server
	done
	echo "bench: openssl s_server did not start:" >&2
	cat "$work/srv.log" >&2
	exit 1
}

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# "TLS1.2" lines for accepted versions; "TLS1.2 NAME" lines for suites;
# "TLS1.2 NAME" lines for each version's preferred suite.
ours() {
	jq -r '.versions[] | select(.accepted == true) | .version' "$1" | sort
	jq -r '.versions[] | select(.accepted == true) | .version as $v
	       | .ciphers[] | "\($v) \(.name)"' "$1" | sort >"$1.ciphers"
	jq -r '.versions[] | select(.accepted == true and .server_order == true)
	       | "\(.version) \(.ciphers[0].name)"' "$1" | sort >"$1.pref"
}
theirs() {
	grep -o '<protocol [^>]*enabled="1"[^>]*>' "$1" |
		sed -E 's/.*type="(ssl|tls)" version="([0-9.]+)".*/\1 \2/' |
		awk '$1 == "ssl" { print "SSLv" $2; next } { print "TLS" $2 }' |
		sort
	grep -o '<cipher [^>]*>' "$1" |
		sed -E 's/.*sslversion="([^"]*)".*cipher="([^"]*)".*/\1 \2/' |
		sed -E 's/^TLSv/TLS/' | sort >"$1.ciphers"
	grep -o '<cipher status="preferred"[^>]*>' "$1" |
		sed -E 's/.*sslversion="([^"]*)".*cipher="([^"]*)".*/\1 \2/' |
		sed -E 's/^TLSv/TLS/' | sort >"$1.pref"
}

bad=0
printf '%-8s %8s %14s %12s %8s  %s\n' profile suites "certbench ms" "sslscan ms" \
	ratio agreement
for p in "${profiles[@]}"; do
	name=${p%%|*}
	start_server "$(echo "${p#*|}" | tr -s ' \t\n' ' ')"
	target="127.0.0.1:$port"
	cb_times=()
	ss_times=()
	for r in $(seq "$runs"); do
		t0=$(now)
		rc=0
		"$CERTBENCH" probe tls "$target" --json >"$work/cb.json" || rc=$?
		t1=$(now)
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
			echo "bench: certbench failed (exit $rc)" >&2
			exit 1
		fi
		rm -f "$work/ss.xml"
		sslscan --no-colour --xml="$work/ss.xml" "$target" >"$work/ss.txt" 2>&1 ||
			{ cat "$work/ss.txt" >&2; echo "bench: sslscan failed" >&2; exit 1; }
		t2=$(now)
		cb_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) * 1000 }')")
		ss_times+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN { print (b - a) * 1000 }')")
	done
	stop_server
	ours "$work/cb.json" >"$work/cb.versions"
	theirs "$work/ss.xml" >"$work/ss.versions"
	verdict=agree
	for part in versions ciphers pref; do
		case $part in
		versions) a=$work/cb.versions b=$work/ss.versions ;;
		*) a=$work/cb.json.$part b=$work/ss.xml.$part ;;
		esac
		if ! diff -u --label certbench --label sslscan "$a" "$b" \
			>"$work/diff" 2>&1; then
			verdict="DISAGREE ($part)"
			sed 's/^/    /' "$work/diff" >&2
			bad=1
		fi
	done
	cb=$(printf '%s\n' "${cb_times[@]}" | median)
	ss=$(printf '%s\n' "${ss_times[@]}" | median)
	printf '%-8s %8s %14.0f %12.0f %7.1fx  %s (%s)\n' "$name" \
		"$(wc -l <"$work/cb.json.ciphers")" "$cb" "$ss" \
		"$(awk -v a="$cb" -v b="$ss" 'BEGIN { print b / a }')" "$verdict" \
		"$(paste -sd, "$work/cb.versions")"
done
echo "median of $runs runs each; ratio = sslscan time / certbench time;" \
	"$(nproc) CPU, $(uname -r); $(sslscan --version 2>&1 |
		sed 's/\x1b\[[0-9;]*m//g' | awk 'NF { print "sslscan " $1; exit }');" \
	"$(openssl version | awk '{ print $1, $2 }'); $(date -u +%Y-%m-%d)"
exit $bad
