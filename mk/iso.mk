# mk/iso.mk - make iso: the hybrid BIOS + UEFI image $(BUILD)/rmap-harness.iso (grub-mkrescue),
# bootable as a CD and written raw to a USB stick. grub.cfg is generated from the kernel's own
# catalog by tools/gen-grub-cfg.sh (how tools/run-qemu.sh passes a command line: its header).
# The tools are checked when the ISO is built, not when the Makefile is read: `make` alone
# needs none of them. Names are spelt out: this file is read before the top Makefile sets KELF.

ISO := $(BUILD)/rmap-harness.iso
ISO_ROOT := $(BUILD)/iso-root

# "check|Debian package": the first check that fails stops the build and names its package.
ISO_NEEDS := \
	"command -v grub-mkrescue|grub-common" \
	"command -v xorriso|xorriso" \
	"command -v mformat|mtools" \
	"test -d /usr/lib/grub/i386-pc|grub-pc-bin" \
	"test -d /usr/lib/grub/x86_64-efi|grub-efi-amd64-bin"

# No fonts, locales or themes: GRUB runs a text menu; they would more than double the image.
ISO_MKRESCUE_FLAGS := --fonts= --locales= --themes=

.PHONY: iso
iso: $(ISO)

$(ISO_ROOT)/boot/grub/grub.cfg: tools/gen-grub-cfg.sh $(BUILD)/tools/catalog
	@mkdir -p $(@D)
	$(BUILD)/tools/catalog > $(BUILD)/catalog.txt
	tools/gen-grub-cfg.sh $(BUILD)/catalog.txt > $@.tmp
	mv $@.tmp $@

$(ISO): $(BUILD)/rmap-harness.elf $(ISO_ROOT)/boot/grub/grub.cfg mk/iso.mk
	@for need in $(ISO_NEEDS); do \
		$${need%|*} >/dev/null 2>&1 || { \
			echo "make iso: '$${need%|*}' failed: install the Debian package $${need#*|}" \
			     "(tools/install-deps.sh installs all the project needs)" >&2; exit 1; }; \
	done
	cp $(BUILD)/rmap-harness.elf $(ISO_ROOT)/boot/rmap-harness.elf
	grub-mkrescue $(ISO_MKRESCUE_FLAGS) -o $@.tmp $(ISO_ROOT) 2> $@.log || \
		{ cat $@.log >&2; rm -f $@.tmp; exit 1; }
	mv $@.tmp $@
