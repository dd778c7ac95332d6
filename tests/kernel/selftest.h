/* selftest.h - deliberate failures for the test suite (tests/kernel/selftest.c). */
#ifndef SELFTEST_H
#define SELFTEST_H
void selftest_run(int which);	/* enum cmdline_selftest; returns only for NONE */
#endif
