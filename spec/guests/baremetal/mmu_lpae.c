/* Long-descriptor translation (TTBCR.EAE = 1, ARM ARM B3.6): three levels, 1 GiB and 2 MiB
   blocks, 4 KiB pages, MAIR attributes, the access flag, AP[2:1] from PL1 and PL0 (LDRT/STRT),
   XN/PXN and the hierarchical APTable/PXNTable bits, translation faults at each level, the
   long-format DFSR/IFSR, 64-bit PAR from ATS1C*, and the TTBR0/TTBR1 split by T0SZ/T1SZ. */
#include "mmu.h"

#define PA_A 0x48000000u
#define PA_B 0x48100000u
#define PA_CODE 0x48300000u

static lpae_t l1[4] __attribute__((aligned(32)));
static lpae_t l2_dev[512] __attribute__((aligned(4096)));
static lpae_t l2_test[512] __attribute__((aligned(4096)));
static lpae_t l3[512] __attribute__((aligned(4096)));
extern char ret42[], ret42_end[];

static void fill(u32 pa, u32 tag) {
  for (u32 i = 0; i < 16; i++) *(volatile u32 *)(pa + 4 * i) = tag | i;
}

/* PAR without NS (bit 9) and the IMPLEMENTATION DEFINED bit 10 */
static u64 par_long(void) { return read_par64() & ~0x600ull; }

static void ats_masked(const char *what, void (*op)(u32), u32 va, u64 want, u64 mask) {
  op(va);
  isb();
  u64 got = par_long() & mask;
  printf("%s: %016llx\n", what, got);
  if (got != want) printf("UNEXPECTED %s: got %016llx, want %016llx\n", what, got, want);
}

static void ats(const char *what, void (*op)(u32), u32 va, u64 want) { ats_masked(what, op, va, want, ~0ull); }

int main(void) {
  fill(PA_A, 0xa0000000);
  fill(PA_B, 0xb0000000);
  memcpy((void *)PA_CODE, ret42, (u32)(ret42_end - ret42));
  for (u32 i = 0; i < 512; i++) l2_dev[i] = ((u64)i << 21) | L_BLOCK | L_DEVICE | L_AF | L_XN | L_PXN;
  l1[0] = (u32)l2_dev | L_TABLE;
  l1[1] = 0x40000000u | L_BLOCK | L_NORMAL | L_SH_INNER | L_AF;
  l1[2] = (u32)l2_test | L_TABLE;
  l1[3] = 0;
  u64 page = L_PAGE | L_NORMAL | L_SH_INNER | L_AF | L_XN;
  l2_test[0] = PA_A | L_BLOCK | L_NORMAL | L_SH_INNER | L_AF | L_XN;
  l2_test[1] = (u32)l3 | L_TABLE;
  l2_test[2] = 0;
  l2_test[3] = PA_A | L_BLOCK | L_NORMAL | L_SH_INNER | L_XN;              /* AF = 0 */
  l2_test[4] = PA_A | L_BLOCK | L_NORMAL | L_SH_INNER | L_AF | L_AP(2) | L_XN; /* read-only */
  l2_test[5] = (u32)l3 | L_TABLE | (2ull << 61) | (1ull << 59);          /* APTable no write, PXNTable */
  l3[0] = PA_A | page;
  l3[1] = PA_B | page | L_AP(1);
  l3[2] = PA_A | (page & ~L_AF);
  l3[3] = PA_A | page | L_AP(2);
  l3[4] = PA_A | page | L_AP(3);
  l3[5] = PA_CODE | (page & ~L_XN) | L_XN;
  l3[6] = PA_CODE | (page & ~L_XN) | L_PXN;
  l3[7] = PA_CODE | (page & ~L_XN);
  l3[8] = 0;
  l3[9] = PA_A | L_BLOCK | L_NORMAL | L_AF; /* a block descriptor at level 3 is invalid */
  dsb();

  long_mmu_on((u32)l1, SCTLR_I);
  write_iciallu(0);
  dsb();
  isb();
  check("ttbcr.eae", read_ttbcr() >> 31, 1);

  probe("l1 block (RAM) read", ld32, (u32)&l1[1], 0, (u32)(l1[1]));
  probe("l2 block read", ld32, 0x80000008, 0, 0xa0000002);
  probe("l3 page read", ld32, 0x80201004, 0, 0xb0000001);
  probe("l3 page PL0 read, AP=01", ldt32, 0x80201004, 0, 0xb0000001);
  probe("l3 page PL0 read, AP=00", ldt32, 0x80200004, EXC_DABT, 0x20f);
  probe("l3 page AF=0", ld32, 0x80202010, EXC_DABT, 0x20b);
  store_value = 0xa0000004;
  probe("l3 page RO write", st32, 0x80203010, EXC_DABT, 0xa0f);
  probe("l3 page RO-any PL0 write", stt32, 0x80204010, EXC_DABT, 0xa0f);
  probe("l3 page RO-any PL0 read", ldt32, 0x80204010, 0, 0xa0000004);
  probe("l3 page invalid", ld32, 0x80208000, EXC_DABT, 0x207);
  probe("l3 block descriptor (invalid)", ld32, 0x80209000, EXC_DABT, 0x207);
  probe("l2 invalid", ld32, 0x80400000, EXC_DABT, 0x206);
  probe("l2 block AF=0", ld32, 0x80600000, EXC_DABT, 0x20a);
  probe("l2 block RO write", st32, 0x80800000, EXC_DABT, 0xa0e);
  probe("l1 invalid", ld32, 0xc0000000, EXC_DABT, 0x205);
  probe("APTable no-write, write", st32, 0x80a00010, EXC_DABT, 0xa0f);
  probe("APTable no-write, read", ld32, 0x80a00010, 0, 0xa0000004);

  write_dccmvau(PA_CODE);
  dsb();
  write_iciallu(0);
  dsb();
  isb();
  probe("exec page", call_at, 0x80207000, 0, 42);
  probe("exec page XN", call_at, 0x80205000, EXC_PABT, 0x20f);
  probe("exec page PXN", call_at, 0x80206000, EXC_PABT, 0x20f);
  probe("exec page under PXNTable", call_at, 0x80a07000, EXC_PABT, 0x20f);
  probe("exec l2 invalid", call_at, 0x80400000, EXC_PABT, 0x206);

  ats("ats1cpr l3 page par", write_ats1cpr, 0x80201abc, 0xff00000000000800ull | PA_B | 3u << 7);
  ats("ats1cpr l2 block par", write_ats1cpr, 0x80012345, 0xff00000000000800ull | (PA_A + 0x12000) | 3u << 7);
  /* Device memory: the reported shareability is not the descriptor's, leave SH out */
  ats_masked("ats1cpr device par", write_ats1cpr, 0x09000000, 0x0000000000000800ull | 0x09000000u, ~0x180ull);
  ats("ats1cur l3 PL1-only par", write_ats1cur, 0x80200000, 0x800 | 0x0f << 1 | 1);
  ats("ats1cpw l3 RO par", write_ats1cpw, 0x80203000, 0x800 | 0x0f << 1 | 1);
  ats("ats1cpr l3 AF=0 par", write_ats1cpr, 0x80202000, 0x800 | 0x0b << 1 | 1);
  ats("ats1cpr l1 invalid par", write_ats1cpr, 0xc0000000, 0x800 | 0x05 << 1 | 1);

  /* T0SZ = T1SZ = 1: TTBR0 translates the low 2 GiB, TTBR1 the high 2 GiB (its table: l1[2..3]) */
  write_ttbr1_64((u32)&l1[2]);
  write_ttbcr(TTBCR_LONG_SPLIT);
  tlb_sync_all();
  probe("ttbr1 l2 block read", ld32, 0x8000000c, 0, 0xa0000003);
  probe("ttbr1 l3 page read", ld32, 0x80201008, 0, 0xb0000002);
  probe("ttbr1 l1 invalid", ld32, 0xc0000000, EXC_DABT, 0x205);
  probe("ttbr0 RAM read", ld32, (u32)&l1[1], 0, (u32)(l1[1]));
  ats("ats1cpr through ttbr1 par", write_ats1cpr, 0x80201abc, 0xff00000000000800ull | PA_B | 3u << 7);
  return 0;
}
