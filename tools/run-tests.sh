#!/usr/bin/env bash
# run-tests.sh [--host|--qemu] [REGEX...]: the runner behind `make test`. Its table: a build
# step, the host test programs (`make -s print-host-tests`, each run as is) and host commands
# (tests/host/suite), and the QEMU tests (tests/qemu/suite, or $TEST_SUITE); a suite line is a
# name, then a bash command. REGEX keeps the tests whose
# name (host/..., qemu/...) matches one of them; the build step always runs.
# Each test runs from the repository root with stdin closed and TEST_NAME / TEST_LOG_DIR set;
# its output goes to build/test-logs/<name>.log, and the tail is shown when it fails.
# Exit 0 pass, 77 skip (the reason is the last line of its output), else fail; a test still
# running after TEST_TIMEOUT seconds (default 900) is killed and fails.
# Prints `ok N - name (Xs)`, `not ok N - name (Xs, exit S)` or `ok N - name # SKIP reason`,
# and last exactly `SUMMARY: N passed, N failed` (`, N skipped` when any). Exit 0 iff none failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
make=${MAKE:-make}
logdir=build/test-logs
suite=${TEST_SUITE:-tests/qemu/suite}
limit=${TEST_TIMEOUT:-900}

groups="host qemu" patterns=()
for a in "$@"; do
	case $a in
	--host) groups=host ;;
	--qemu) groups=qemu ;;
	-h|--help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "run-tests: unknown flag '$a'" >&2; exit 2 ;;
	*) patterns+=("$a") ;;
	esac
done

names=() cmds=()
add() {
	local p
	if [ ${#patterns[@]} -gt 0 ] && [ "$1" != build ]; then
		for p in "${patterns[@]}"; do [[ $1 =~ $p ]] && break; p=; done
		[ -n "$p" ] || return 0
	fi
	names+=("$1") cmds+=("$2")
}

# read_suite GROUP FILE: one test per line, "name command", # comments
read_suite() {
	local n c
	while read -r n c; do
		[[ -z $n || $n == \#* ]] && continue
		add "$1/$n" "$c"
	done < "$2"
}

add build "$make -s all host-tests"
if [[ " $groups " == *" host "* ]]; then
	host_tests=$($make -s print-host-tests) ||
		{ echo "run-tests: make print-host-tests failed" >&2; exit 2; }
	for t in $host_tests; do add "host/$(basename "$t")" "$t"; done
	read_suite host tests/host/suite
fi
[[ " $groups " == *" qemu "* ]] && read_suite qemu "$suite"

echo "1..${#names[@]}"
passed=0 failed=0 skipped=0
for i in "${!names[@]}"; do
	n=$((i + 1)) name=${names[i]} log=$logdir/${names[i]}.log
	mkdir -p "$(dirname "$log")"
	t0=$EPOCHREALTIME
	TEST_NAME=$name TEST_LOG_DIR=$logdir timeout -k 10 "$limit" bash -c "${cmds[i]}" \
		< /dev/null > "$log" 2>&1
	st=$?
	t=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	if [ $st = 0 ]; then
		echo "ok $n - $name (${t}s)"; passed=$((passed + 1))
	elif [ $st = 77 ]; then
		echo "ok $n - $name # SKIP $(grep . "$log" | tail -n 1)"; skipped=$((skipped + 1))
	else
		awk -v t="$t" -v l="$limit" 'BEGIN { exit !(t >= l) }' &&
			echo "killed after ${limit}s (TEST_TIMEOUT)" >> "$log"
		echo "not ok $n - $name (${t}s, exit $st)"; failed=$((failed + 1))
		echo "#   \$ ${cmds[i]}"
		tail -n 25 "$log" | sed 's/\x1b\[[0-9;=?]*[a-zA-Z]//g; s/\r//g; s/^/#   /'
		echo "#   (whole output: $log)"
	fi
done
echo "SUMMARY: $passed passed, $failed failed$([ $skipped = 0 ] || echo ", $skipped skipped")"
[ $failed = 0 ]
