# HTTP Digest as a documented login surface: the positive control and
# the default-credential list run over it, and 'certbench probe login
# --digest' finds a password with the same engine.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

cfg=$(sim_config fixtures/simdut/secure.json '.units |= [.[] | .http_digest = true
	| del(.brute_force)]')
sim_start "$cfg"
profile=$WORK/digest.json
jq '.ixit["1-AuthMech"] = [{id: "dig", surface: "http-digest",
	factor: "password", path: "/api/digest", locked_status: [403]}]' \
	fixtures/profiles/simcam-secure.json > "$profile"
cb_run -p "$profile" -a fixtures/answers/simcam-secure.json --case 5.1-1-2
cat "$WORK/stderr"
expect_eq "$(unit_verdict 5.1-1-2 c1)" PASS "digest positive control"
expect_match "$(unit_why 5.1-1-2 c1)" "accepted on dig \(http-digest\) of s1" "digest surface"
expect_eq "$(unit_verdict 5.1-1-2 c4)" PASS "Mirai over digest"
expect_eq "$(unit_verdict 5.1-1-2 c3)" PASS "cross-sample over digest"
grep -q "http-digest login ok user=admin" "$SIM_STATE/u1.log" || fail "simdut saw no digest login"

note "probe login --digest"
{ for i in $(seq 1 50); do echo "wrong-$i"; done
  jq -r '.units[0].password' "$cfg"; } > "$WORK/list"
out=$("$CERTBENCH" probe login "$SIMDUT_U1_URL/api/digest" --digest \
	--user admin --list "$WORK/list" --concurrency 4 --ca "$PKI/web-ca.pem")
echo "$out"
expect_match "$out" "found +admin/\*+ \(list line 51\)" "probe found it"
expect_match "$out" "attempts +51 in" "probe attempts"
sim_stop
