/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test fixture: union kvm_mmu_page_role as the kernel declared it in each
 * historical layout, chosen with -DLAYOUT=419, 515, 601, 614 or 702, plus
 * the structures whose array bounds kvmmmu-report reads.  Compiled with
 * gcc -g (and -gdwarf-4, for DW_AT_bit_offset) by the test suite; the
 * fields are written here from the kernel sources of each version, not
 * copied.  702 is 7.2's: access widened to 4 bits (ACC_READ_MASK), so
 * every field after it moves up one bit, smep_andnot_wp is gone and
 * cr4_smep comes after is_mirror.
 */
typedef unsigned int u32;

union kvm_mmu_page_role {
	u32 word;
	struct {
		unsigned level:4;
#if LAYOUT == 419
		unsigned cr4_pae:1;
#elif LAYOUT == 515
		unsigned gpte_is_8_bytes:1;
#else
		unsigned has_4_byte_gpte:1;
#endif
		unsigned quadrant:2;
		unsigned direct:1;
#if LAYOUT >= 702
		unsigned access:4;
#else
		unsigned access:3;
#endif
		unsigned invalid:1;
#if LAYOUT == 419
		unsigned nxe:1;
#else
		unsigned efer_nx:1;
#endif
		unsigned cr0_wp:1;
#if LAYOUT < 702
		unsigned smep_andnot_wp:1;
#endif
		unsigned smap_andnot_wp:1;
		unsigned ad_disabled:1;
		unsigned guest_mode:1;
#if LAYOUT >= 702
		unsigned passthrough:1;
		unsigned is_mirror:1;
		unsigned cr4_smep:1;
		unsigned :3;
#elif LAYOUT >= 614
		unsigned passthrough:1;
		unsigned is_mirror:1;
		unsigned :4;
#elif LAYOUT >= 601
		unsigned passthrough:1;
		unsigned :5;
#else
		unsigned :6;
#endif
		unsigned smm:8;
	};
};

struct kvm_mmu_page { union kvm_mmu_page_role role; unsigned long gfn; int unsync; };
struct kvm_mmu_pages {
	struct mmu_page_and_offset { struct kvm_mmu_page *sp; unsigned int idx; } page[16];
	unsigned int nr;
};
struct mmu_page_path { struct kvm_mmu_page *parent[5]; unsigned int idx[5]; };
struct kvm_mmu_root_info { unsigned long pgd; unsigned long hpa; };
struct kvm_mmu { struct kvm_mmu_root_info root; struct kvm_mmu_root_info prev_roots[3]; };

struct kvm_mmu_page page;
struct kvm_mmu_pages pages;
struct mmu_page_path path;
struct kvm_mmu mmu;
