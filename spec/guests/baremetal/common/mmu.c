/* The identity map and MMU switch-on shared by the MMU tests. */
#include "mmu.h"

u32 l1_table[4096] __attribute__((aligned(16384)));

void short_identity(void) {
  for (u32 i = 0; i < 4096; i++) {
    u32 pa = i << 20;
    if (i < 0x400) l1_table[i] = pa | S_SECTION | S_DEVICE | S_XN | S_AP(3) | S_DOMAIN(0);
    else if (i < 0x600) l1_table[i] = pa | S_SECTION | S_NORMAL_WB | S_S | S_AP(3) | S_DOMAIN(0);
    else l1_table[i] = 0;
  }
  dsb();
}

void short_mmu_on(u32 sctlr_bits) {
  write_ttbcr(0);
  write_ttbr0((u32)l1_table | TTBR_WALK_WBWA);
  write_dacr(0x55555555);
  isb();
  write_tlbiall(0);
  write_bpiall(0);
  dsb();
  isb();
  write_sctlr(read_sctlr() | SCTLR_M | sctlr_bits);
  isb();
}

void long_mmu_on(u64 ttbr0, u32 sctlr_bits) {
  write_mair0(TEST_MAIR0);
  write_mair1(0);
  write_ttbr0_64(ttbr0);
  write_ttbcr(TTBCR_LONG);
  isb();
  tlb_sync_all();
  write_sctlr(read_sctlr() | SCTLR_M | sctlr_bits);
  isb();
}

void tlb_sync_mva(u32 va) {
  dsb();
  write_tlbimva(va & ~0xfffu);
  write_bpiall(0);
  dsb();
  isb();
}

void tlb_sync_all(void) {
  dsb();
  write_tlbiall(0);
  write_bpiall(0);
  dsb();
  isb();
}
