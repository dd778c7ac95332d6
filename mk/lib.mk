# mk/lib.mk: kernel/lib, the portable hardware-free C that is linked into the kernel and
# unit-tested on the host (format, string, cmdline, mb2, pvh, cpu tables, memrange). Appends to KERNEL_C_SRCS
# and HOST_TESTS; `make lib-tests` builds and runs just these host tests.
# Uses BUILD, HOSTCC and HOST_CFLAGS from the top Makefile; the ?= lines below only let the
# fragment run alone: make -f mk/lib.mk lib-tests

BUILD ?= build
HOSTCC ?= cc
HOST_CFLAGS ?= -std=gnu11 -Wall -Wextra -Werror -g -O2 -Ikernel/include -Ikernel

LIB_C_SRCS := \
	kernel/lib/format.c \
	kernel/lib/string.c \
	kernel/lib/cmdline.c \
	kernel/lib/cmdline_opts.c \
	kernel/lib/cmdline_usage.c \
	kernel/lib/mb2.c \
	kernel/lib/pvh.c \
	kernel/lib/cpu_tables.c \
	kernel/lib/memrange.c
LIB_HDRS := $(wildcard kernel/include/format.h kernel/include/kstring.h kernel/include/cmdline.h \
	kernel/include/mb2.h kernel/include/pvh.h kernel/include/madt.h kernel/include/memrange.h kernel/lib/*.h)
KERNEL_C_SRCS += $(LIB_C_SRCS)

# Host tests: tests/host/test_NAME.c linked with the library files below, one test per line.
# test_string #includes kernel/lib/string.c with its functions renamed, so that the kernel's
# memset & co. never replace libc's (and ASan's) in a host program: it links nothing else.
LIB_TEST_SRCS_format   := kernel/lib/format.c
LIB_TEST_SRCS_cmdline  := kernel/lib/cmdline.c kernel/lib/cmdline_opts.c kernel/lib/cmdline_usage.c kernel/lib/format.c
LIB_TEST_SRCS_mb2      := kernel/lib/mb2.c kernel/lib/format.c tests/host/mb2_blob.c tests/host/mb2_bad_blobs.c
LIB_TEST_SRCS_pvh      := kernel/lib/pvh.c kernel/lib/mb2.c kernel/lib/format.c
LIB_TEST_SRCS_cpu_tables := kernel/lib/cpu_tables.c
LIB_TEST_SRCS_memrange := kernel/lib/memrange.c
LIB_TEST_SRCS_string   :=
LIB_TESTS := format cmdline mb2 pvh cpu_tables memrange string
LIB_HOST_TESTS := $(LIB_TESTS:%=$(BUILD)/host/test_%)
LIB_HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_TESTS += $(LIB_HOST_TESTS)

$(LIB_HOST_TESTS): $(BUILD)/host/test_%: tests/host/test_%.c $(LIB_C_SRCS) $(LIB_HDRS) mk/lib.mk
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(LIB_HOST_SAN) -o $@ $< $(LIB_TEST_SRCS_$*)
$(BUILD)/host/test_mb2: tests/host/mb2_blob.h tests/host/mb2_blob.c tests/host/mb2_bad_blobs.c

# Runs each test, keeps its output in build/host/test_NAME.log, prints one line per test.
.PHONY: lib-tests
lib-tests: $(LIB_HOST_TESTS)
	@fail=0; for t in $(LIB_HOST_TESTS); do \
		if $$t > $$t.log 2>&1; then echo "PASS $$t"; \
		else echo "FAIL $$t (log: $$t.log)"; fail=1; fi; \
	done; exit $$fail
