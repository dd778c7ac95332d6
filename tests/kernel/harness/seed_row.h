/*
 * seed_row.h - one row of the seed-effect table and the ratio line, formatted the same way by
 * the kernel's benchmark (seed_effect.c) and its hosted half (tests/host/seed_effect.c), so
 * that tests/bench/seed.sh reads both with one parser. Portable (format.h's ksnprintf).
 */
#ifndef SEED_ROW_H
#define SEED_ROW_H

#include <stddef.h>
#include <stdint.h>

/* One mode's figures: rates per second, the writer's wait in per mille, passes in us. */
struct seed_row {
	unsigned agers;
	uint64_t ms, faults_ps, zaps_ps, wait_permille, rmaps_ps, walks_ps;
	uint64_t passes, p50_us, p99_us, max_us;
};

/* "  seed-effect <mode> agers=... walks_ps=...\n" into buf[size] */
void seed_row_line(char *buf, size_t size, const char *mode, const struct seed_row *r);
/* "  seed-effect lockless/locked faults_ps=x.yy ...\n": each figure of a over b, "-" if b is 0 */
void seed_ratio_line(char *buf, size_t size, const struct seed_row *a, const struct seed_row *b);

#endif /* SEED_ROW_H */
