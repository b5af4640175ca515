# A signed report verifies with stock openssl; flipping any one byte of
# report.json or evidence.jsonl (first, last, and a spread of positions)
# makes 'certbench verify' fail and name the file.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

sim_start "$(sim_config fixtures/simdut/secure.json)"
cb_run -p fixtures/profiles/simcam-secure.json --case 5.2-1-2 \
	--sign "$PKI/lab.key" --cert "$PKI/lab.pem"
expect_eq "$RC" 0 "exit status"
sim_stop
openssl cms -verify -binary -inform DER -in "$RUN/report.json.p7s" \
	-content "$RUN/report.json" -CAfile "$PKI/lab-ca.pem" -out /dev/null
"$CERTBENCH" verify "$RUN" --ca "$PKI/lab-ca.pem" >/dev/null

flip_and_verify() { # FILE OFFSET
	local f=$RUN/$1 copy=$WORK/orig out
	cp "$f" "$copy"
	printf "$(printf '\\%03o' $(( $(od -An -tu1 -j "$2" -N1 "$f") ^ 0x01 )))" |
		dd of="$f" bs=1 seek="$2" count=1 conv=notrunc status=none
	cmp -s "$f" "$copy" && fail "byte $2 of $1 did not change"
	set +e
	out=$("$CERTBENCH" verify "$RUN" --ca "$PKI/lab-ca.pem" 2>&1)
	local rc=$?
	set -e
	cp "$copy" "$f"
	[ "$rc" = 1 ] || fail "verify passed after flipping byte $2 of $1"
	grep -q "certbench: $1" <<<"$out" ||
		fail "verify did not name $1 after flipping byte $2: $out"
}

for file in report.json evidence.jsonl; do
	size=$(stat -c %s "$RUN/$file")
	offsets="0 $((size - 1)) $((size / 2))"
	for k in $(seq 1 24); do offsets="$offsets $(( (k * 7919 + k * k * 104729) % size ))"; done
	for off in $offsets; do flip_and_verify "$file" "$off"; done
	note "$file: $(wc -w <<<"$offsets") single-byte flips all detected"
done
"$CERTBENCH" verify "$RUN" --ca "$PKI/lab-ca.pem" >/dev/null

note "a signature from another key does not verify"
bash fixtures/pki.sh "$WORK/otherpki" >/dev/null
set +e
"$CERTBENCH" verify "$RUN" --ca "$WORK/otherpki/lab-ca.pem" >/dev/null 2>&1
[ $? = 1 ] || fail "verify accepted an untrusted signer"
set -e

note "an unsigned run is reported as such"
rm "$RUN/report.json.p7s"
set +e
out=$("$CERTBENCH" verify "$RUN" --ca "$PKI/lab-ca.pem" 2>&1)
[ $? = 1 ] || fail "verify passed without a signature"
set -e
grep -q "report.json.p7s" <<<"$out" || fail "no mention of the missing signature"
