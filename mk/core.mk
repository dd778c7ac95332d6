# mk/core.mk: the portable core (kernel/mmu, kernel/rmap, their env for the kernel) and its host
# tests. Included by the top Makefile, which defines BUILD, HOSTCC and HOST_CFLAGS. Appends the
# core to KERNEL_C_SRCS and its test programs to HOST_TESTS; `make core-tests` builds and runs
# just these. The same core sources are compiled into every host program against
# tests/host/env_host.c (pthreads as CPUs):
#   test_spte, test_pte_list, test_rmap_lock, test_mmu_audit   unit tests, ASan+UBSan
#   stress-tsan, stress-asan   the stress test, correct protocol, must find no violation
#   stress-mutants             the stress test over every broken variant, must catch each
#   stress-bench               the same program unsanitized, for make bench's hosted rates
#                              (tests/bench/harness.sh; not a test)
#   seed-effect                the seed-effect benchmark's hosted half (make bench's seed
#                              section); seed-effect-tsan, the same under ThreadSanitizer, runs
#                              briefly in make test (tests/host/suite)

CORE_C_SRCS := $(sort $(wildcard kernel/mmu/*.c kernel/rmap/*.c))
CORE_HDRS := $(wildcard kernel/mmu/*.h kernel/rmap/*.h) kernel/include/atomic.h kernel/include/env.h
KERNEL_C_SRCS += $(CORE_C_SRCS) kernel/arch/env_kernel.c

CORE_HOST_SRCS := $(CORE_C_SRCS) tests/host/env_host.c
CORE_HOST_DEPS := $(CORE_HOST_SRCS) $(CORE_HDRS) tests/host/env_host.h tests/host/core_tap.h \
	mk/core.mk
CORE_HOST_CFLAGS := $(HOST_CFLAGS) -Itests/host -pthread
CORE_ASAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CORE_TSAN := -fsanitize=thread

CORE_UNIT_TESTS := $(patsubst %,$(BUILD)/host/test_%,spte pte_list rmap_lock mmu_audit)
CORE_STRESS := $(BUILD)/host/stress-tsan $(BUILD)/host/stress-asan $(BUILD)/host/stress-mutants
CORE_STRESS_SRCS := tests/host/stress.c tests/host/stress_roles.c
CORE_STRESS_DEPS := $(CORE_STRESS_SRCS) tests/host/stress.h $(CORE_HOST_DEPS)
HOST_TESTS += $(CORE_UNIT_TESTS) $(CORE_STRESS)

$(CORE_UNIT_TESTS): $(BUILD)/host/test_%: tests/host/test_%.c $(CORE_HOST_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(CORE_HOST_CFLAGS) $(CORE_ASAN) -o $@ $< $(CORE_HOST_SRCS)

$(BUILD)/host/stress-tsan: $(CORE_STRESS_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(CORE_HOST_CFLAGS) $(CORE_TSAN) -o $@ $(CORE_STRESS_SRCS) $(CORE_HOST_SRCS)
$(BUILD)/host/stress-asan: $(CORE_STRESS_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(CORE_HOST_CFLAGS) $(CORE_ASAN) -o $@ $(CORE_STRESS_SRCS) $(CORE_HOST_SRCS)
# No sanitizer: the harness's own invariants must catch each variant (as in the kernel).
$(BUILD)/host/stress-mutants: $(CORE_STRESS_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(CORE_HOST_CFLAGS) -DSTRESS_MUTANTS -o $@ $(CORE_STRESS_SRCS) $(CORE_HOST_SRCS)

$(BUILD)/host/stress-bench: $(CORE_STRESS_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(CORE_HOST_CFLAGS) -o $@ $(CORE_STRESS_SRCS) $(CORE_HOST_SRCS)

SEED_SRCS := tests/host/seed_effect.c tests/kernel/harness/age_pass.c tests/kernel/harness/seed_row.c \
	kernel/lib/format.c
SEED_DEPS := $(SEED_SRCS) tests/kernel/harness/age_pass.h tests/kernel/harness/seed_row.h \
	$(CORE_HOST_DEPS)
$(BUILD)/host/seed-effect: $(SEED_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(CORE_HOST_CFLAGS) -Itests/kernel/harness -o $@ $(SEED_SRCS) $(CORE_HOST_SRCS)
$(BUILD)/host/seed-effect-tsan: $(SEED_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(CORE_HOST_CFLAGS) $(CORE_TSAN) -Itests/kernel/harness -o $@ $(SEED_SRCS) \
		$(CORE_HOST_SRCS)

.PHONY: core-tests
core-tests: $(CORE_UNIT_TESTS) $(CORE_STRESS)
	@fail=0; for t in $^; do echo "== $$t"; $$t || { echo "FAIL: $$t"; fail=1; }; done; \
		exit $$fail
