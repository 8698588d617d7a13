/* TLB maintenance (ARM ARM B3.10, B4.2.2): a mapping is changed and, after the maintenance the
   architecture requires, the new translation is used. Only those results are printed: a read
   between the table write and the invalidation may return either value and is never shown.
   Short-descriptor: TLBIMVA, TLBIALL, TLBIMVAA, TLBIASID, the inner-shareable forms, ASIDs and
   global entries, a TTBR0 switch, permission changes, and the guarantee that an entry that gave
   a translation fault is not cached. Long-descriptor: the same for pages and blocks, with the
   ASID in TTBR0. */
#include "mmu.h"

#define PA_A 0x48000000u
#define PA_B 0x48100000u
#define PA_C 0x48200000u
#define PA_D 0x48400000u /* 2 MiB aligned, for blocks */

static u32 l2[256] __attribute__((aligned(1024)));
static u32 l1_alt[4096] __attribute__((aligned(16384)));
static lpae_t ll1[4] __attribute__((aligned(32)));
static lpae_t ll2_dev[512] __attribute__((aligned(4096)));
static lpae_t ll2[512] __attribute__((aligned(4096)));
static lpae_t ll3[512] __attribute__((aligned(4096)));

static void fill(u32 pa, u32 tag) {
  for (u32 i = 0; i < 16; i++) *(volatile u32 *)(pa + 4 * i) = tag | i;
}

static void set_asid(u32 asid) {
  write_contextidr(asid);
  isb();
}

static void short_tests(void) {
  u32 sec = S_SECTION | S_NORMAL_NC | S_AP(3) | S_XN;
  short_identity();
  short_mmu_on(SCTLR_I);

  l1_table[0x800] = PA_A | sec;
  tlb_sync_mva(0x80000000);
  probe("section A", ld32, 0x80000004, 0, 0xa0000001);
  l1_table[0x800] = PA_B | sec;
  dsb();
  write_tlbimva(0x80012000); /* any address in the section */
  dsb();
  isb();
  probe("section B after tlbimva", ld32, 0x80000004, 0, 0xb0000001);
  l1_table[0x800] = PA_C | sec;
  dsb();
  write_tlbiall(0);
  dsb();
  isb();
  probe("section C after tlbiall", ld32, 0x80000004, 0, 0xc0000001);
  l1_table[0x800] = PA_A | sec;
  dsb();
  write_tlbimvais(0x80000000);
  dsb();
  isb();
  probe("section A after tlbimvais", ld32, 0x80000008, 0, 0xa0000002);
  l1_table[0x800] = PA_B | sec;
  dsb();
  write_tlbiallis(0);
  dsb();
  isb();
  probe("section B after tlbiallis", ld32, 0x80000008, 0, 0xb0000002);

  /* unmap, remap; a translation fault is never cached, so no maintenance is needed to map */
  l1_table[0x800] = 0;
  tlb_sync_mva(0x80000000);
  probe("unmapped after tlbimva", ld32, 0x80000008, EXC_DABT, 0x005);
  l1_table[0x800] = PA_C | sec;
  dsb();
  isb();
  probe("mapped after a translation fault, no tlbi", ld32, 0x80000008, 0, 0xc0000002);

  /* permissions tightened and relaxed */
  store_value = 0xc0000003;
  probe("write RW", st32, 0x8000000c, 0, 0);
  l1_table[0x800] = PA_C | S_SECTION | S_NORMAL_NC | S_AP(5) | S_XN;
  tlb_sync_mva(0x80000000);
  probe("write after RO + tlbimva", st32, 0x8000000c, EXC_DABT, 0x80d);
  l1_table[0x800] = PA_C | sec;
  tlb_sync_mva(0x80000000);
  probe("write after RW + tlbimva", st32, 0x8000000c, 0, 0);

  /* pages: one page remapped, its neighbour untouched */
  l2[0] = PA_A | P_SMALL | P_NORMAL_NC | P_AP(3);
  l2[1] = PA_B | P_SMALL | P_NORMAL_NC | P_AP(3);
  l1_table[0x801] = (u32)l2 | S_PAGETABLE;
  tlb_sync_all();
  probe("page 0 A", ld32, 0x80100010, 0, 0xa0000004);
  probe("page 1 B", ld32, 0x80101010, 0, 0xb0000004);
  l2[0] = PA_C | P_SMALL | P_NORMAL_NC | P_AP(3);
  tlb_sync_mva(0x80100000);
  probe("page 0 C after tlbimva", ld32, 0x80100010, 0, 0xc0000004);
  probe("page 1 still B", ld32, 0x80101010, 0, 0xb0000004);

  /* ASIDs: a non-global entry belongs to the ASID it was used under */
  set_asid(1);
  l1_table[0x810] = PA_A | sec | S_NG;
  tlb_sync_all();
  probe("asid 1, nG section A", ld32, 0x81000000, 0, 0xa0000000);
  set_asid(2);
  l1_table[0x810] = PA_B | sec | S_NG;
  dsb();
  write_tlbiasid(2);
  dsb();
  isb();
  probe("asid 2 after tlbiasid(2): B", ld32, 0x81000000, 0, 0xb0000000);
  set_asid(1);
  dsb();
  write_tlbimva(0x81000000 | 1);
  dsb();
  isb();
  probe("asid 1 after tlbimva(va, 1): B", ld32, 0x81000000, 0, 0xb0000000);
  l1_table[0x810] = PA_C | sec | S_NG;
  dsb();
  write_tlbimvaa(0x81000000);
  dsb();
  isb();
  probe("asid 1 after tlbimvaa: C", ld32, 0x81000000, 0, 0xc0000000);
  set_asid(2);
  probe("asid 2 after tlbimvaa: C", ld32, 0x81000000, 0, 0xc0000000);
  set_asid(0);

  /* a new TTBR0: the same VA through another table */
  memcpy(l1_alt, l1_table, sizeof l1_alt);
  l1_alt[0x800] = PA_A | sec;
  dsb();
  write_ttbr0((u32)l1_alt | TTBR_WALK_WBWA);
  isb();
  tlb_sync_all();
  probe("other ttbr0: A", ld32, 0x80000004, 0, 0xa0000001);
  write_ttbr0((u32)l1_table | TTBR_WALK_WBWA);
  isb();
  tlb_sync_all();
  probe("back to the first ttbr0: C", ld32, 0x80000004, 0, 0xc0000001);

  /* MMU off: no maintenance involved, flat addresses */
  write_sctlr(read_sctlr() & ~SCTLR_M);
  isb();
  probe("mmu off, PA read", ld32, PA_B + 4, 0, 0xb0000001);
}

static void lpae_tests(void) {
  u64 page = L_PAGE | L_NORMAL_NC | L_AF | L_XN;
  for (u32 i = 0; i < 512; i++) ll2_dev[i] = ((u64)i << 21) | L_BLOCK | L_DEVICE | L_AF | L_XN | L_PXN;
  ll1[0] = (u32)ll2_dev | L_TABLE;
  ll1[1] = 0x40000000u | L_BLOCK | L_NORMAL | L_SH_INNER | L_AF;
  ll1[2] = (u32)ll2 | L_TABLE;
  ll1[3] = 0;
  ll2[0] = (u32)ll3 | L_TABLE;
  ll2[1] = PA_A | L_BLOCK | L_NORMAL_NC | L_AF | L_XN | L_NG;
  ll3[0] = PA_A | page;
  ll3[1] = PA_B | page;
  dsb();
  long_mmu_on((u32)ll1 | (u64)5 << 48, 0); /* ASID 5 (TTBCR.A1 = 0) */
  check("lpae on", read_ttbcr() >> 31, 1);
  probe("lpae page 0 A", ld32, 0x80000020, 0, 0xa0000008);
  probe("lpae page 1 B", ld32, 0x80001020, 0, 0xb0000008);
  ll3[0] = PA_C | page;
  tlb_sync_mva(0x80000000);
  probe("lpae page 0 C after tlbimva", ld32, 0x80000020, 0, 0xc0000008);
  probe("lpae page 1 still B", ld32, 0x80001020, 0, 0xb0000008);
  ll3[1] = 0;
  tlb_sync_mva(0x80001000);
  probe("lpae page 1 unmapped", ld32, 0x80001020, EXC_DABT, 0x207);
  ll3[1] = PA_A | page;
  dsb();
  isb();
  probe("lpae page 1 mapped after a translation fault, no tlbi", ld32, 0x80001020, 0, 0xa0000008);

  probe("lpae nG block asid 5: A", ld32, 0x80200024, 0, 0xa0000009);
  ll2[1] = PA_D | L_BLOCK | L_NORMAL_NC | L_AF | L_XN | L_NG;
  dsb();
  write_ttbr0_64((u32)ll1 | (u64)6 << 48);
  isb();
  write_tlbiasid(6);
  dsb();
  isb();
  probe("lpae nG block asid 6 after tlbiasid(6): D", ld32, 0x80200024, 0, 0xd0000009);
  write_ttbr0_64((u32)ll1 | (u64)5 << 48);
  isb();
  ll2[1] = PA_C | L_BLOCK | L_NORMAL_NC | L_AF | L_XN | L_NG;
  dsb();
  write_tlbimvaa(0x80300000); /* any address in the 2 MiB block */
  dsb();
  isb();
  probe("lpae nG block asid 5 after tlbimvaa: C", ld32, 0x80200024, 0, 0xc0000009);
  ll2[1] = PA_A | L_BLOCK | L_NORMAL_NC | L_AF | L_XN | L_NG | L_AP(2);
  tlb_sync_all();
  store_value = 0;
  probe("lpae block RO after tlbiall", st32, 0x80200024, EXC_DABT, 0xa0e);
}

int main(void) {
  fill(PA_A, 0xa0000000);
  fill(PA_B, 0xb0000000);
  fill(PA_C, 0xc0000000);
  fill(PA_D, 0xd0000000);
  short_tests();
  lpae_tests();
  return 0;
}
