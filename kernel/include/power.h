/*
 * power.h - how a run ends (kernel/power.c): isa-debug-exit under QEMU, or halt, ACPI reboot
 * or ACPI poweroff on a real machine, per on_finish=. Exit codes are DESIGN §6's.
 */
#ifndef POWER_H
#define POWER_H

enum exit_code { EXIT_PASS = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };
enum on_finish { FINISH_AUTO, FINISH_QEMU_EXIT, FINISH_HALT, FINISH_REBOOT, FINISH_POWEROFF };

void power_set_on_finish(enum on_finish how);
int power_under_qemu(void);
__attribute__((noreturn)) void machine_finish(enum exit_code code);
__attribute__((noreturn)) void machine_park(void);	/* this CPU stops for good */

#endif
