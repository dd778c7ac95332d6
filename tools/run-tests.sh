#!/usr/bin/env bash
# run-tests.sh [--host|--qemu] [REGEX...]: the runner behind `make test`. Its table: a build
# step, the host test programs (`make -s print-host-tests`, each run as is) and host commands
# (tests/host/suite), and the QEMU tests (tests/qemu/suite, or $TEST_SUITE); a suite line is a
# name, the host cores the test needs (`1`: it keeps one core busy and may share the machine
# with other `1` tests; `all`: it races CPUs against each other or measures time, so it runs
# alone), then a bash command. Host programs are `1` but the stress programs (`all`).
# REGEX keeps the tests whose name (host/..., qemu/...) matches one of them; the build step
# always runs. Up to TEST_JOBS `1` tests run at once (default: the host's cores, at most 4;
# TEST_JOBS=1 runs the suite one test at a time), in the suite's order: an `all` test starts
# when every test before it has ended, and nothing starts beside it.
# Each test runs from the repository root with stdin closed and TEST_NAME / TEST_LOG_DIR set;
# its output goes to build/test-logs/<name>.log, and the tail is shown when it fails.
# Exit 0 pass, 77 skip (the reason is the last line of its output), else fail; a test still
# running after TEST_TIMEOUT seconds (default 900) is killed and fails.
# Prints, in the suite's order whatever order they end in, `ok N - name (Xs)`,
# `not ok N - name (Xs, exit S)` or `ok N - name # SKIP reason`, then the wall time, and last
# exactly `SUMMARY: N passed, N failed` (`, N skipped` when any). Exit 0 iff none failed.
set -uo pipefail

# wait -n -p (bash 5.1) reaps whichever running test ends first
(( BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1) )) ||
	{ echo "run-tests: needs bash 5.1 or newer (wait -n -p); this is $BASH_VERSION" >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
make=${MAKE:-make}
logdir=build/test-logs
suite=${TEST_SUITE:-tests/qemu/suite}
limit=${TEST_TIMEOUT:-900}
ncpu=$(nproc 2>/dev/null || echo 1)
jobs=${TEST_JOBS:-$((ncpu < 4 ? ncpu : 4))}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "run-tests: TEST_JOBS must be a whole number from 1, not '$jobs'" >&2; exit 2; }

groups="host qemu" patterns=()
for a in "$@"; do
	case $a in
	--host) groups=host ;;
	--qemu) groups=qemu ;;
	-h|--help) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "run-tests: unknown flag '$a'" >&2; exit 2 ;;
	*) patterns+=("$a") ;;
	esac
done

names=() cores=() cmds=()
# add NAME CORES COMMAND
add() {
	local p
	if [ ${#patterns[@]} -gt 0 ] && [ "$1" != build ]; then
		for p in "${patterns[@]}"; do [[ $1 =~ $p ]] && break; p=; done
		[ -n "$p" ] || return 0
	fi
	names+=("$1") cores+=("$2") cmds+=("$3")
}

# read_suite GROUP FILE: one test per line, "name cores command", # comments
read_suite() {
	local n k c
	while read -r n k c; do
		[[ -z $n || $n == \#* ]] && continue
		[[ $k == 1 || $k == all ]] ||
			{ echo "run-tests: $2: $n: cores must be 1 or all, not '$k'" >&2; exit 2; }
		add "$1/$n" "$k" "$c"
	done < "$2"
}

# The build first, alone, in parallel: every later test finds the kernel, the ISO, the
# catalog and the host programs built (no two tests run make on the same target at once).
add build all "$make -s -j$ncpu all iso build/tools/catalog host-tests"
if [[ " $groups " == *" host "* ]]; then
	host_tests=$($make -s print-host-tests) ||
		{ echo "run-tests: make print-host-tests failed" >&2; exit 2; }
	for t in $host_tests; do
		k=1; [[ $(basename "$t") == stress* ]] && k=all
		add "host/$(basename "$t")" $k "$t"
	done
	read_suite host tests/host/suite
fi
[[ " $groups " == *" qemu "* ]] && read_suite qemu "$suite"

echo "1..${#names[@]}"
total=${#names[@]} passed=0 failed=0 skipped=0
t_start=$EPOCHREALTIME
declare -A running=()	# pid -> test index
t0=() took=() status=()
alone=0	# 1 while an `all` test runs
# interrupted (Ctrl-C, a CI cancel): stop the running tests too; each timeout leads its own
# process group, QEMU included
stop_all() {
	local p
	for p in "${!running[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done
	exit 130
}
trap stop_all INT TERM

start() {
	local i=$1 log=$logdir/${names[$1]}.log
	mkdir -p "$(dirname "$log")"
	t0[i]=$EPOCHREALTIME
	TEST_NAME=${names[i]} TEST_LOG_DIR=$logdir timeout -k 10 "$limit" bash -c "${cmds[i]}" \
		< /dev/null > "$log" 2>&1 &
	running[$!]=$i
	[ "${cores[i]}" = all ] && alone=1
}

report() {
	local i=$1 n=$(($1 + 1)) name=${names[$1]} log=$logdir/${names[$1]}.log st=${status[$1]} t=${took[$1]}
	if [ "$st" = 0 ]; then
		echo "ok $n - $name (${t}s)"; passed=$((passed + 1))
	elif [ "$st" = 77 ]; then
		echo "ok $n - $name # SKIP $(grep . "$log" | tail -n 1)"; skipped=$((skipped + 1))
	else
		awk -v t="$t" -v l="$limit" 'BEGIN { exit !(t >= l) }' &&
			echo "killed after ${limit}s (TEST_TIMEOUT)" >> "$log"
		echo "not ok $n - $name (${t}s, exit $st)"; failed=$((failed + 1))
		echo "#   \$ ${cmds[i]}"
		tail -n 25 "$log" | sed 's/\x1b\[[0-9;=?]*[a-zA-Z]//g; s/\r//g; s/^/#   /'
		echo "#   (whole output: $log)"
	fi
}

next=0 shown=0
while [ $shown -lt $total ]; do
	# start what may start: in order, an `all` test only on an idle machine
	while [ $next -lt $total ] && [ $alone = 0 ]; do
		if [ "${cores[next]}" = all ]; then
			[ ${#running[@]} = 0 ] || break
		else
			[ ${#running[@]} -lt "$jobs" ] || break
		fi
		start $next
		next=$((next + 1))
	done
	wait -n -p pid
	st=$?
	i=${running[$pid]}
	# the build step passed: the boots after it need not run make (tools/run-qemu.sh)
	[ "${names[i]}" = build ] && [ "$st" = 0 ] && export RUN_QEMU_BUILT=1
	unset "running[$pid]"
	status[i]=$st
	took[i]=$(awk -v a="${t0[i]}" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	[ "${cores[i]}" = all ] && alone=0
	while [ $shown -lt $total ] && [ -n "${status[shown]:-}" ]; do
		report $shown
		shown=$((shown + 1))
	done
done
echo "# wall time $(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s, up to $jobs tests at once (TEST_JOBS)"
echo "SUMMARY: $passed passed, $failed failed$([ $skipped = 0 ] || echo ", $skipped skipped")"
[ $failed = 0 ]
