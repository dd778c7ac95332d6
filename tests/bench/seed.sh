#!/usr/bin/env bash
# tests/bench/seed.sh - make bench's seed section (issue 13): the protocol's effect, aging
# without mmu_lock against aging under it, from one run of this script. The kernel's
# seed-effect benchmark (tests/kernel/harness/seed_effect.c) under QEMU TCG at -smp 2, 3 and 4,
# then the hosted build of the same core (build/host/seed-effect, tests/host/seed_effect.c) at
# 2 to nproc+1 threads, one after the other. Each row is one mode of one run: the writer alone,
# with N lockless agers, with N agers under mmu_lock (N = every CPU but the writer's and the
# accessors', a quarter of the rest rounded down), each for the same time from an empty MMU.
# With 2 host cores only -smp 2 (and 2 threads) run truly in parallel: at -smp 3 and 4 the
# vCPUs share the cores, so an ager's work takes the writer's time whichever mode it is in.
# The ratio rows are lockless/locked (above 1: the lockless mode has more of it). Figures are
# what they are on this machine on this day; nothing here passes or fails on speed.
# Run by tools/run-bench.sh (BENCH_QUICK=1: 2 s a mode instead of 5).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 2
secs=5
[ "${BENCH_QUICK:-0}" = 1 ] && secs=2
make -s build/host/seed-effect || exit 2

# rows WORLD CPUS: the seed-effect lines on stdin as table rows
rows() {
	awk -v world="$1" -v cpus="$2" '
	function v(k,   i, kv) {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] }
		return "-"
	}
	/^  seed-effect (writer-alone|lockless|locked) / {
		printf "%-7s %4s %-14s %5s %10s %9s %8s %10s %7s %8s %8s %8s %9s\n", world, cpus,
			$2, v("agers"), v("faults_ps"), v("zaps_ps"), v("mmu_wait"), v("rmaps_ps"),
			v("passes"), v("pass_us_p50"), v("pass_us_p99"), v("pass_us_max"), v("walks_ps")
	}
	/^  seed-effect lockless\/locked / {
		printf "%-7s %4s %-14s %5s %10s %9s %8s %10s %7s %8s %8s %8s %9s\n", world, cpus,
			"ratio l/L", "", v("faults_ps"), v("zaps_ps"), v("mmu_wait"), v("rmaps_ps"),
			"", v("pass_us_p50"), v("pass_us_p99"), "", v("walks_ps")
	}
	/^(ok|not ok) [0-9]+ - seed-effect/ { verdict = $0 }
	END { if (verdict !~ /^ok/) printf "%-7s %4s no verdict: %s\n", world, cpus, verdict }'
}

echo "== seed: aging without mmu_lock (lockless) against aging under it (locked), $secs s a mode =="
echo "   kernel = QEMU TCG -smp N on $(nproc) host cores (only -smp 2 is truly parallel here);"
echo "   hosted = the same core as a Linux program, N pthreads. Rates per second; pass_us ="
echo "   time for the agers together to age every rmap of the 16384-gfn slot once."
printf '%-7s %4s %-14s %5s %10s %9s %8s %10s %7s %8s %8s %8s %9s\n' world cpus mode agers \
	faults_ps zaps_ps mmu_wait rmaps_ps passes p50_us p99_us max_us walks_ps
for n in 2 3 4; do
	tools/run-qemu.sh --accel tcg -smp "$n" --timeout $((secs * 3 + 120)) \
		--cmdline "test=seed-effect seconds=$secs" 2> /dev/null |
		sed 's/\x1b\[[0-9;=?]*[a-zA-Z]//g; s/\r//g' | rows kernel "$n"
done
for ((n = 2; n <= $(nproc) + 1; n++)); do
	build/host/seed-effect --threads="$n" --seconds="$secs" | rows hosted "$n"
done
echo "mmu_wait = the writer's share of the run spent waiting for mmu_lock. Checks are off on the"
echo "hot paths in every mode (production's code); each mode ends with the full audit. On real"
echo "hardware: boot the ISO and pick 'Benchmark seed-effect' in the GRUB menu."
