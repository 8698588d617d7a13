/* Identification and configuration registers as the CPU reports them: MIDR, CTR, TCMTR, TLBTR,
   MPIDR, REVIDR, ID_PFR0/1, ID_DFR0, ID_AFR0, ID_MMFR0-3, ID_ISAR0-5, CLIDR, CCSIDR of each
   cache (through CSSELR), AIDR, SCTLR and ACTLR at reset, CPACR and FPEXC write-back, FPSID,
   MVFR0/1, PMCR's identification fields, L2CTLR. armvisor must print QEMU's cortex-a15 values,
   except the Advanced SIMD parts (CPACR.ASEDIS, MVFR1's SIMD fields), which are not printed:
   QEMU's Cortex-A15 has NEON, armvisor's deliberately not. The test itself checks the fields the
   other tests rely on. */
#include "lib.h"

u32 read_fpsid(void), read_mvfr0(void), read_mvfr1(void), read_fpexc(void);
void write_fpexc(u32);

#define CPACR_ASEDIS (1u << 31)
#define MVFR1_SIMD 0x00ffff00u

static void show(const char *name, u32 v) { printf("%s %08x\n", name, v); }

int main(void) {
  u32 sctlr = read_sctlr();
  u32 midr, mpidr, pfr1, mmfr0, clidr;
  __asm__ volatile("mrc p15, 0, %0, c0, c0, 0" : "=r"(midr));
  show("MIDR", midr);
  u32 v;
#define R(name, op1, crn, crm, op2)                                                     \
  __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v)); \
  show(name, v)
  R("CTR", 0, c0, c0, 1);
  R("TCMTR", 0, c0, c0, 2);
  R("TLBTR", 0, c0, c0, 3);
  R("MPIDR", 0, c0, c0, 5);
  mpidr = v;
  R("REVIDR", 0, c0, c0, 6);
  R("ID_PFR0", 0, c0, c1, 0);
  R("ID_PFR1", 0, c0, c1, 1);
  pfr1 = v;
  R("ID_DFR0", 0, c0, c1, 2);
  R("ID_AFR0", 0, c0, c1, 3);
  R("ID_MMFR0", 0, c0, c1, 4);
  mmfr0 = v;
  R("ID_MMFR1", 0, c0, c1, 5);
  R("ID_MMFR2", 0, c0, c1, 6);
  R("ID_MMFR3", 0, c0, c1, 7);
  R("ID_ISAR0", 0, c0, c2, 0);
  R("ID_ISAR1", 0, c0, c2, 1);
  R("ID_ISAR2", 0, c0, c2, 2);
  R("ID_ISAR3", 0, c0, c2, 3);
  R("ID_ISAR4", 0, c0, c2, 4);
  R("ID_ISAR5", 0, c0, c2, 5);
  R("CLIDR", 1, c0, c0, 1);
  clidr = v;
  R("AIDR", 1, c0, c0, 7);
  /* each cache level CLIDR reports: data/unified (CSSELR.InD 0) and instruction (1) */
  for (u32 level = 0; level < 7; level++) {
    u32 ctype = (clidr >> (3 * level)) & 7;
    if (ctype == 0) break;
    for (u32 ind = 0; ind < 2; ind++) {
      if (ind == 0 && ctype == 1) continue; /* instruction only */
      if (ind == 1 && !(ctype == 1 || ctype == 3)) continue;
      u32 sel = level << 1 | ind, ccsidr;
      __asm__ volatile("mcr p15, 2, %1, c0, c0, 0\n\tisb\n\tmrc p15, 1, %0, c0, c0, 0" : "=r"(ccsidr) : "r"(sel));
      printf("CCSIDR L%u%s %08x\n", level + 1, ind ? "I" : (ctype == 4 ? "U" : "D"), ccsidr);
    }
  }
  show("SCTLR at reset", sctlr);
  R("ACTLR", 0, c1, c0, 1);
  R("PMCR", 0, c9, c12, 0);
  R("L2CTLR", 1, c9, c0, 2);

  write_cpacr(0x00f00000); /* CP10 and CP11: full access */
  isb();
  /* armvisor implements no Advanced SIMD (so Linux does not use NEON): CPACR.ASEDIS and the
     Advanced SIMD fields of MVFR1 (SIMDLS, SIMDInt, SIMDSP, SIMDHP) are left out */
  show("CPACR after writing 0x00f00000 (without ASEDIS)", read_cpacr() & ~CPACR_ASEDIS);
  show("FPEXC", read_fpexc());
  write_fpexc(1u << 30);
  show("FPEXC after setting EN", read_fpexc());
  show("FPSID", read_fpsid());
  show("MVFR0", read_mvfr0());
  show("MVFR1 (without the Advanced SIMD fields)", read_mvfr1() & ~MVFR1_SIMD);

  /* what the other tests rely on */
  check("MIDR implementer and part (ARM Cortex-A15)", midr & 0xff00fff0, 0x4100c0f0);
  check("MPIDR multiprocessing format, CPU 0", mpidr & 0xc0ffffff, 0x80000000);
  check("ID_PFR1 generic timer", (pfr1 >> 16) & 0xf, 1);
  check("ID_PFR1 virtualization (no EL2: HVC is the board's)", (pfr1 >> 12) & 0xf, 0);
  check("ID_PFR1 security (no EL3: SMC undefined)", (pfr1 >> 4) & 0xf, 0);
  check("ID_MMFR0 VMSA (v7 with PXN and long descriptors)", mmfr0 & 0xf, 5);
  check("SCTLR at reset: MMU, caches off", sctlr & (SCTLR_M | SCTLR_C | SCTLR_I), 0);
  return 0;
}
