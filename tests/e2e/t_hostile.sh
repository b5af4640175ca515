# Hostile or broken devices: a console that floods, one that stays silent
# and one that babbles garbage give ERROR with a reason (never PASS, never
# a hang or a crash); the run still completes, writes its report, and
# exits 2 (draft).
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

sim_start "$(sim_config fixtures/simdut/hostile.json)"
profile=$WORK/hostile-profile.json
jq '.ixit["1-AuthMech"][0].timeout_ms = 1500
    | .samples = [range(1; 4) as $i | .samples[0]
        | .id = "s\($i)" | .serial = "SD2-00010\($i)"
        | .console = "tty://${env.SIMDUT_U\($i)_TTY}?baud=115200"
        | .http = "${env.SIMDUT_U\($i)_URL}/"
        | .credentials.password = "pw-\($i)-unused" | del(.interfaces)]' \
	fixtures/profiles/simcam-secure.json > "$profile"

start=$(date +%s)
cb_run -p "$profile" --case 5.1-1-2 -a fixtures/answers/simcam-secure.json
elapsed=$(( $(date +%s) - start ))
cat "$WORK/stderr"
expect_eq "$RC" 2 "exit status (draft)"
expect_eq "$(case_verdict 5.1-1-2)" ERROR "case verdict"
expect_eq "$(jq -r .status "$RUN/report.json")" draft "report status"
why=$(unit_why 5.1-1-2 c1)
echo "$why"
expect_match "$(sed -n 1p <<<"$why")" "console sent [0-9]+ bytes without a recognised prompt" "flood"
expect_match "$(sed -n 2p <<<"$why")" "no recognised prompt within 1500 ms \(0 bytes" "silence"
expect_match "$(sed -n 3p <<<"$why")" "no recognised prompt within 1500 ms \([0-9]+ bytes received, last:" "garbage"
expect_eq "$(unit_verdict 5.1-1-2 c4)" INCONCLUSIVE "units after a failed control"
note "finished in ${elapsed}s"
[ "$elapsed" -lt 120 ] || fail "took ${elapsed}s: a deadline is not being kept"
"$CERTBENCH" verify "$RUN" --ca "$PKI/lab-ca.pem" >/dev/null 2>&1 &&
	fail "an unsigned run verified"
ev_lines=$(wc -l < "$RUN/evidence.jsonl")
[ "$ev_lines" -gt 10 ] || fail "evidence too short"
sim_stop
