# Secure configuration: both functional cases PASS on two units, the
# report is signed and verifies, and no profile password appears in clear
# in any file of the run directory.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

sim_start "$(sim_config fixtures/simdut/secure.json)"
cb_run -p fixtures/profiles/simcam-secure.json \
	-a fixtures/answers/simcam-secure.json --lab fixtures/lab/demo-lab.json \
	--sign "$PKI/lab.key" --cert "$PKI/lab.pem"
cat "$WORK/stderr"
expect_eq "$RC" 0 "exit status"
for c in $(jq -r '.cases[].id' "$RUN/report.json"); do
	expect_eq "$(case_verdict $c)" PASS "$c"
done
expect_eq "$(jq '.cases | length' "$RUN/report.json")" \
	"$(ls testcases/en303645/*.json | wc -l)" "every shipped case ran"
expect_eq "$(jq -r .status "$RUN/report.json")" final "report status"
expect_match "$(unit_why 5.1-1-2 c1)" "documented credential .* accepted on console \(console\) of s1" "c1"
expect_match "$(unit_why 5.1-1-2 c2)" "all 2 differ" "c2"
expect_match "$(unit_why 5.1-1-2 c3)" "credential of sample s2 .* refused on console \(console\) of s1" "c3"
expect_match "$(unit_why 5.1-1-2 c4)" "none of the 61 Mirai default credentials" "c4"
expect_match "$(unit_why 5.2-1-2 b)" "acknowledgement: .*5 business days" "vdp"

note "simdut saw the logins"
grep -q "console login ok user=admin" "$SIM_STATE/u1.log" || fail "no login in simdut log"

note "signature and chain verify (certbench and stock openssl)"
"$CERTBENCH" verify "$RUN" --ca "$PKI/lab-ca.pem"
openssl cms -verify -binary -inform DER -in "$RUN/report.json.p7s" \
	-content "$RUN/report.json" -CAfile "$PKI/lab-ca.pem" -out /dev/null

note "no password from the profile in clear in the run directory"
for pw in $(jq -r '.samples[].credentials.password' fixtures/profiles/simcam-secure.json); do
	if grep -rlF -- "$pw" "$RUN"; then fail "password found in clear"; fi
done
grep -q 'fp:' "$RUN/evidence.jsonl" || fail "no fingerprints in the evidence"
sim_stop
