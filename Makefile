# rmap-harness top-level Makefile.
#   make          the kernel ELF (build/rmap-harness.elf)
#   make iso      the hybrid BIOS/UEFI ISO (mk/iso.mk)
#   make run      boots it under QEMU on 16 CPUs (tools/run-qemu.sh)
#   make test     host unit tests and the QEMU matrices (tools/run-tests.sh)
#   make test-slow the suite's slow lines (tests/qemu/suite.slow): every mutation at 288 CPUs
#   make bench    benchmarks that print figures
#   make clean
# Sources are collected per area by the fragments in mk/*.mk; CROSS_COMPILE=x86_64-linux-gnu-
# (or x86_64-elf-) selects a cross toolchain on a non-x86 host.

.DEFAULT_GOAL := all
BUILD := build
CROSS_COMPILE ?=
KCC := $(CROSS_COMPILE)gcc
KLD := $(CROSS_COMPILE)ld
KNM := $(CROSS_COMPILE)nm
HOSTCC ?= cc
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

KCC_MACHINE := $(shell $(KCC) -dumpmachine 2>/dev/null)
ifeq ($(filter x86_64-%,$(KCC_MACHINE)),)
$(error $(KCC) targets '$(KCC_MACHINE)', not x86_64: set CROSS_COMPILE=x86_64-linux-gnu- (Debian package gcc-x86-64-linux-gnu) or x86_64-elf-)
endif

# Kernel code: freestanding, no red zone (exceptions push onto the interrupted stack), no
# SSE/x87 (nothing saves those registers), frame pointers for backtraces.
KCFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -mno-red-zone -mcmodel=small \
	-mgeneral-regs-only -mno-sse -mno-sse2 -mno-mmx -mno-80387 -fno-stack-protector \
	-fno-omit-frame-pointer -fno-optimize-sibling-calls -fno-asynchronous-unwind-tables \
	-fno-builtin-printf -O2 -g -Wall -Wextra -Werror -nostdlib -MMD -MP \
	--param=min-pagesize=0 -Ikernel/include -Ikernel -Itests/kernel -DRH_VERSION='"$(VERSION)"'
KASFLAGS := -Ikernel/include -Ikernel -MMD -MP -Wa,--noexecstack
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T linker.ld

HOST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -O2 -Ikernel/include -Ikernel -Itests/kernel

# Platform sources, one per line (the portable areas add theirs in mk/*.mk).
KERNEL_S_SRCS := \
	boot/header.S \
	boot/entry.S \
	boot/pvh.S \
	boot/isr.S \
	boot/segments.S \
	boot/trampoline.S \
	kernel/arch/svm_vmrun.S \
	kernel/arch/svm_guest.S
KERNEL_C_SRCS := \
	kernel/main.c \
	kernel/percpu.c \
	kernel/serial.c \
	kernel/console.c \
	kernel/report.c \
	kernel/panic.c \
	kernel/trap.c \
	kernel/backtrace.c \
	kernel/arch/gdt.c \
	kernel/arch/idt.c \
	kernel/arch/pic.c \
	kernel/arch/mca.c \
	kernel/arch/svm.c \
	kernel/paging.c \
	kernel/pmm.c \
	kernel/acpi.c \
	kernel/tsc.c \
	kernel/power.c \
	kernel/bootinfo.c \
	kernel/smp/madt.c \
	tests/kernel/catalog.c \
	tests/kernel/boot.c \
	tests/kernel/selftest.c \
	tests/kernel/smp_smoke.c \
	tests/kernel/smp_bench.c \
	tests/kernel/svm_guest.c \
	tests/kernel/svm_guest_vcpu.c \
	tests/kernel/svm_setup.c \
	tests/kernel/svm_zap.c \
	tests/kernel/svm_race.c \
	tests/kernel/harness/scenarios.c \
	tests/kernel/harness/run.c \
	tests/kernel/harness/writer.c \
	tests/kernel/harness/guest.c \
	tests/kernel/harness/guest_probe.c \
	tests/kernel/harness/roles.c \
	tests/kernel/harness/checkpoint.c \
	tests/kernel/harness/summary.c \
	tests/kernel/harness/ops_bench.c \
	tests/kernel/harness/seed_effect.c \
	tests/kernel/harness/age_pass.c \
	tests/kernel/harness/seed_row.c \
	kernel/smp/smp.c \
	kernel/smp/lapic.c \
	kernel/smp/barrier.c \
	kernel/smp/watchdog.c \
	kernel/smp/parallelism.c \
	kernel/smp/irq_torture.c
HOST_TESTS :=

include $(filter-out $(MK_EXCLUDE),$(sort $(wildcard mk/*.mk)))

# The banner's version: main.o is rebuilt when `git describe` changes, not only when main.c does.
VERSION_STAMP := $(BUILD)/version.txt
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(VERSION_STAMP) 2>/dev/null)" = "$(VERSION)" ] || echo "$(VERSION)" > $(VERSION_STAMP); })

KOBJS := $(patsubst %.S,$(BUILD)/k/%.o,$(KERNEL_S_SRCS)) \
	$(patsubst %.c,$(BUILD)/k/%.o,$(patsubst $(BUILD)/%,%,$(KERNEL_C_SRCS)))
KELF := $(BUILD)/rmap-harness.elf

.PHONY: all run test test-slow bench soak clean host-tests print-host-tests
all: $(KELF)

# V=1 shows the commands
Q := $(if $(V),,@)

$(BUILD)/k/%.o: %.S
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(KCC) $(KASFLAGS) -c -o $@ $<
$(BUILD)/k/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(KCC) $(KCFLAGS) -c -o $@ $<
$(BUILD)/k/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(KCC) $(KCFLAGS) -c -o $@ $<

# Two link passes: the first with an empty symbol table, the second with the table made from
# the first. .ksyms lies after .text (linker.ld), so no function moves between the passes;
# the final check proves it by regenerating the table from the result.
$(BUILD)/k/ksyms0.o: tools/gen-ksyms.sh
	@mkdir -p $(@D)
	$(Q)tools/gen-ksyms.sh $(KNM) - > $(BUILD)/k/ksyms0.S
	$(Q)$(KCC) $(KASFLAGS) -c -o $@ $(BUILD)/k/ksyms0.S
$(KELF): $(KOBJS) $(BUILD)/k/ksyms0.o linker.ld tools/gen-ksyms.sh
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(KLD) $(KLDFLAGS) -o $(BUILD)/k/stage1.elf $(KOBJS) $(BUILD)/k/ksyms0.o
	$(Q)tools/gen-ksyms.sh $(KNM) $(BUILD)/k/stage1.elf > $(BUILD)/k/ksyms.S
	$(Q)$(KCC) $(KASFLAGS) -c -o $(BUILD)/k/ksyms.o $(BUILD)/k/ksyms.S
	$(Q)$(KLD) $(KLDFLAGS) -o $@.tmp $(KOBJS) $(BUILD)/k/ksyms.o
	$(Q)tools/gen-ksyms.sh $(KNM) $@.tmp | cmp -s - $(BUILD)/k/ksyms.S || \
		{ echo "ksyms: functions moved between link passes (check linker.ld)" >&2; exit 1; }
	$(Q)mv $@.tmp $@

# The catalog of tests and mutations, for grub.cfg and the test suite: the kernel's own
# table compiled for the host (tests/kernel/catalog.c with its run functions left weak), and
# the portable core whose rmap_variants[] are the mutations (mk/core.mk's CORE_HOST_SRCS).
$(BUILD)/tools/catalog: tools/catalog.c tests/kernel/catalog.c tests/kernel/catalog.h \
		$(CORE_HOST_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -Itests/host -pthread -DHOST_CATALOG -o $@ tools/catalog.c \
		tests/kernel/catalog.c $(CORE_HOST_SRCS)

host-tests: $(HOST_TESTS)
print-host-tests:
	@echo $(HOST_TESTS)

run: iso
	tools/run-qemu.sh -smp 16

test:
	tools/run-tests.sh

# not part of `make test`: the matrices too slow for every change (about 8 min each on 2 cores)
test-slow:
	TEST_SUITE=tests/qemu/suite.slow tools/run-tests.sh --qemu

bench:
	tools/run-bench.sh

# not part of `make test`: every harness test unmutated for SOAK_MINUTES (5) each at -smp 4 and
# 16, a fresh seed per run (tools/soak.sh)
soak:
	tools/soak.sh

clean:
	rm -rf $(BUILD)

$(BUILD)/k/kernel/main.o: $(VERSION_STAMP)

-include $(KOBJS:.o=.d)
