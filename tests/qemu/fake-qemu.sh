#!/usr/bin/env bash
# fake-qemu.sh: stands in for qemu-system-x86_64 in run-qemu-exit.sh (QEMU=tests/qemu/fake-qemu.sh).
# Ignores its arguments; prints FAKE_OUT (printf format) on stdout, then hangs for FAKE_SLEEP
# seconds if set, else exits FAKE_STATUS. Answers --version like QEMU.
[ "${1:-}" = --version ] && { echo "QEMU emulator version 0.0.0 (fake-qemu.sh)"; exit 0; }
printf "${FAKE_OUT:-}"
[ "${FAKE_SLEEP:-0}" = 0 ] || exec sleep "$FAKE_SLEEP"	# a hang: killed, as QEMU would be
exit "${FAKE_STATUS:-1}"
