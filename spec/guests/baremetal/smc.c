/* Self-modifying code with the cache maintenance the ARM ARM asks for (B2.2.9): instructions
   written with data stores, then DCCMVAU, DSB, ICIMVAU or ICIALLU, BPIALL, DSB, ISB, then run:
   ARM and Thumb stubs rewritten many times, a loop patched after it has run hot, a function
   that patches an instruction ahead of itself, and with the MMU on, code written through one
   virtual address and run through another (same physical page), and one virtual address
   remapped to another physical page of code. */
#include "mmu.h"

#define PA_CODE 0x48300000u
#define PA_CODE2 0x48400000u

extern char hot[], hot_add[], hot_end[], self_patch[], self_patch_end[];
static u32 buf[64] __attribute__((aligned(64)));

static void sync_range(u32 wva, u32 xva, u32 len, int all) {
  for (u32 a = wva & ~63u; a < wva + len; a += 64) write_dccmvau(a);
  dsb();
  if (all) write_iciallu(0);
  else
    for (u32 a = xva & ~63u; a < xva + len; a += 64) write_icimvau(a);
  write_bpiall(0);
  dsb();
  isb();
}

static u32 arm_mov_r0(u32 imm8) { return 0xe3a00000u | imm8; } /* MOV r0, #imm8 */
#define ARM_BX_LR 0xe12fff1eu

static void run_stubs(const char *what, u32 wva, u32 xva, int all) {
  volatile u32 *w = (volatile u32 *)wva;
  u32 sum = 0, ok = 1;
  for (u32 i = 0; i < 40; i++) {
    w[0] = arm_mov_r0(i * 3 + 1);
    w[1] = ARM_BX_LR;
    sync_range(wva, xva, 8, all);
    u32 r = call_at(xva);
    ok &= r == i * 3 + 1;
    sum += r;
  }
  printf("%s: sum=%u\n", what, sum);
  if (!ok) unexpected(what);
}

int main(void) {
  u32 b = (u32)buf;
  write_sctlr(read_sctlr() | SCTLR_I);
  isb();
  run_stubs("arm stub, mmu off, icimvau", b, b, 0);
  run_stubs("arm stub, mmu off, iciallu", b, b, 1);

  /* Thumb: MOVS r0, #imm8; BX lr */
  volatile unsigned short *h = (volatile unsigned short *)buf;
  u32 sum = 0, ok = 1;
  for (u32 i = 0; i < 40; i++) {
    h[0] = (unsigned short)(0x2000 | (i * 5 + 2));
    h[1] = 0x4770;
    sync_range(b, b, 4, 0);
    u32 r = call_at(b | 1);
    ok &= r == i * 5 + 2;
    sum += r;
  }
  printf("thumb stub: sum=%u\n", sum);
  if (!ok) unexpected("thumb stub");

  /* a loop run hot, then its ADD immediate patched */
  u32 len = (u32)(hot_end - hot), off = (u32)(hot_add - hot);
  memcpy(buf, hot, len);
  sync_range(b, b, len, 0);
  u32 r1 = 0;
  for (u32 i = 0; i < 50; i++) r1 = call_at_n(b, 1000);
  check("hot loop, add #1", r1, 1000);
  buf[off / 4] = (buf[off / 4] & ~0xffu) | 7;
  sync_range(b + off, b + off, 4, 0);
  check("hot loop, patched to add #7", call_at_n(b, 1000), 7000);

  /* an instruction patched ahead of the running code */
  len = (u32)(self_patch_end - self_patch);
  memcpy(buf, self_patch, len);
  sync_range(b, b, len, 0);
  check("self patch, first run", call_at_n(b, arm_mov_r0(1)), 1);
  check("self patch, to mov r0, #99", call_at_n(b, arm_mov_r0(99)), 99);
  check("self patch, to mov r0, #55", call_at_n(b, arm_mov_r0(55)), 55);

  /* MMU on, caches on: write through 0x80000000 (RW, XN), run through 0x80100000 (RO, X) */
  short_identity();
  l1_table[0x800] = PA_CODE | S_SECTION | S_NORMAL_WB | S_AP(3) | S_XN;
  l1_table[0x801] = PA_CODE | S_SECTION | S_NORMAL_WB | S_AP(5);
  l1_table[0x802] = PA_CODE | S_SECTION | S_NORMAL_WB | S_AP(5);
  dsb();
  short_mmu_on(SCTLR_C | SCTLR_I);
  check("sctlr M C I", read_sctlr() & (SCTLR_M | SCTLR_C | SCTLR_I), SCTLR_M | SCTLR_C | SCTLR_I);
  run_stubs("alias: write 0x80000000, run 0x80100000", 0x80000000, 0x80100000, 1);
  check("alias: same code at 0x80200000", call_at(0x80200000), 40 * 3 - 2);

  /* one executable VA remapped to another physical page holding other code */
  volatile u32 *w = (volatile u32 *)PA_CODE2;
  w[0] = arm_mov_r0(0xbb);
  w[1] = ARM_BX_LR;
  sync_range(PA_CODE2, PA_CODE2, 8, 1);
  l1_table[0x801] = PA_CODE2 | S_SECTION | S_NORMAL_WB | S_AP(5);
  dsb();
  write_tlbimva(0x80100000);
  write_iciallu(0);
  write_bpiall(0);
  dsb();
  isb();
  check("remapped code page", call_at(0x80100000), 0xbb);
  check("other alias unchanged", call_at(0x80200000), 40 * 3 - 2);
  return 0;
}
