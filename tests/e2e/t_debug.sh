# Debug console (5.6-4-2, debug.probe) against simdut's debug UART: a
# UART that stays silent passes a "disabled" claim; an open root shell
# and a U-Boot prompt that runs commands fail whatever the claim, each
# rationale naming the interface and the baud rate the sweep found; a
# password or login prompt passes an "authenticated" claim and fails a
# "disabled" one; silence under an "authenticated" claim, a sample with
# no adapter for the interface and unreadable data are inconclusive; an
# adapter that cannot be opened is a bench error; a profile without a
# physical debug interface makes the step not applicable.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

# Opening a pty from a session leader would make it our controlling
# terminal, and its hang-up at simdut's exit would kill this script.
trap '' HUP

P=fixtures/profiles/simcam-secure.json
CASE=5.6-4-2
# The shipped scripts of 5.6-4 and no others.
cases=$WORK/testcases
mkdir -p "$cases"
cp testcases/en303645/5.6-4-*.json "$cases/"

# The secure profile, each sample wired to its unit's debug UART, the
# debug-uart claim set to $1, then the jq filter $2.
prof() { # CLAIM [JQFILTER] -> path
	local out=$WORK/profile-$RANDOM.json
	jq --arg claim "$1" '
		.ixit["15-Intf"] |= [.[] | select(.id != "debug-uart")] +
			[{id: "debug-uart", type: "physical",
			  status: "disabled", need: "not_required",
			  description: "Bootloader UART pads next to the SoC",
			  debug: true, debug_access: $claim}]
		| .samples[0].interfaces =
			{"debug-uart": "tty://${env.SIMDUT_U1_DEBUG_TTY}"}
		| .samples[1].interfaces =
			{"debug-uart": "tty://${env.SIMDUT_U2_DEBUG_TTY}?baud=115200"}
		| '"${2:-.}" "$P" > "$out"
	echo "$out"
}

# simdut with secure.json, u1's and u2's debug UART as given.
start() { # U1_DEBUG_UART U2_DEBUG_UART
	sim_start "$(sim_config fixtures/simdut/secure.json \
		".units[0].debug_uart = $1 | .units[1].debug_uart = $2")"
}

stop() {
	sim_stop
	if grep -Eq 'Sanitizer|runtime error' "$SIM_STATE/simdut.out"; then
		cat "$SIM_STATE/simdut.out" >&2
		fail "sanitizer report from simdut"
	fi
}

run() { # PROFILE
	cb_run -p "$1" --testcases "$cases" --case "$CASE"
	cat "$WORK/stderr"
	if grep -Eq 'Sanitizer|runtime error' "$SIM_STATE/simdut.out"; then
		cat "$SIM_STATE/simdut.out" >&2
		fail "sanitizer report from simdut"
	fi
}

# Rationale of sample N (0-based) of unit a.
why_of() { # N
	jq -r --arg c "$CASE" --argjson n "$1" '.cases[] | select(.id==$c)
		| .units[] | select(.id=="a") | .results[$n].rationale' \
		"$RUN/report.json"
}
verdict_of() { # N
	jq -r --arg c "$CASE" --argjson n "$1" '.cases[] | select(.id==$c)
		| .units[] | select(.id=="a") | .results[$n].verdict' \
		"$RUN/report.json"
}

note "disabled and silent: PASS on both samples"
start '{"mode": "off", "baud": 57600}' '{"mode": "off"}'
run "$(prof disabled)"
expect_eq "$(case_verdict $CASE)" PASS "silent UARTs"
expect_eq "$RC" 0 "exit status (silent)"
expect_match "$(why_of 0)" "^debug-uart: silent at all 8 rates, as documented \(disabled\)$" "silent rationale"
# The evidence names each rate the adapter was opened at.
grep -q 'baud=921600' "$RUN/evidence.jsonl" || fail "no open at 921600 in the evidence"
grep -q 's1.debug-uart' "$RUN/evidence.jsonl" || fail "no s1.debug-uart label in the evidence"

note "documented as authenticated but silent: INCONCLUSIVE"
run "$(prof authenticated)"
expect_eq "$(case_verdict $CASE)" INCONCLUSIVE "silent, authenticated claim"
expect_match "$(why_of 0)" "documented as authenticated, but silent at every rate \(8 tried\); check the wiring" "wiring"
stop

note "U-Boot at 57600 and a root shell at 115200: FAIL, naming the rate"
start '{"mode": "uboot", "baud": 57600}' '{"mode": "root_shell", "baud": 115200}'
run "$(prof disabled)"
expect_eq "$(case_verdict $CASE)" FAIL "open consoles"
expect_eq "$RC" 1 "exit status (open consoles)"
expect_match "$(why_of 0)" "^bootloader accepts commands at 57600 baud on debug-uart \(a U-Boot prompt; version answered 'U-Boot 2019\.07 \(.*\) simdut'\)$" "U-Boot rationale"
expect_match "$(why_of 1)" "^open root shell at 115200 baud on debug-uart \(id answered 'uid=0\(root\) gid=0\(root\)'\)$" "root shell rationale"
grep -qx 'debug cmd version' "$SIM_STATE/u1.log" || fail "u1 never ran version"
grep -qx 'debug cmd id' "$SIM_STATE/u2.log" || fail "u2 never ran id"
# The sweep's record: 115200 was noise on u1, 57600 readable.
rates=$(jq -c 'select(.type == "step" and .step == "debug.probe" and
	.sample == "s1") | .value["debug-uart"].rates | map([.baud, .readable])' \
	"$RUN/evidence.jsonl" | head -n 1)
expect_eq "$rates" '[[115200,false],[57600,true]]' "u1's rates"
# Even documented as authenticated, commands that run fail.
run "$(prof authenticated)"
expect_eq "$(case_verdict $CASE)" FAIL "open consoles, authenticated claim"
stop

note "password-locked U-Boot and a getty at 9600: protected"
start '{"mode": "uboot_locked"}' '{"mode": "login", "baud": 9600}'
run "$(prof authenticated)"
expect_eq "$(case_verdict $CASE)" PASS "protected, authenticated claim"
expect_match "$(why_of 0)" "^a password prompt at 57600 baud on debug-uart, as documented \(authenticated\)$" "locked U-Boot"
expect_match "$(why_of 1)" "^a login prompt at 9600 baud on debug-uart, as documented \(authenticated\)$" "getty"
! grep -q 'debug cmd' "$SIM_STATE/u1.log" "$SIM_STATE/u2.log" ||
	fail "a command ran behind the password"
run "$(prof disabled)"
expect_eq "$(case_verdict $CASE)" FAIL "protected, disabled claim"
expect_match "$(why_of 1)" "^debug-uart: documented as disabled, but a login prompt answers at 9600 baud$" "disabled but login"

note "no adapter for the interface: INCONCLUSIVE"
run "$(prof disabled 'del(.samples[0].interfaces)')"
expect_eq "$(verdict_of 0)" INCONCLUSIVE "no adapter"
expect_match "$(why_of 0)" "^no adapter for debug interface debug-uart on sample s1$" "no adapter rationale"

note "an adapter that cannot be opened: ERROR"
run "$(prof disabled '.samples[0].interfaces["debug-uart"] = "tty:///dev/no-such-uart"')"
expect_eq "$(verdict_of 0)" ERROR "missing tty"
expect_match "$(why_of 0)" "debug interface debug-uart of s1: cannot open /dev/no-such-uart" "bench error rationale"

note "no physical debug interface documented: NA"
run "$(prof disabled '.ixit["15-Intf"] |= [.[] | select(.debug != true)]
	| del(.samples[].interfaces)')"
expect_eq "$(case_verdict $CASE)" NA "no debug interface"
expect_match "$(why_of 0)" "no physically accessible debug interface is documented in IXIT 15-Intf" "NA rationale"
stop

note "a UART at a rate the sweep does not try: INCONCLUSIVE"
start '{"mode": "uboot", "baud": 1500000}' '{"mode": "off"}'
run "$(prof disabled)"
expect_eq "$(verdict_of 0)" INCONCLUSIVE "noise only"
expect_match "$(why_of 0)" "^debug-uart: data at 8 of 8 rates but readable at none \(most: [0-9]+ bytes at [0-9]+ baud, [0-9]+/1000 printable\); the UART may run at a rate not tried$" "noise rationale"
expect_eq "$(verdict_of 1)" PASS "u2 silent"
stop
