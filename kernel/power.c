/*
 * kernel/power.c - ends the run. Under QEMU the isa-debug-exit device (port 0xf4) turns the
 * exit code into QEMU's status ((code << 1) | 1); on a real machine the verdict stays on the
 * screen and the CPU halts, or the machine reboots or powers off through ACPI when asked.
 * on_finish=auto (the default) means qemu-exit under QEMU, halt elsewhere.
 */
#include "power.h"
#include "acpi.h"
#include "console.h"
#include "tsc.h"
#include "arch/x86.h"

#define QEMU_DEBUG_EXIT	0xf4
#define FW_CFG_CTL	0x510
#define FW_CFG_DATA	0x511

static enum on_finish finish_how = FINISH_AUTO;

void power_set_on_finish(enum on_finish how)
{
	finish_how = how;
}

/* CPUID.1:ECX bit 31 says a hypervisor is there; QEMU's fw_cfg signature says which */
int power_under_qemu(void)
{
	char sig[4];

	if (!cpu_has_hypervisor())
		return 0;
	outw(FW_CFG_CTL, 0);		/* FW_CFG_SIGNATURE */
	for (int i = 0; i < 4; i++)
		sig[i] = (char)inb(FW_CFG_DATA);
	return !__builtin_memcmp(sig, "QEMU", 4);
}

void machine_park(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

static void acpi_reboot(void)
{
	if (acpi.reset_supported)
		outb(acpi.reset_port, acpi.reset_value);
	tsc_delay_us(100000);
	outb(0xcf9, 0x02);		/* PCI reset control: request hard reset */
	outb(0xcf9, 0x06);
	tsc_delay_us(100000);
	outb(0x64, 0xfe);		/* 8042 pulse reset line */
	tsc_delay_us(100000);
}

static void acpi_poweroff(void)
{
	/* PM1_CNT: SLP_TYP in bits 10-12, SLP_EN bit 13 (ACPI 4.8.3.2.1) */
	if (!acpi.s5_found || !acpi.pm1a_cnt) {
		kprintf("poweroff: no \\_S5 sleep type or PM1a control block in ACPI\n");
		return;
	}
	outw(acpi.pm1a_cnt, (uint16_t)((acpi.s5_typ_a << 10) | (1u << 13)));
	if (acpi.pm1b_cnt)
		outw(acpi.pm1b_cnt, (uint16_t)((acpi.s5_typ_b << 10) | (1u << 13)));
	tsc_delay_us(500000);
}

void machine_finish(enum exit_code code)
{
	enum on_finish how = finish_how;

	if (how == FINISH_AUTO)
		how = power_under_qemu() ? FINISH_QEMU_EXIT : FINISH_HALT;
	switch (how) {
	case FINISH_QEMU_EXIT:
		outl(QEMU_DEBUG_EXIT, (uint32_t)code);
		tsc_delay_us(200000);	/* QEMU exits from another thread: give it time */
		kprintf("on_finish=qemu-exit: no isa-debug-exit device answered; halting\n");
		break;
	case FINISH_REBOOT:
		kprintf("rebooting (exit code %d)\n", code);
		acpi_reboot();
		kprintf("reboot: no reset method worked; halting\n");
		break;
	case FINISH_POWEROFF:
		kprintf("powering off (exit code %d)\n", code);
		acpi_poweroff();
		kprintf("poweroff did not happen; halting\n");
		break;
	default:
		break;
	}
	kprintf("halted: the run ended with exit code %d (%s); the machine can be switched off\n",
		code, code == EXIT_PASS ? "pass" : code == EXIT_FAIL ? "FAIL" : "usage or boot error");
	machine_park();
}
