/* External aborts (ARM ARM B3.13.3, B3.12.1): loads, stores and instruction fetches of a
   physical address no device decodes, with the MMU off, through a short-descriptor mapping and
   through a long-descriptor one; and translation table walks that read such an address, at
   each level of both formats (the "synchronous external abort on translation table walk"
   status codes). QEMU's `virt` raises a synchronous external abort for any access nothing
   decodes; the fault status, the fault address and the preferred return address are checked.
   DFSR/IFSR.ExT (bit 12) classifies external aborts in an IMPLEMENTATION DEFINED way: left out. */
#include "mmu.h"

/* Holes in the `virt` memory map: between the platform devices at 0x090x0000 and the
   virtio-mmio transports at 0x0a000000, and above the 512 MiB of RAM. */
#define HOLE 0x09100000u
#define PAST_RAM 0x60000000u

static lpae_t l1[4] __attribute__((aligned(32)));
static lpae_t l2[512] __attribute__((aligned(4096)));
static lpae_t l2_dev[512] __attribute__((aligned(4096)));
static u32 l2_short[256] __attribute__((aligned(1024)));

/* "what: KIND fsr=... far=..." with ExT masked; UNEXPECTED unless kind, status and address match */
static void ext(const char *what, u32 (*fn)(u32), u32 addr, u32 want_kind, u32 want_fsr) {
  u32 r = 0;
  u32 k = try_call(fn, addr, &r);
  if (k == 0) {
    printf("%s: ok %08x\n", what, r);
    unexpected(what);
    return;
  }
  u32 fsr = (k == EXC_DABT ? dfsr_arch(last_fault.fsr) : k == EXC_PABT ? ifsr_arch(last_fault.fsr) : 0) & ~(1u << 12);
  printf("%s: %s fsr=%03x far=%08x\n", what, exc_name(k), fsr, last_fault.far);
  if (k != want_kind || fsr != want_fsr || last_fault.far != addr || (k == EXC_PABT && last_fault.pc != addr)) unexpected(what);
}

static void mmu_off(void) {
  write_sctlr(read_sctlr() & ~SCTLR_M);
  isb();
  tlb_sync_all();
}

int main(void) {
  store_value = 0x5a5a5a5a;

  /* MMU off: the physical address is the address */
  ext("load from a hole", ld32, HOLE, EXC_DABT, 0x008);
  ext("store to a hole", st32, HOLE + 0x10, EXC_DABT, 0x808);
  ext("load past the end of RAM", ld32, PAST_RAM, EXC_DABT, 0x008);
  ext("fetch from a hole", call_at, HOLE, EXC_PABT, 0x008);
  ext("fetch past the end of RAM", call_at, PAST_RAM + 0x100, EXC_PABT, 0x008);

  /* short descriptors: a section onto the hole, a second-level table in the hole, TTBR1's
     first-level table in the hole (TTBCR.N = 1: VAs from 0x80000000) */
  short_identity();
  l1_table[0x800] = HOLE | S_SECTION | S_DEVICE | S_AP(3) | S_DOMAIN(0);
  l1_table[0x801] = HOLE | S_PAGETABLE | S_DOMAIN(3);
  l1_table[0x802] = (u32)l2_short | S_PAGETABLE | S_DOMAIN(0);
  for (u32 i = 0; i < 256; i++) l2_short[i] = (HOLE + (i << 12)) | P_SMALL | P_AP(3);
  dsb();
  short_mmu_on(SCTLR_I);
  ext("short: load through a section onto a hole", ld32, 0x80000040, EXC_DABT, 0x008);
  ext("short: store through a small page onto a hole", st32, 0x80203000, EXC_DABT, 0x808);
  ext("short: fetch through a small page onto a hole", call_at, 0x80205000, EXC_PABT, 0x008);
  ext("short: second-level walk in a hole, load", ld32, 0x80100000, EXC_DABT, 0x00e | 3 << 4);
  ext("short: second-level walk in a hole, fetch", call_at, 0x80100100, EXC_PABT, 0x00e);
  write_ttbr1(HOLE);
  write_ttbcr(1);
  tlb_sync_all();
  ext("short: first-level walk in a hole (TTBR1), load", ld32, 0x90000000, EXC_DABT, 0x00c);
  ext("short: first-level walk in a hole (TTBR1), store", st32, 0xa0000004, EXC_DABT, 0x80c);
  ext("short: first-level walk in a hole (TTBR1), fetch", call_at, 0x90000000, EXC_PABT, 0x00c);
  check("short: TTBR0 still translates", ld32((u32)&l1_table[0x400]), l1_table[0x400]);
  write_ttbcr(0);
  mmu_off();

  /* long descriptors: a block onto the hole, then the level 2 and level 3 tables in the hole,
     then TTBR1's level 1 table in it */
  for (u32 i = 0; i < 512; i++) l2_dev[i] = ((u64)i << 21) | L_BLOCK | L_DEVICE | L_AF | L_XN | L_PXN;
  l1[0] = (u32)l2_dev | L_TABLE;
  l1[1] = 0x40000000u | L_BLOCK | L_NORMAL | L_SH_INNER | L_AF;
  l1[2] = (u32)l2 | L_TABLE;
  l1[3] = HOLE | L_TABLE;
  l2[0] = (HOLE & ~0x1fffffu) | L_BLOCK | L_DEVICE | L_AF;
  l2[1] = HOLE | L_TABLE;
  dsb();
  long_mmu_on((u32)l1, 0);
  u32 va = 0x80000000u + (HOLE & 0x1fffffu);
  ext("long: load through a block onto a hole", ld32, va, EXC_DABT, 0x210);
  ext("long: store through a block onto a hole", st32, va + 8, EXC_DABT, 0xa10);
  ext("long: fetch through a block onto a hole", call_at, va + 0x20, EXC_PABT, 0x210);
  ext("long: level 3 walk in a hole, load", ld32, 0x80200000, EXC_DABT, 0x217);
  ext("long: level 3 walk in a hole, fetch", call_at, 0x80201000, EXC_PABT, 0x217);
  ext("long: level 2 walk in a hole, load", ld32, 0xc0000000, EXC_DABT, 0x216);
  ext("long: level 2 walk in a hole, store", st32, 0xc0400000, EXC_DABT, 0xa16);
  /* T0SZ = T1SZ = 1: TTBR1 (in the hole) translates the high 2 GiB */
  write_ttbr1_64(HOLE);
  write_ttbcr(TTBCR_LONG_SPLIT);
  tlb_sync_all();
  ext("long: level 1 walk in a hole (TTBR1), load", ld32, 0x80000000, EXC_DABT, 0x215);
  ext("long: level 1 walk in a hole (TTBR1), fetch", call_at, 0x80000000, EXC_PABT, 0x215);
  check("long: TTBR0 still translates", ld32((u32)&l1[1]), (u32)l1[1]);
  mmu_off();
  write_ttbcr(0);
  return 0;
}
