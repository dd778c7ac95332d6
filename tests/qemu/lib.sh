# shellcheck shell=bash
# tests/qemu/lib.sh: sourced by the QEMU tests. Owns one test's verdict: each check prints
# "ok - what" or "not ok - what: expected ..., got ..." and counts failures; finish exits 0 or 1.
# boot runs tools/run-qemu.sh (always TCG: KVM on these machines is a slow software KVM; direct
# boot unless the test is about firmware or GRUB, see boot()) and
# keeps the console in $TEST_LOG_DIR/$TEST_NAME.console, which check_console checks against
# the output grammar (../shared/tools/check-console). Exit 77 (skip) only through skip().
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 2
name=${TEST_NAME:-qemu/$(basename "$0" .sh)}
logdir=${TEST_LOG_DIR:-build/test-logs}
console=$logdir/$name.console
checker=$root/../shared/tools/check-console
failed=0
mkdir -p "$(dirname "$console")" || exit 2

# QEMU's human monitor on a loopback TCP port, for a test that drives it from a helper while
# the guest runs (screendump, mce, quit): boot ... "${monitor_args[@]}" (last: it starts with
# run-qemu.sh's --), then `monitor COMMAND [SECONDS]` sends one command and waits (default 1 s).
# The port: one per test process (the tests that run at once have different PIDs, where a
# random pick could give two of them one port), moved on while something listens there.
monitor_port=$((20000 + $$ % 20000))
while (exec 3<> "/dev/tcp/127.0.0.1/$monitor_port") 2> /dev/null; do
	monitor_port=$((20000 + (monitor_port - 19999) % 20000))
done
monitor_args=(-- -monitor "tcp:127.0.0.1:$monitor_port,server,nowait")
monitor() {
	exec 3<> "/dev/tcp/127.0.0.1/$monitor_port" || return 1
	printf '%s\n' "$1" >&3
	sleep "${2:-1}"
	exec 3>&-
}

pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; failed=$((failed + 1)); }
skip() { echo "$*"; exit 77; }	# the runner shows the last line as the reason
finish() { [ $failed = 0 ] && exit 0; echo "$failed check(s) failed"; exit 1; }

# expect WHAT WANT GOT: equal strings
expect() { if [ "$2" = "$3" ]; then pass "$1 = $3"; else fail "$1: expected '$2', got '$3'"; fi; }

# boot ARGS...: boots with tools/run-qemu.sh ARGS; sets $status, $elapsed (seconds, decimal),
# $text (the console without escape sequences and carriage returns) and $said (run-qemu's
# stderr, also kept in $console.stderr and shown in the test's log).
# Direct boot (--direct: QEMU -kernel, no GRUB; issue 14) unless the test is about firmware,
# media or GRUB: it says so with BOOT_VIA=iso, or boots --uefi, --usb, --menu or --iso.
boot() {
	local via=(--direct) a
	[ "${BOOT_VIA:-direct}" = iso ] && via=()
	for a in "$@"; do [[ $a =~ ^--(uefi|usb|menu|iso)$ ]] && via=(); done
	echo "# tools/run-qemu.sh --accel tcg ${via[*]} --log $console $*"
	local t0=$EPOCHREALTIME
	tools/run-qemu.sh --accel tcg "${via[@]}" --log "$console" "$@" > /dev/null \
		2> "$console.stderr"
	status=$?
	elapsed=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
	text=$(sed 's/\x1b\[[0-9;=?]*[a-zA-Z]//g; s/\r//g' "$console")
	said=$(cat "$console.stderr")
	sed 's/^/# /' <<< "$said"
}

# has WHAT ERE: some console line matches ERE
has() {
	if grep -qE -- "$2" <<< "$text"; then pass "$1"
	else fail "$1: no console line matches /$2/"; fi
}

# ok_count KEY: the value of KEY= on $okline (the test's ok line, which the test sets)
ok_count() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<< "$okline"; }

# counts_above_zero KEY...: each KEY= on $okline is a number above 0
counts_above_zero() {
	local key v
	for key in "$@"; do
		v=$(ok_count "$key")
		if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -gt 0 ]; then pass "$key=$v"
		else fail "$key: expected a count above 0, got '$v'"; fi
	done
}

# skipped TEST REASON_ERE: the boot exited 0, TEST's ok line is a SKIP whose reason matches
# REASON_ERE, and SUMMARY counts it skipped (never a silent pass)
skipped() {
	expect "exit status" 0 "$status"
	has "the SKIP line with its reason" "^ok 1 - $1 # SKIP ($2)\$"
	has "SUMMARY counts it skipped" '^SUMMARY: 0 passed, 0 failed, 1 skipped'
}

# no_violation: no console line is a VIOLATION
no_violation() {
	if grep -q '^VIOLATION' <<< "$text"; then fail "VIOLATION: $(grep -m 1 '^VIOLATION' <<< "$text")"
	else pass "no VIOLATION line"; fi
}

# passed TEST SETUP_ERE: the boot exited 0 with TEST's setup line ("  TEST: " and SETUP_ERE)
# and its ok line, which becomes $okline for ok_count; no VIOLATION line
passed() {
	expect "exit status" 0 "$status"
	has "the setup line" "^  $1: $2"
	has "the ok line" "^ok 1 - $1 [a-z_]+="
	okline=$(grep -m 1 "^ok 1 - $1 " <<< "$text")
	no_violation
}

# caught TEST INV DETAIL TRIES CMDLINE RUN-QEMU-ARGS...: a mutation caught with a probability.
# Up to TRIES boots with --cmdline "CMDLINE seed=TRY", each logged in $console.TRY, until one
# exits 1 with TEST's VIOLATION of INV whose detail starts with DETAIL (an ERE); then the
# checks: exit 1, that VIOLATION, TEST not ok with INV first; and the try and the catch time
# (the smallest t_ms= of those lines: VIOLATION lines count from env_report_start)
caught() {
	local test=$1 inv=$2 what=$3 tries=$4 cmdline=$5 base=$console try t
	local ere="^VIOLATION inv=$inv test=$test .*detail=\"$what"
	shift 5
	for try in $(seq 1 "$tries"); do
		console=$base.$try
		boot "$@" --cmdline "$cmdline seed=$try"
		[ "$status" = 1 ] && grep -qE -- "$ere" <<< "$text" && break
		echo "# try $try of $tries: not caught (exit $status)"
	done
	expect "exit status" 1 "$status"
	has "the $inv VIOLATION: $what" "$ere"
	has "not ok, $inv first" "^not ok 1 - $test .*first=$inv"
	t=$(grep -E -- "$ere" <<< "$text" | sed -n 's/.* t_ms=\([0-9]*\).*/\1/p' | sort -n | head -1)
	echo "# caught in try $try of $tries, at t_ms=$t"
}

# banner_field KEY: the value of KEY= on the banner line (cmdline: the text between the quotes)
banner_field() {
	local b
	b=$(grep -m 1 '^rmap-harness ' <<< "$text")
	if [ "$1" = cmdline ]; then sed -n 's/.* cmdline="\(.*\)"$/\1/p' <<< "$b"
	else sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$b"; fi
}

# check_console: the console obeys the DESIGN §6 grammar (when the checker is there: in CI
# shared/ sits beside the clone; without it this check is reported as not run, not as passed).
check_console() {
	if [ ! -x "$checker" ]; then echo "# $checker not found: console grammar NOT checked"; return; fi
	local out
	if out=$("$checker" "$console" 2>&1); then pass "check-console $console"
	else fail "check-console $console:"; sed 's/^/#   /' <<< "$out"; fi
}

# smp_cpus SMP: the CPU count of a -smp value as QEMU counts it: N[,...], or a topology alone
# (sockets*dies*cores*threads)
smp_cpus() {
	local smp=$1 cpus=${1%%,*} f
	if ! [[ $cpus =~ ^[0-9]+$ ]]; then
		cpus=1
		for f in sockets dies cores threads; do
			[[ ,$smp, =~ ,$f=([0-9]+), ]] && cpus=$((cpus * BASH_REMATCH[1]))
		done
	fi
	echo "$cpus"
}

# run_args ARGS...: a test's run-qemu.sh arguments. Sets args (the array to pass on, without
# --qemu MAJOR, which skips the test on an older QEMU: need_qemu) and smp (the -smp value given,
# default 4).
run_args() {
	local i
	args=() smp=4
	while [ $# -gt 0 ]; do
		case $1 in
		--qemu) [ $# -ge 2 ] || { echo "--qemu needs a QEMU major version" >&2; exit 2; }
			need_qemu "$2"; shift ;;
		*) args+=("$1") ;;
		esac
		shift
	done
	for ((i = 0; i < ${#args[@]}; i++)); do [ "${args[i]}" = -smp ] && smp=${args[i + 1]}; done
	return 0
}

# need_qemu MAJOR: skips the test on an older QEMU (x2APIC under TCG needs 9+, issue 7)
need_qemu() {
	local line
	line=$(${QEMU:-qemu-system-x86_64} --version | head -n 1)
	[[ $line =~ version\ ([0-9]+)\. ]] && [ "${BASH_REMATCH[1]}" -ge "$1" ] ||
		skip "needs QEMU >= $1, have: $line"
}
