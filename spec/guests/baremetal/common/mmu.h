/* Translation table descriptors for the tests (ARM ARM B3.5 short-descriptor, B3.6 long-
   descriptor) and the identity maps every MMU test starts from. */
#ifndef BAREMETAL_MMU_H
#define BAREMETAL_MMU_H
#include "lib.h"

/* Short-descriptor first level */
#define S_SECTION 0x2u
#define S_PXN 0x1u /* section: bit 0 */
#define S_B (1u << 2)
#define S_C (1u << 3)
#define S_XN (1u << 4)
#define S_DOMAIN(d) ((u32)(d) << 5)
#define S_AP(ap) ((((u32)(ap) & 3) << 10) | ((((u32)(ap) >> 2) & 1) << 15)) /* APX:AP[1:0] */
#define S_TEX(t) ((u32)(t) << 12)
#define S_S (1u << 16)
#define S_NG (1u << 17)
#define S_SUPER (1u << 18)
#define S_PAGETABLE 0x1u
#define S_PT_PXN (1u << 2)
/* Short-descriptor second level */
#define P_SMALL 0x2u
#define P_SMALL_XN 0x1u
#define P_LARGE 0x1u
#define P_LARGE_XN (1u << 15)
#define P_AP(ap) ((((u32)(ap) & 3) << 4) | ((((u32)(ap) >> 2) & 1) << 9))
#define P_NG (1u << 11)
/* Memory types: Device (shareable), Normal non-cacheable, Normal write-back write-allocate */
#define S_DEVICE (S_B)
#define S_NORMAL_NC (S_TEX(1))
#define S_NORMAL_WB (S_TEX(1) | S_C | S_B)
#define P_NORMAL_NC (1u << 6)

/* Long-descriptor (LPAE) */
typedef u64 lpae_t;
#define L_TABLE 0x3ull
#define L_BLOCK 0x1ull
#define L_PAGE 0x3ull
#define L_ATTRIDX(i) ((u64)(i) << 2)
#define L_AP(ap) ((u64)(ap) << 6) /* AP[2:1] */
#define L_SH_INNER (3ull << 8)
#define L_AF (1ull << 10)
#define L_NG (1ull << 11)
#define L_PXN (1ull << 53)
#define L_XN (1ull << 54)
/* MAIR0 as the tests program it: index 0 Device-nGnRnE (Strongly-ordered), 1 Normal WBWA,
   2 Normal non-cacheable */
#define TEST_MAIR0 0x0044ff00u
#define L_DEVICE L_ATTRIDX(0)
#define L_NORMAL L_ATTRIDX(1)
#define L_NORMAL_NC L_ATTRIDX(2)

extern u32 l1_table[4096];
/* Identity map in l1_table: 0-1 GiB Device and XN, RAM (0x40000000-0x5fffffff) Normal
   write-back, the rest faults; all in domain 0 with full access. */
void short_identity(void);
/* TTBCR = 0, TTBR0 = l1_table (cacheable walks), DACR = all client, TLBIALL, then SCTLR.M and
   the given extra SCTLR bits (e.g. SCTLR_C | SCTLR_I). */
void short_mmu_on(u32 sctlr_bits);
/* Full barriers around a translation table write: DSB, then TLB invalidation by MVA, BPIALL,
   DSB, ISB. */
void tlb_sync_mva(u32 va);
void tlb_sync_all(void);
#define TTBR_WALK_WBWA ((1u << 6) | (1u << 3)) /* IRGN = RGN = write-back write-allocate */

/* TTBCR with EAE: T0SZ 0, write-back write-allocate inner-shareable walks */
#define TTBCR_LONG (0x80000000u | 1u << 8 | 1u << 10 | 3u << 12)
/* ... with T0SZ = T1SZ = 1: TTBR0 translates the low 2 GiB, TTBR1 the high 2 GiB (same walks) */
#define TTBCR_LONG_SPLIT (TTBCR_LONG | 1u << 16 | 1u << 24 | 1u << 26 | 3u << 28 | 1u)
/* MAIR0 = TEST_MAIR0, MAIR1 = 0, TTBR0 = ttbr0 (64-bit: ASID in [55:48]), TTBCR = TTBCR_LONG,
   TLBIALL, then SCTLR.M and the given extra SCTLR bits. */
void long_mmu_on(u64 ttbr0, u32 sctlr_bits);

#endif
