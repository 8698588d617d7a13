/* Short-descriptor translation (ARM ARM B3.5): sections, supersections, 4 KiB and 64 KiB pages,
   domains (client, manager, no access), AP/APX checked with LDRT/STRT for PL0, XN and PXN,
   the access flag with SCTLR.AFE, TTBR1 with TTBCR.N, high vectors, and the fault status and
   address of each fault (DFSR/DFAR, IFSR/IFAR); ATS1CPR/CPW/CUR/CUW and PAR. */
#include "mmu.h"

#define PA_A 0x48000000u /* test pages, written through the identity map */
#define PA_B 0x48100000u
#define PA_LARGE 0x48200000u
#define PA_CODE 0x48300000u
#define PA_HIVEC 0x48400000u
#define PA_SUPER 0x49000000u

static u32 l2_table[256] __attribute__((aligned(1024)));
static u32 l2_table2[256] __attribute__((aligned(1024)));
static u32 l1_ttbr1[4096] __attribute__((aligned(16384)));
extern char hivec[], hivec_end[], ret42[], ret42_end[], at_ldm_wb[];
u32 ldm_wb(u32), str_pre_wb(u32), ldr_post_wb(u32), stm_db_wb(u32);

/* data aborts of the writeback checks: record and skip the (ARM) instruction */
static volatile u32 skip_count, skip_dfsr, skip_dfar, skip_pc;
static int skip_dabt(struct frame *f) {
  skip_count++;
  skip_dfsr = read_dfsr();
  skip_dfar = read_dfar();
  skip_pc = f->pc;
  f->pc += 4;
  return 1;
}

static void writeback(const char *what, u32 (*fn)(u32), u32 base, u32 want_base, u32 want_faults, u32 want_dfar) {
  skip_count = 0;
  skip_dfar = 0;
  u32 got = fn(base);
  printf("%s: base=%08x aborts=%u dfar=%08x\n", what, got, skip_count, skip_count ? skip_dfar : 0);
  if (got != want_base || skip_count != want_faults || (want_faults && (skip_dfar != want_dfar || dfsr_arch(skip_dfsr) != (skip_dfsr & 0x800) + 0x017)))
    unexpected(what);
}

static void fill(u32 pa, u32 tag) {
  for (u32 i = 0; i < 16; i++) *(volatile u32 *)(pa + 4 * i) = tag | i;
}

/* A section entry's TLB entry covers its whole MiB, so TLBIMVA of any address in it removes
   it; a page table entry may be cached per page (and per walk), so replacing one (or putting a
   section where one was) takes TLBIALL. */
static void map_section(u32 va, u32 desc) {
  u32 old = l1_table[va >> 20];
  l1_table[va >> 20] = desc;
  if ((old & 3) == S_PAGETABLE || (desc & 3) == S_PAGETABLE) tlb_sync_all();
  else tlb_sync_mva(va);
}

static void copy_code(u32 pa, const char *start, const char *end) {
  memcpy((void *)pa, start, (u32)(end - start));
  for (u32 a = pa; a < pa + (u32)(end - start); a += 4) write_dccmvau(a);
  dsb();
  write_iciallu(0);
  write_bpiall(0);
  dsb();
  isb();
}

static u32 par_short(u32 par) { return par & 1 ? par & 0x7f : (par & 2 ? par & 0xff000803 : par & 0xfffff803); }

static void ats(const char *what, void (*op)(u32), u32 va, u32 want) {
  op(va);
  isb();
  check(what, par_short(read_par()), want);
}

/* "ap=N what" */
static const char *ap_label(u32 ap, const char *what) {
  static char buf[32];
  memcpy(buf, "ap=? ", 5);
  buf[3] = (char)('0' + ap);
  u32 n = 5;
  while (*what && n < sizeof buf - 1) buf[n++] = *what++;
  buf[n] = 0;
  return buf;
}

static volatile u32 svc_seen_pc;
static int on_svc(struct frame *f) {
  svc_seen_pc = f->pc;
  return 1;
}

int main(void) {
  u32 normal = S_SECTION | S_NORMAL_NC | S_AP(3);
  fill(PA_A, 0xa0000000);
  fill(PA_B, 0xb0000000);
  fill(PA_LARGE + 0x5000, 0xc0000000);
  fill(PA_SUPER + 0x123400, 0xd0000000);
  short_identity();
  short_mmu_on(SCTLR_I);
  check("sctlr.M", read_sctlr() & SCTLR_M, SCTLR_M);

  /* sections and supersections */
  map_section(0x80000000, PA_A | normal | S_XN);
  probe("section read", ld32, 0x80000008, 0, 0xa0000002);
  store_value = 0x12345678;
  probe("section write", st32, 0x8000003c, 0, 0);
  check("section write seen at PA", *(volatile u32 *)(PA_A + 0x3c), 0x12345678);
  *(volatile u32 *)(PA_A + 0x3c) = 0xa000000f;
  for (u32 i = 0; i < 16; i++) l1_table[(0x81000000 >> 20) + i] = PA_SUPER | S_SUPER | normal | S_XN;
  tlb_sync_all();
  probe("supersection read", ld32, 0x81123404, 0, 0xd0000001);
  ats("supersection ats1cpr par", write_ats1cpr, 0x81123404, PA_SUPER | 2);

  /* small and large pages */
  memset(l2_table, 0, sizeof l2_table);
  l2_table[0] = PA_B | P_SMALL | P_NORMAL_NC | P_AP(3);
  l2_table[1] = PA_A | P_SMALL | P_NORMAL_NC | P_AP(3);
  for (u32 i = 16; i < 32; i++) l2_table[i] = PA_LARGE | P_LARGE | P_AP(3);
  l2_table[64] = PA_A | P_SMALL | P_NORMAL_NC | P_AP(1);     /* PL1 only */
  l2_table[65] = PA_CODE | P_SMALL | P_NORMAL_NC | P_AP(3) | P_SMALL_XN;
  l2_table[66] = PA_CODE | P_SMALL | P_NORMAL_NC | P_AP(3);
  map_section(0x82000000, (u32)l2_table | S_PAGETABLE | S_DOMAIN(1));
  probe("small page 0", ld32, 0x82000004, 0, 0xb0000001);
  probe("small page 1", ld32, 0x82001008, 0, 0xa0000002);
  probe("small page unmapped", ld32, 0x82002000, EXC_DABT, 0x017);
  probe("large page", ld32, 0x82015008, 0, 0xc0000002);
  probe("small page PL1-only, ldrt", ldt32, 0x82040000, EXC_DABT, 0x01f);
  probe("small page PL1-only, ldr", ld32, 0x82040000, 0, 0xa0000000);
  ats("small page ats1cpr par", write_ats1cpr, 0x82001abc, PA_A);
  ats("large page ats1cpr par", write_ats1cpr, 0x8201f000, PA_LARGE + 0xf000);
  ats("small page PL1-only ats1cur par", write_ats1cur, 0x82040000, (0x0f << 1) | 1);

  /* the base register of an aborted access keeps its value (ARM ARM B1.9.7) */
  set_handler(EXC_DABT, skip_dabt);
  writeback("ldmia! across into an unmapped page", ldm_wb, 0x82001ffc, 0x82001ffc, 1, 0x82002000);
  check("ldmia! abort pc", skip_pc, (u32)at_ldm_wb);
  writeback("ldmia! within a page", ldm_wb, 0x82001ff8, 0x82002000, 0, 0);
  writeback("str [r1, #8]! into an unmapped page", str_pre_wb, 0x82001ffc, 0x82001ffc, 1, 0x82002004);
  writeback("ldr [r1], #4 from an unmapped page", ldr_post_wb, 0x82002000, 0x82002000, 1, 0x82002000);
  writeback("stmdb! across from an unmapped page", stm_db_wb, 0x82002004, 0x82002004, 1, 0x82002000);
  set_handler(EXC_DABT, 0);

  /* level-1 translation fault */
  probe("l1 translation fault read", ld32, 0x90000000, EXC_DABT, 0x005);
  store_value = 1;
  probe("l1 translation fault write", st32, 0x90000ff0, EXC_DABT, 0x805);
  ats("l1 translation fault ats1cpr par", write_ats1cpr, 0x90000000, (0x05 << 1) | 1);

  /* domains: 0 client, 1 client, 2 manager, 3 no access */
  write_dacr(0x1 | 0x1 << 2 | 0x3 << 4 | 0x0 << 6);
  isb();
  map_section(0x83000000, PA_A | S_SECTION | S_NORMAL_NC | S_AP(3) | S_DOMAIN(3) | S_XN);
  map_section(0x83100000, PA_A | S_SECTION | S_NORMAL_NC | S_AP(0) | S_DOMAIN(2) | S_XN);
  map_section(0x83200000, PA_A | S_SECTION | S_NORMAL_NC | S_AP(0) | S_DOMAIN(1) | S_XN);
  probe("domain no access", ld32, 0x83000010, EXC_DABT, 0x039);
  probe("domain manager, AP none", ld32, 0x83100010, 0, 0xa0000004);
  probe("domain manager, AP none, ldrt", ldt32, 0x83100014, 0, 0xa0000005);
  probe("domain client, AP none", ld32, 0x83200010, EXC_DABT, 0x01d);
  write_dacr(0x1 | 0x1 << 2 | 0x3 << 4 | 0x3 << 6);
  isb();
  probe("domain 3 now manager", ld32, 0x83000018, 0, 0xa0000006);
  write_dacr(0x55555555);
  isb();

  /* access permissions, APX:AP[1:0], checked from PL1 (LDR/STR) and as PL0 (LDRT/STRT) */
  static const struct { u32 ap; u32 pl1r, pl1w, pl0r, pl0w; } aps[] = {
    { 1, 1, 1, 0, 0 }, { 2, 1, 1, 1, 0 }, { 3, 1, 1, 1, 1 }, { 5, 1, 0, 0, 0 }, { 7, 1, 0, 1, 0 },
  };
  for (u32 i = 0; i < sizeof aps / sizeof aps[0]; i++) {
    u32 va = 0x84000000 + (i << 20);
    map_section(va, PA_A | S_SECTION | S_NORMAL_NC | S_AP(aps[i].ap) | S_XN);
    probe(ap_label(aps[i].ap, "pl1 read"), ld32, va + 0x20, aps[i].pl1r ? 0 : EXC_DABT, aps[i].pl1r ? 0xa0000008 : 0x00d);
    probe(ap_label(aps[i].ap, "pl0 read"), ldt32, va + 0x20, aps[i].pl0r ? 0 : EXC_DABT, aps[i].pl0r ? 0xa0000008 : 0x00d);
    store_value = 0xa0000009;
    probe(ap_label(aps[i].ap, "pl0 write"), stt32, va + 0x24, aps[i].pl0w ? 0 : EXC_DABT, aps[i].pl0w ? 0 : 0x80d);
    probe(ap_label(aps[i].ap, "pl1 write"), st32, va + 0x24, aps[i].pl1w ? 0 : EXC_DABT, aps[i].pl1w ? 0 : 0x80d);
  }
  ats("ap=5 ats1cpr par", write_ats1cpr, 0x84300000, PA_A);
  ats("ap=5 ats1cpw par", write_ats1cpw, 0x84300000, (0x0d << 1) | 1);
  ats("ap=2 ats1cur par", write_ats1cur, 0x84100000, PA_A);
  ats("ap=2 ats1cuw par", write_ats1cuw, 0x84100000, (0x0d << 1) | 1);

  /* execute permissions: XN, PXN (section and page table), translation faults on fetch */
  copy_code(PA_CODE, ret42, ret42_end);
  map_section(0x85000000, PA_CODE | normal);
  map_section(0x85100000, PA_CODE | normal | S_XN);
  map_section(0x85200000, PA_CODE | normal | S_PXN);
  probe("exec section", call_at, 0x85000000, 0, 42);
  probe("exec section XN", call_at, 0x85100000, EXC_PABT, 0x00d);
  probe("exec section PXN", call_at, 0x85200000, EXC_PABT, 0x00d);
  probe("exec small page", call_at, 0x82042000, 0, 42);
  probe("exec small page XN", call_at, 0x82041000, EXC_PABT, 0x00f);
  probe("exec unmapped", call_at, 0x90100000, EXC_PABT, 0x005);
  probe("exec unmapped small page", call_at, 0x82003000, EXC_PABT, 0x007);
  map_section(0x82000000, (u32)l2_table | S_PAGETABLE | S_DOMAIN(1) | S_PT_PXN);
  probe("exec small page, table PXN", call_at, 0x82042000, EXC_PABT, 0x00f);
  probe("read small page, table PXN", ld32, 0x82001000, 0, 0xa0000000);

  /* TTBCR.N = 1: VAs from 0x80000000 translate through TTBR1 */
  memset(l1_ttbr1, 0, sizeof l1_ttbr1);
  l1_ttbr1[0x800] = PA_B | normal | S_XN;
  dsb();
  write_ttbr1((u32)l1_ttbr1 | TTBR_WALK_WBWA);
  write_ttbcr(1);
  tlb_sync_all();
  probe("ttbr1 section", ld32, 0x80000004, 0, 0xb0000001);
  probe("ttbr1 unmapped", ld32, 0x85000000, EXC_DABT, 0x005);
  probe("ttbr0 below the split", ld32, (u32)&svc_seen_pc, 0, 0);
  write_ttbcr(0);
  tlb_sync_all();
  probe("ttbr0 again", ld32, 0x80000004, 0, 0xa0000001);

  /* access flag: SCTLR.AFE makes AP[0] the access flag (no hardware management) */
  write_sctlr(read_sctlr() | SCTLR_AFE);
  tlb_sync_all();
  map_section(0x86000000, PA_A | S_SECTION | S_NORMAL_NC | S_AP(2) | S_XN | S_DOMAIN(1)); /* AF=0 */
  map_section(0x86100000, PA_A | S_SECTION | S_NORMAL_NC | S_AP(3) | S_XN | S_DOMAIN(1)); /* AF=1, RW any */
  map_section(0x86200000, PA_A | S_SECTION | S_NORMAL_NC | S_AP(1) | S_XN | S_DOMAIN(1)); /* AF=1, PL1 only */
  map_section(0x86300000, PA_A | S_SECTION | S_NORMAL_NC | S_AP(7) | S_XN | S_DOMAIN(1)); /* AF=1, RO any */
  probe("afe section AF=0", ld32, 0x86000030, EXC_DABT, 0x013);
  probe("afe section AF=1 ldrt", ldt32, 0x86100030, 0, 0xa000000c);
  probe("afe section PL1-only ldrt", ldt32, 0x86200030, EXC_DABT, 0x01d);
  store_value = 0xa000000c;
  probe("afe section RO write", st32, 0x86300030, EXC_DABT, 0x81d);
  l2_table2[0] = PA_A | P_SMALL | P_NORMAL_NC | P_AP(2); /* AF=0 */
  l2_table2[1] = PA_A | P_SMALL | P_NORMAL_NC | P_AP(3);
  map_section(0x86400000, (u32)l2_table2 | S_PAGETABLE | S_DOMAIN(1));
  probe("afe page AF=0", ld32, 0x86400034, EXC_DABT, 0x016);
  probe("afe page AF=1", ld32, 0x86401034, 0, 0xa000000d);
  ats("afe page AF=0 ats1cpr par", write_ats1cpr, 0x86400034, (0x06 << 1) | 1);
  l1_table[0x860] |= S_AP(1); /* set AF: the old entry may be cached, so invalidate */
  tlb_sync_mva(0x86000000);
  probe("afe section AF set", ld32, 0x86000030, 0, 0xa000000c);
  write_sctlr(read_sctlr() & ~SCTLR_AFE);
  tlb_sync_all();

  /* high vectors: SCTLR.V = 1 takes exceptions at 0xffff0000 */
  copy_code(PA_HIVEC + 0xf0000, hivec, hivec_end); /* 0xffff0000 is 0xf0000 into the section */
  l1_table[0xfff] = PA_HIVEC | normal;
  tlb_sync_mva(0xfff00000);
  write_vbar(0);
  write_sctlr(read_sctlr() | SCTLR_V);
  isb();
  set_handler(EXC_SVC, on_svc);
  __asm__ volatile("svc #1" ::: "lr", "memory");
  set_handler(EXC_SVC, 0);
  check("high vectors svc taken", svc_seen_pc != 0, 1);
  write_sctlr(read_sctlr() & ~SCTLR_V);
  isb();
  return 0;
}
