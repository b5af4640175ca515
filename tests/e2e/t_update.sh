# Update mechanism, support period, model designation and secure boot
# (5.3-1, 5.3-2, 5.3-10, 5.3-13, 5.3-16, 5.7-1) against simdut's real
# update mechanism: with every weakness off each case PASSes; each simdut
# switch makes the right case FAIL with a rationale that names the misuse
# the device accepted; every image sent is in the evidence by its hash.
cd "$(dirname "$0")/../.." && . tests/e2e/lib.sh

P=fixtures/profiles/simcam-secure.json
A=fixtures/answers/simcam-secure.json

# A copy of the secure profile with a jq filter applied; its bench tools
# point at simdutctl by absolute path, since the copy lives elsewhere.
prof() { # JQFILTER -> path
	local out=$WORK/profile-$RANDOM.json
	jq "${1:-.}" "$P" |
		sed "s|exec:\.\./simdut/simdutctl|exec:$PWD/fixtures/simdut/simdutctl|" \
			> "$out"
	echo "$out"
}

# The secure config with the update mechanism on, plus a jq filter.
upd_sim() { # JQFILTER
	sim_start "$(sim_config fixtures/simdut/secure.json "${1:-.}")"
}

note "secure device: every update, support-period, model and boot case PASSes"
upd_sim
cb_run -p "$P" -a "$A" --case 5.3-1-1 --case 5.3-1-2 --case 5.3-2-1 \
	--case 5.3-2-2 --case 5.3-10-1 --case 5.3-13-1 --case 5.3-13-2 \
	--case 5.3-16-1 --case 5.3-16-2 --case 5.7-1-1 --case 5.7-1-2 \
	--sign "$PKI/lab.key" --cert "$PKI/lab.pem"
cat "$WORK/stderr"
expect_all_pass
expect_eq "$RC" 0 "exit status"
expect_match "$(unit_why 5.3-1-2 a)" "local-upload: refused all 9 misuses, firmware 1.4.2 unchanged by each; .*the genuine image 1.5.0 installed" "attack kit"
expect_match "$(unit_why 5.3-1-2 b)" "online-pull: refused the untrusted-CA, wrong-host and plain-HTTP servers" "mitm"
expect_match "$(unit_why 5.3-1-2 b)" "installed the genuine image 1.5.0 from a trusted server" "mitm control"
expect_match "$(unit_why 5.3-10-1 c)" "none of [0-9]+ common update paths exists" "discovery"
expect_match "$(unit_why 5.3-13-2 b)" "support until 2030-12-31, as documented" "support period"
expect_match "$(unit_why 5.3-16-2 a)" "reads \"SimCam 2\", as documented" "model"
expect_match "$(unit_why 5.7-1-2 a)" "refused with an alert" "secure boot"
grep -q "boot halted reason=signature" "$SIM_STATE/u1.log" || fail "simdut did not halt"
grep -q "update upload incomplete" "$SIM_STATE/u1.log" || fail "no cut upload reached simdut"

note "the evidence holds every image sent, by hash, and the files match"
ev=$RUN/evidence.jsonl
n=0
while read -r sha file; do
	[ "$(sha256sum "$RUN/$file" | cut -d' ' -f1)" = "$sha" ] ||
		fail "$file does not hash to $sha"
	n=$((n + 1))
done < <(jq -r 'select(.type == "update-image") | "\(.sha256) \(.file)"' "$ev")
[ "$n" -ge 20 ] || fail "only $n images recorded"
# Every upload the device received is one of the recorded images.
for sha in $(jq -r 'select(.type == "io" and .request.url == "/api/update") | .request.body_sha256' "$ev"); do
	jq -ne --arg s "$sha" 'any(inputs; .type == "update-image" and .sha256 == $s)' "$ev" >/dev/null ||
		{ jq -c --arg s "$sha" 'select(.request.body_sha256 == $s) | del(.request.body)' "$ev"; fail "upload $sha has no update-image record"; }
done
jq -ne 'any(inputs; .type == "update-server" and .event == "tls-fail")' "$ev" >/dev/null ||
	fail "no refused handshake recorded"
"$CERTBENCH" verify "$RUN" --ca "$PKI/lab-ca.pem" >/dev/null ||
	fail "signature or evidence chain"
sim_stop

# check SWITCH-FILTER CASE UNIT PATTERN: that weakness FAILs that unit.
check() {
	note "$1: $2 $3 FAILs"
	upd_sim "$1"
	cb_run -p "${PROFILE:-$P}" --case "$2"
	expect_eq "$RC" 1 "exit status ($1)"
	expect_eq "$(unit_verdict "$2" "$3")" FAIL "$2 $3 ($1)"
	expect_match "$(unit_why "$2" "$3")" "$4" "rationale ($1)"
	sim_stop
}

check '.update.accept_unsigned = true' 5.3-1-2 a \
	"local-upload: accepted an image without its signature"
check '.update.accept_any_key = true' 5.3-2-2 a \
	"local-upload: accepted an image signed with a key that is not the manufacturer's"
check '.update.allow_rollback = true' 5.3-1-2 a \
	"local-upload: accepted a genuine older image \(rollback\) .*now reports firmware 1.3.0"
check '.update.ignore_model = true' 5.3-2-2 a \
	"local-upload: accepted a genuine image for a different model .*SimCam 3"
check '.update.pull.verify = false' 5.3-1-2 b \
	"online-pull: (fetched|installed) .* a server whose certificate comes from a CA the device has no reason to trust"
check '.update.pull.allow_http = true' 5.3-1-2 b \
	"online-pull: (fetched|installed) .* a plain HTTP server"
check '.update.legacy_cgi = true' 5.3-10-1 c \
	"undocumented update endpoint\? /cgi-bin/upgrade.cgi answers HTTP 405"
check '.support_period = "missing"' 5.3-13-2 a "answered HTTP 404|status 404"
check '.support_period = "expired"' 5.3-13-2 b \
	"the page states 30 June 2021, not the documented end date 2030-12-31"
check '.support_period = "login_required"' 5.3-13-2 b \
	"needs a login \(HTTP 401\): it must be public"
check '.model_reported = "SimCam 2 Pro"' 5.3-16-2 a \
	"reads \"SimCam 2 Pro\", the documentation says \"SimCam 2\""
check '.update.secure_boot = false' 5.7-1-2 a \
	"booted the modified image \(bit 0 of byte [0-9]+ \(payload\) flipped\) without an alert"
PROFILE=$(prof '.ixit["2-UserInfo"].support_period_end = "2021-06-30"') \
	check '.support_period = "expired"' 5.3-13-2 b \
	"the support period ended on 2021-06-30"

note "weaknesses off again: the weakest switch alone leaves the others passing"
upd_sim '.update.allow_rollback = true'
cb_run -p "$P" --case 5.3-1-2
expect_eq "$(unit_verdict 5.3-1-2 b)" PASS "pull unaffected by rollback switch"
# One rationale line per sample, each naming exactly one accepted misuse.
expect_eq "$(unit_why 5.3-1-2 a | grep -c "accepted a genuine older image")" 2 "rollback on both samples"
expect_eq "$(unit_why 5.3-1-2 a | grep -o "accepted " | wc -l)" 2 "only the rollback is accepted"
sim_stop

note "the update server refuses an address outside loopback"
upd_sim
cb_run -p "$(prof '.ixit["7-UpdMech"][1].pull.server_address = "0.0.0.0"')" --case 5.3-1-2
expect_eq "$(unit_verdict 5.3-1-2 b)" ERROR "server on 0.0.0.0"
expect_match "$(unit_why 5.3-1-2 b)" "only runs on loopback" "refusal reason"
sim_stop
