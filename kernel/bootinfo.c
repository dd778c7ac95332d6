/*
 * kernel/bootinfo.c - owns `struct boot_platform` and the bring-up order it records:
 * free RAM (memory map less the first MiB, the kernel image, the multiboot2 block and its
 * modules) → page allocator → identity map of all of it → framebuffer console → ACPI → TSC →
 * (then kmain starts the APs). A step that fails is printed; one the run cannot do without sets
 * bp->fatal, which kmain turns into exit code 2 after the banner.
 */
#include "bootinfo.h"
#include "memrange.h"
#include "pmm.h"
#include "paging.h"
#include "fbcon.h"
#include "console.h"
#include "format.h"
#include "acpi.h"
#include "tsc.h"
#include "arch/x86.h"

#define MAX_MAP_RANGES	256
#define MAX_RESERVED	(3 + MB2_MAX_MODULES)
#define LOW_MEM_END	0x100000ull	/* BIOS data, EBDA, option ROMs; AP trampoline later */

extern char __kernel_start[], __kernel_end[];

static struct memrange ram_storage[MAX_MAP_RANGES];
static struct memrange_list ram;
static char cmdline_shown[512];

/* The memory map's available RAM (for mem=), then what is free of it for the allocator. */
static int find_free_ram(const struct mb2_info *mi, struct boot_platform *bp)
{
	struct memrange resv[MAX_RESERVED];
	struct memrange_report rep;
	size_t nresv = 0;
	int err;

	memrange_init(&ram, ram_storage, MAX_MAP_RANGES);
	err = memrange_build_usable(&ram, mi->mmap, mi->mmap_entry_size, mi->mmap_count, &rep);
	if (err) {
		kprintf("mem: memory map of %zu entries: %s\n", mi->mmap_count, memrange_strerror(err));
		return -1;
	}
	if (rep.zero_len || rep.wrap_dropped || rep.wrap_clamped)
		kprintf("mem: memory map has %zu empty and %zu wrapping entries (ignored)\n",
			rep.zero_len, rep.wrap_dropped + rep.wrap_clamped);
	bp->mem_mib = memrange_pages(&ram) * MEMRANGE_PAGE_SIZE >> 20;

	resv[nresv++] = (struct memrange){ 0, LOW_MEM_END };
	resv[nresv++] = (struct memrange){ (uint64_t)__kernel_start, (uint64_t)__kernel_end };
	resv[nresv++] = (struct memrange){ (uint64_t)mi->base, (uint64_t)mi->base + mi->total_size };
	for (size_t i = 0; i < mi->module_count; i++)
		resv[nresv++] = (struct memrange){ mi->modules[i].start, mi->modules[i].end };
	err = memrange_reserve(&ram, resv, nresv);
	if (err) {
		kprintf("mem: reserving the kernel and boot data: %s\n", memrange_strerror(err));
		return -1;
	}
	bp->free_ranges = ram.count;
	return 0;
}

/*
 * The AP trampoline needs one page below 1 MiB that the memory map calls available and that
 * holds nothing of ours: under OVMF the multiboot2 block itself sits in low memory. Page 0
 * (real-mode IVT, BIOS data) is never used. The highest such page below 0x9f000 is taken.
 */
static uint64_t find_trampoline_page(const struct mb2_info *mi)
{
	static struct memrange low_storage[MAX_MAP_RANGES];
	struct memrange_list low;
	struct memrange resv[2 + MB2_MAX_MODULES];
	size_t nresv = 0;
	uint64_t page = 0;

	memrange_init(&low, low_storage, MAX_MAP_RANGES);
	if (memrange_build_usable(&low, mi->mmap, mi->mmap_entry_size, mi->mmap_count, NULL))
		return 0;
	resv[nresv++] = (struct memrange){ 0, 0x1000 };
	resv[nresv++] = (struct memrange){ (uint64_t)mi->base, (uint64_t)mi->base + mi->total_size };
	for (size_t i = 0; i < mi->module_count; i++)
		resv[nresv++] = (struct memrange){ mi->modules[i].start, mi->modules[i].end };
	if (memrange_reserve(&low, resv, nresv))
		return 0;
	for (size_t i = 0; i < low.count; i++) {
		uint64_t end = low.r[i].end < 0x9f000 ? low.r[i].end : 0x9f000;

		if (low.r[i].base + 0x1000 <= end)
			page = end - 0x1000;
	}
	return page;
}

static void open_framebuffer(const struct mb2_info *mi, struct boot_platform *bp)
{
	const struct mb2_framebuffer *f = &mi->fb;
	struct fbcon_mode m;
	int err;

	if (!mi->has_fb) {
		ksnprintf(bp->fb_status, sizeof(bp->fb_status), "none (serial only)");
		return;
	}
	m = (struct fbcon_mode){
		.addr = f->addr, .pitch = f->pitch, .width = f->width, .height = f->height,
		.bpp = f->bpp, .type = f->type,
		.red_pos = f->red_pos, .red_size = f->red_size, .green_pos = f->green_pos,
		.green_size = f->green_size, .blue_pos = f->blue_pos, .blue_size = f->blue_size,
	};
	if (paging_map_identity(f->addr, (uint64_t)f->pitch * f->height)) {
		ksnprintf(bp->fb_status, sizeof(bp->fb_status), "at 0x%llx cannot be mapped",
			  (unsigned long long)f->addr);
		return;
	}
	err = fbcon_init(&m);
	if (err) {
		ksnprintf(bp->fb_status, sizeof(bp->fb_status), "%ux%ux%u type %u unusable: %s",
			  f->width, f->height, f->bpp, f->type, fbcon_strerror(err));
		return;
	}
	ksnprintf(bp->fb_status, sizeof(bp->fb_status), "%ux%ux%u type %u at 0x%llx", f->width,
		  f->height, f->bpp, f->type, (unsigned long long)f->addr);
	console_enable_fb(1);
}

/* The banner quotes the command line: show a double quote in it as ' to keep the line parseable */
static void keep_cmdline(const struct mb2_info *mi, struct boot_platform *bp)
{
	size_t n = 0;

	for (size_t i = 0; mi->cmdline && i < mi->cmdline_len && mi->cmdline[i]; i++) {
		if (n + 1 >= sizeof(cmdline_shown))
			break;
		cmdline_shown[n++] = mi->cmdline[i] == '"' ? '\'' : mi->cmdline[i];
	}
	cmdline_shown[n] = 0;
	bp->cmdline = cmdline_shown;
}

void bootinfo_init(const struct mb2_info *mi, struct boot_platform *bp)
{
	bp->uefi = mi->boot_mode == MB2_BOOT_UEFI;
	/* the banner's boot= names the firmware (DESIGN §6 knows bios and uefi); how the kernel
	 * was entered is this line's: a direct boot's firmware is QEMU's BIOS all the same */
	if (mi->boot_mode == MB2_BOOT_DIRECT)
		ksnprintf(bp->loader, sizeof(bp->loader), "direct (PVH entry, QEMU -kernel)");
	else
		ksnprintf(bp->loader, sizeof(bp->loader), "multiboot2 (%.*s)",
			  mi->bootloader ? (int)mi->bootloader_len : 7,
			  mi->bootloader ? mi->bootloader : "unnamed");
	keep_cmdline(mi, bp);
	if (!mi->mmap) {
		bp->fatal = "the boot loader gave no memory map (multiboot2 tag 6)";
		return;
	}
	if (mi->modules_dropped) {
		bp->fatal = "more boot modules than the kernel can keep out of the page allocator";
		return;
	}
	bp->trampoline_page = find_trampoline_page(mi);
	if (find_free_ram(mi, bp) || pmm_init(ram.r, (unsigned)ram.count)) {
		bp->fatal = "no free RAM above 1 MiB outside the kernel image";
		return;
	}
	/* the boot map covers 4 GiB; RAM above it is mapped before anyone can be handed it */
	for (size_t i = 0; i < ram.count; i++)
		if (ram.r[i].end > (1ull << 32) &&
		    paging_map_identity(ram.r[i].base, ram.r[i].end - ram.r[i].base))
			kprintf("mem: cannot map [0x%llx, 0x%llx)\n",
				(unsigned long long)ram.r[i].base, (unsigned long long)ram.r[i].end);
	bp->t_mem = rdtsc();
	open_framebuffer(mi, bp);
	bp->t_fb = rdtsc();
	console_phase("reading the ACPI tables");
	acpi_init(mi->rsdp_new ? mi->rsdp_new : mi->rsdp_old,
		  (uint32_t)(mi->rsdp_new ? mi->rsdp_new_len : mi->rsdp_old_len));
	bp->t_acpi = rdtsc();
	console_phase("calibrating the TSC (HPET, PM timer, PIT or RTC)");
	if (tsc_calibrate())
		bp->fatal = "no clock to calibrate the TSC against (CPUID 0x15, HPET, ACPI PM timer, PIT or RTC)";
	bp->t_tsc = rdtsc();
}

/* us between two TSC stamps; 0 when a phase did not run (an early fatal step) */
static uint64_t phase_us(uint64_t from, uint64_t to)
{
	return from && to > from ? tsc_ns(to - from) / 1000 : 0;
}

void bootinfo_print(const struct boot_platform *bp)
{
	kprintf("  boot: %s\n", bp->loader);
	kprintf("  mem: %llu MiB usable, %llu pages free in %llu ranges\n",
		(unsigned long long)bp->mem_mib, (unsigned long long)pmm_free_pages(),
		(unsigned long long)bp->free_ranges);
	kprintf("  framebuffer: %s\n", bp->fb_status);
	if (acpi.present)
		kprintf("  acpi: rsdp rev %u, %s with %u tables, pm timer %s0x%x, reset %s, poweroff %s\n",
			acpi.rsdp_revision, acpi.xsdt ? "xsdt" : "rsdt", acpi.ntables,
			acpi.pm_timer_32bit ? "32-bit " : "", acpi.pm_timer_port,
			acpi.reset_supported ? "yes" : "no", acpi.s5_found ? "yes" : "no");
	kprintf("  boot phases us: mem=%llu fb=%llu acpi=%llu tsc=%llu smp=%llu banner=%llu (from kmain)\n",
		(unsigned long long)phase_us(bp->t_entry, bp->t_mem),
		(unsigned long long)phase_us(bp->t_mem, bp->t_fb),
		(unsigned long long)phase_us(bp->t_fb, bp->t_acpi),
		(unsigned long long)phase_us(bp->t_acpi, bp->t_tsc),
		(unsigned long long)phase_us(bp->t_tsc, bp->t_smp),
		(unsigned long long)phase_us(bp->t_entry, bp->t_banner));
	kprintf("  tsc: %llu kHz against %s, %s\n", (unsigned long long)(tsc_hz() / 1000),
		tsc_reference(), tsc_invariant() ? "invariant" :
		"not invariant (CPUID 0x80000007 EDX[8] clear)");
}
