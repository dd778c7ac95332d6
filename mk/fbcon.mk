# mk/fbcon.mk: the framebuffer console's build: tools/psf2c (host), the font it generates into
# $(BUILD)/gen/font.c, kernel/fbcon.c, and the host test tests/host/test_fbcon.c. Included by the
# top Makefile, which defines BUILD, HOSTCC and HOST_CFLAGS; appends to KERNEL_C_SRCS and
# HOST_TESTS. The one build dependency is the font, from Debian's console-setup-linux package
# (Debian's kbd ships no fonts). FBCON_FONT may name any PSF1/PSF2 file, gzipped or not.

FBCON_FONT_PKG := console-setup-linux
FBCON_FONT     ?= /usr/share/consolefonts/Lat15-TerminusBold16.psf.gz
FBCON_GEN      := $(BUILD)/gen/font.c

KERNEL_C_SRCS  += kernel/fbcon.c $(FBCON_GEN)
HOST_TESTS     += $(BUILD)/host/test_fbcon

$(BUILD)/tools/psf2c: tools/psf2c.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $<

# The font is a prerequisite only when it exists, so that a missing one reaches the recipe's
# message naming the package instead of make's "No rule to make target".
$(FBCON_GEN): $(BUILD)/tools/psf2c $(wildcard $(FBCON_FONT)) mk/fbcon.mk
	@test -r '$(FBCON_FONT)' || { echo "fbcon: font $(FBCON_FONT) is missing:" \
		"install the Debian package $(FBCON_FONT_PKG) (apt-get install -y $(FBCON_FONT_PKG))" >&2; exit 1; }
	@mkdir -p $(@D)
	gzip -dcf '$(FBCON_FONT)' > $(BUILD)/gen/font.psf
	$(BUILD)/tools/psf2c -s $(notdir $(FBCON_FONT)) $(BUILD)/gen/font.psf > $@.tmp
	@mv $@.tmp $@

$(BUILD)/host/test_fbcon: tests/host/test_fbcon.c kernel/fbcon.c $(FBCON_GEN) kernel/include/fbcon.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ tests/host/test_fbcon.c kernel/fbcon.c $(FBCON_GEN)
