# The ftdi adapter end to end: the same cases run over tty:// (the shipped
# exec power tool) and over emulated FT232R chips (ftdi:// consoles whose
# CBUS pins are the samples' power and reset switches) give the same
# verdicts, per case, per unit and per sample, on the secure and on the
# insecure configuration.  The chips are tests/unit/ftdiemu.c behind
# umockdev; ftdibridge wires each to a simdut console pty and to the unit's
# power FIFO and runs certbench, unchanged, with the real libusb and
# libftdi1, under umockdev's preload.  A chip programmed at the wrong rate
# garbles the line as a real UART would: the console cases must not PASS.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

BRIDGE=${FTDIBRIDGE:-$BUILD/ftdibridge}
[ -x "$BRIDGE" ] || fail "$BRIDGE: not built (make $BUILD/ftdibridge)"
CTL=$PWD/fixtures/simdut/simdutctl

# ---- test cases: the shipped ones (the answers name them) and two of our
# own; --case picks what runs ----
cases=$WORK/testcases
mkdir -p "$cases"
cp testcases/en303645/*.json "$cases/"
script() { # ID PROVISION STEP-JSON
	jq -n --arg id "$1" --arg prov "$2" --argjson step "$3" '{
		id: $id, provision: $prov, kind: "functional",
		title: "bench check \($id)", purpose: "the bench drives the sample",
		needs: {samples: 1},
		units: [{id: "a", title: "each sample", for: "each_sample",
			 steps: [$step]}]}' > "$cases/$1.json"
}
script 5.7-1-91 5.7-1 '{"step": "power.cycle", "off_ms": 300, "boot_ms": 4000, "expect": "login: $"}'
script 5.7-1-92 5.7-1 '{"step": "device.reset", "boot_ms": 4000, "expect": "login: $"}'
# 5.1-1-2 logs in on both consoles, tries each sample's password on the
# other and the 61 Mirai credentials on each; 5.6-2-2 reads the console
# banners; 5.7-1-2 flashes a bad image and power-cycles, twice.
ALL=(--case 5.1-1-2 --case 5.6-2-2 --case 5.7-1-2 --case 5.7-1-91
	--case 5.7-1-92)

# The bench's reset line for the tty:// runs: a pulse power-cycles the unit.
cat > "$WORK/reset-tool" <<EOF
#!/usr/bin/env bash
[ "\$3" = pulse ] || exit 2
exec bash "$CTL" power "\$1" "\$2" cycle
EOF
chmod +x "$WORK/reset-tool"

# Profiles: the shipped one with absolute bench tools and a reset tool...
prof_tty() { # SRC -> path
	local out=$WORK/tty-$RANDOM.json
	jq --arg reset "exec:$WORK/reset-tool" '
		.samples |= [to_entries[] | .value + {reset:
			"\($reset) ${env.SIMDUT_STATE} u\(.key + 1)"}]' "$1" |
		sed "s|exec:\.\./simdut/simdutctl|exec:$CTL|" > "$out"
	echo "$out"
}
# ...and the same with each console on chip FTSIM00N and its CBUS pins as
# the power and reset switches.
prof_ftdi() { # SRC BAUD -> path
	local out=$WORK/ftdi-$RANDOM.json
	jq --arg baud "$2" '.samples |= [to_entries[] | .value + {
		console: "ftdi://0403:6001/FTSIM00\(.key + 1)?baud=\($baud)&power=cbus1&reset=cbus0&active=low",
		power: "console", reset: "console"}]' "$1" |
		sed "s|exec:\.\./simdut/simdutctl|exec:$CTL|" > "$out"
	echo "$out"
}

# cb_run under the bridge: chip FTSIM00N wired to unit uN's pty and power.
BLOG=$WORK/bridge.log
bfail() { sed 's/^/bridge| /' "$BLOG" >&2; fail "$@"; }
cb_run_ftdi() { # ARGS...
	set +e
	RUN=$("$BRIDGE" --log "$BLOG" --timeout 300 \
		--chip "FTSIM001=$SIMDUT_U1_TTY,baud=115200,power=$SIM_STATE:u1,power_pin=cbus1,reset_pin=cbus0,active=low" \
		--chip "FTSIM002=$SIMDUT_U2_TTY,baud=115200,power=$SIM_STATE:u2,power_pin=cbus1,reset_pin=cbus0,active=low" \
		-- "$CERTBENCH" run --quiet -o "$WORK/runs" "$@" 2>"$WORK/stderr")
	RC=$?
	set -e
	if grep -Eq "Sanitizer|runtime error" "$WORK/stderr"; then
		cat "$WORK/stderr" >&2
		fail "sanitizer report from certbench under the bridge"
	fi
	[ -n "$RUN" ] && [ -s "$RUN/report.json" ] ||
		{ cat "$WORK/stderr" >&2; bfail "no report (exit $RC)"; }
}

# "VERDICT RATIONALE" of a sample in a one-unit case of the last run.
sample_why() { # CASE SAMPLE
	jq -r --arg c "$1" --arg s "$2" '.cases[] | select(.id == $c) | .units[].results[]
		| select(.sample == $s) | "\(.verdict) \(.rationale)"' "$RUN/report.json"
}

# Every verdict of a run: case, case/unit and case/unit/sample.
verdicts() { # RUN
	jq -r '.cases[] | .id as $c | "\($c) \(.verdict)",
		(.units[] | .id as $u | "\($c)/\($u) \(.verdict)",
		 (.results[] | "\($c)/\($u)/\(.sample // "-") \(.verdict)"))' \
		"$1/report.json" | sort
}
same_verdicts() { # TTY-RUN FTDI-RUN WHAT
	verdicts "$1" > "$WORK/v-tty"
	verdicts "$2" > "$WORK/v-ftdi"
	diff -u "$WORK/v-tty" "$WORK/v-ftdi" >&2 ||
		fail "$3: the verdicts over ftdi:// differ from tty://"
}
# The console I/O of the run went through the chips, and their pins
# switched power and reset.
used_chips() { # RUN
	jq -se 'map(select(.type == "run-start"))[0].samples
		| map(.console | startswith("ftdi://0403:6001/FTSIM00")) | all' \
		"$1/evidence.jsonl" >/dev/null || fail "the samples' consoles are not ftdi://"
	jq -se 'any(.[]; .type == "io" and .op == "read" and .adapter == "s1.console"
		and (.uri | startswith("ftdi://0403:6001/FTSIM001?baud=115200"))
		and (.data | tostring | test("login: ")))' "$1/evidence.jsonl" >/dev/null ||
		fail "no login prompt read through chip FTSIM001"
	for s in s1 s2; do
		jq -se --arg a "$s.console" '
			any(.[]; .type == "io" and .adapter == $a and .op == "power" and .on == false and (has("rc") | not))
			and any(.[]; .type == "io" and .adapter == $a and .op == "power" and .on == true and (has("rc") | not))
			and any(.[]; .type == "io" and .adapter == $a and .op == "reset" and (has("rc") | not))' \
			"$1/evidence.jsonl" >/dev/null ||
			fail "$s: power and reset through the console adapter are not in the evidence"
	done
	if jq -se 'any(.[]; .type == "bench-tool" and (.tool == "power" or .tool == "reset"))' \
		"$1/evidence.jsonl" >/dev/null; then
		fail "a bench tool switched power where the chips' pins should have"
	fi
}

note "the bridge's chips are on the USB bus certbench sees"
sim_start "$(sim_config fixtures/simdut/secure.json)"
set +e
out=$("$BRIDGE" --log "$BLOG" --chip "FTSIM001=$SIMDUT_U1_TTY" \
	--chip "FTSIM002=$SIMDUT_U2_TTY" -- "$CERTBENCH" probe usb --json 2>&1)
rc=$?
set -e
if [ "$rc" != 0 ] && grep -q "built without libftdi1" <<<"$out"; then
	note "skipped: certbench is built without libftdi1"
	exit 0
fi
expect_eq "$rc" 0 "probe usb under the bridge"
expect_eq "$(jq -r '[.ftdi[] | "\(.serial)@\(.bus)/\(.address)"] | sort | join(" ")' <<<"$out")" \
	"FTSIM001@1/11 FTSIM002@1/12" "chips listed"

note "secure: the same verdicts over tty:// and over the chips"
cb_run -p "$(prof_tty fixtures/profiles/simcam-secure.json)" \
	-a fixtures/answers/simcam-secure.json --testcases "$cases" "${ALL[@]}"
TTY_RUN=$RUN
expect_all_pass
expect_eq "$RC" 0 "secure over tty:// (exit status)"
jq -se 'any(.[]; .type == "bench-tool" and .tool == "reset" and .arg == "pulse")' \
	"$RUN/evidence.jsonl" >/dev/null || fail "the tty:// run's reset tool was not used"
sim_stop
sim_start "$(sim_config fixtures/simdut/secure.json)"
: > "$BLOG"
cb_run_ftdi -p "$(prof_ftdi fixtures/profiles/simcam-secure.json 115200)" \
	-a fixtures/answers/simcam-secure.json --testcases "$cases" "${ALL[@]}"
expect_eq "$RC" 0 "secure over ftdi:// (exit status)"
same_verdicts "$TTY_RUN" "$RUN" "secure"
used_chips "$RUN"
for n in 1 2; do
	grep -q "FTSIM00$n: line 115385 baud, data 0x0008 (unit 115200 8N1): in tune" "$BLOG" ||
		bfail "chip $n was never set to 115200 8N1"
	grep -q "FTSIM00$n: CBUS mask 0x33: power pin cbus1 high (off)" "$BLOG" ||
		bfail "chip $n never drove its power pin to off"
	grep -q "FTSIM00$n: CBUS mask 0x30: .*reset pin cbus0 low (asserted)" "$BLOG" ||
		bfail "chip $n never asserted its reset pin"
	# boot.tamper twice, power.cycle, device.reset: at least four offs
	# and as many ons, each one the unit saw
	offs=$(grep -c "FTSIM00$n: unit u$n power off" "$BLOG")
	[ "$offs" -ge 4 ] || bfail "chip $n switched u$n off $offs times"
	expect_eq "$(grep -c "FTSIM00$n: unit u$n power on" "$BLOG")" "$offs" "chip $n power ons"
	expect_eq "$(grep -c "power off$" "$SIM_STATE/u$n.log")" "$offs" "u$n switched off"
done
grep -q " 0 garbled" "$BLOG" && ! grep -Eq " [1-9][0-9]* garbled" "$BLOG" ||
	bfail "bytes were garbled on a line in tune"
sim_stop

note "insecure: the same units FAIL over tty:// and over the chips"
INS_CASES=(--case 5.1-1-2 --case 5.6-2-2 --case 5.7-1-2)
sim_start "$(sim_config fixtures/simdut/insecure.json)"
cb_run -p "$(prof_tty fixtures/profiles/simcam-insecure.json)" \
	-a fixtures/answers/simcam-insecure.json --testcases "$cases" "${INS_CASES[@]}"
TTY_RUN=$RUN
expect_eq "$RC" 1 "insecure over tty:// (exit status)"
for c in 5.1-1-2 5.6-2-2 5.7-1-2; do
	expect_eq "$(case_verdict $c)" FAIL "$c over tty://"
done
sim_stop
sim_start "$(sim_config fixtures/simdut/insecure.json)"
: > "$BLOG"
cb_run_ftdi -p "$(prof_ftdi fixtures/profiles/simcam-insecure.json 115200)" \
	-a fixtures/answers/simcam-insecure.json --testcases "$cases" "${INS_CASES[@]}"
expect_eq "$RC" 1 "insecure over ftdi:// (exit status)"
same_verdicts "$TTY_RUN" "$RUN" "insecure"
expect_match "$(unit_why 5.1-1-2 c4)" "^root/.* was accepted on console" "Mirai over the chip"
grep -q "FTSIM001: unit u1 power off" "$BLOG" || bfail "no power switching on the insecure run"
sim_stop

note "a chip at the wrong rate garbles the line: no console case PASSes"
sim_start "$(sim_config fixtures/simdut/secure.json)"
: > "$BLOG"
cb_run_ftdi -p "$(prof_ftdi fixtures/profiles/simcam-secure.json 57600)" \
	-a fixtures/answers/simcam-secure.json --testcases "$cases" \
	--case 5.6-2-2 --case 5.7-1-91
for c in 5.6-2-2 5.7-1-91; do
	v=$(case_verdict $c)
	case $v in
	INCONCLUSIVE | ERROR) ;;
	*) bfail "$c over a chip at 57600 baud: $v, want INCONCLUSIVE or ERROR" ;;
	esac
done
for s in s1 s2; do
	expect_match "$(sample_why 5.6-2-2 $s)" "^(INCONCLUSIVE|ERROR) .*prompt" \
		"5.6-2-2 on $s"
	expect_match "$(sample_why 5.7-1-91 $s)" \
		"^INCONCLUSIVE power cycle done, but the console did not show /login: \\$/" \
		"5.7-1-91 on $s"
done
grep -q "FTSIM001: line 57554 baud, data 0x0008 (unit 115200 8N1): garbling" "$BLOG" ||
	bfail "the bridge did not see the wrong rate"
grep -Eq "FTSIM001: .* [1-9][0-9]* garbled" "$BLOG" || bfail "nothing was garbled"
sim_stop
