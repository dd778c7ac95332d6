/*
 * tests/kernel/harness/seed_row.c - the seed-effect table's lines (seed_row.h).
 */
#include "format.h"
#include "seed_row.h"

void seed_row_line(char *buf, size_t size, const char *mode, const struct seed_row *r)
{
	ksnprintf(buf, size, "  seed-effect %-12s agers=%-3u ms=%llu faults_ps=%llu zaps_ps=%llu mmu_wait=%llu.%llu%% rmaps_ps=%llu passes=%llu pass_us_p50=%llu pass_us_p99=%llu pass_us_max=%llu walks_ps=%llu\n",
		  mode, r->agers, (unsigned long long)r->ms, (unsigned long long)r->faults_ps,
		  (unsigned long long)r->zaps_ps, (unsigned long long)(r->wait_permille / 10),
		  (unsigned long long)(r->wait_permille % 10), (unsigned long long)r->rmaps_ps,
		  (unsigned long long)r->passes, (unsigned long long)r->p50_us,
		  (unsigned long long)r->p99_us, (unsigned long long)r->max_us,
		  (unsigned long long)r->walks_ps);
}

/* a/b as "x.yy" (two decimals, truncated), or "-" when b is 0 */
static const char *ratio(char *buf, size_t size, uint64_t a, uint64_t b)
{
	uint64_t r;

	if (!b)
		return "-";
	r = a * 100 / b;
	ksnprintf(buf, size, "%llu.%02llu", (unsigned long long)(r / 100),
		  (unsigned long long)(r % 100));
	return buf;
}

void seed_ratio_line(char *buf, size_t size, const struct seed_row *a, const struct seed_row *b)
{
	char f[24], z[24], w[24], rm[24], p50[24], p99[24], wk[24];

	ksnprintf(buf, size, "  seed-effect lockless/locked faults_ps=%s zaps_ps=%s mmu_wait=%s rmaps_ps=%s pass_us_p50=%s pass_us_p99=%s walks_ps=%s\n",
		  ratio(f, sizeof(f), a->faults_ps, b->faults_ps),
		  ratio(z, sizeof(z), a->zaps_ps, b->zaps_ps),
		  ratio(w, sizeof(w), a->wait_permille, b->wait_permille),
		  ratio(rm, sizeof(rm), a->rmaps_ps, b->rmaps_ps),
		  ratio(p50, sizeof(p50), a->p50_us, b->p50_us),
		  ratio(p99, sizeof(p99), a->p99_us, b->p99_us),
		  ratio(wk, sizeof(wk), a->walks_ps, b->walks_ps));
}
