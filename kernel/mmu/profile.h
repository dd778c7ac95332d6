/*
 * profile.h - which protocol the core runs (DESIGN §2): `strict`, the project's own reading of
 * the seed thread (stricter than upstream on A/D, and walking only what the read-only rmap
 * lock covers), or `kvm`, the shapes Linux v6.15+ arch/x86/kvm/mmu/mmu.c ships where the two
 * differ. Chosen once per MMU (memslot.profile) and fixed until it is destroyed; each step that
 * differs tests it beside the strict step it replaces and names the upstream function it copies.
 */
#ifndef MMU_PROFILE_H
#define MMU_PROFILE_H

enum mmu_profile {
	MMU_PROFILE_STRICT,	/* the default: nothing that passed before changes */
	MMU_PROFILE_KVM,	/* upstream's shapes */
	MMU_NR_PROFILES
};

#endif /* MMU_PROFILE_H */
