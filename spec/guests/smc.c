/* Self-modifying code: writes instructions into an RWX mapping, flushes the cache, calls them,
   rewrites them in place and calls again; both A32 and Thumb code, whichever this build is. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*fn)(int);

static void emit_arm(uint32_t *p, unsigned imm) {
  p[0] = 0xe2800000u | (imm & 0xff); /* add r0, r0, #imm */
  p[1] = 0xe12fff1eu;                /* bx lr */
}

static void emit_thumb(uint16_t *p, unsigned imm) {
  p[0] = (uint16_t)(0x3000u | (imm & 0xff)); /* adds r0, #imm */
  p[1] = 0x4770u;                            /* bx lr */
}

int main(void) {
  unsigned char *code = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code == MAP_FAILED) { printf("mmap failed\n"); return 1; }
  int total = 0;
  for (unsigned i = 1; i <= 20; i++) {
    emit_arm((uint32_t *)code, i);
    __builtin___clear_cache((char *)code, (char *)code + 8);
    int a = ((fn)(uintptr_t)code)(1000);
    emit_thumb((uint16_t *)(code + 4096), i * 3);
    __builtin___clear_cache((char *)code + 4096, (char *)code + 4100);
    int t = ((fn)((uintptr_t)code + 4096 + 1))(2000);
    total += a + t;
    if (i % 5 == 0) printf("round %u: arm %d thumb %d\n", i, a, t);
  }
  /* a loop body patched between runs: the second call must see the new constant */
  uint32_t *loop = (uint32_t *)(code + 64);
  loop[0] = 0xe3a01000u; /* mov r1, #0 */
  loop[1] = 0xe2811005u; /* add r1, r1, #5 */
  loop[2] = 0xe2500001u; /* subs r0, r0, #1 */
  loop[3] = 0x1afffffcu; /* bne loop[1] */
  loop[4] = 0xe1a00001u; /* mov r0, r1 */
  loop[5] = 0xe12fff1eu; /* bx lr */
  __builtin___clear_cache((char *)loop, (char *)(loop + 6));
  int r1 = ((fn)(uintptr_t)loop)(100);
  loop[1] = 0xe2811007u; /* add r1, r1, #7 */
  __builtin___clear_cache((char *)loop, (char *)(loop + 6));
  int r2 = ((fn)(uintptr_t)loop)(100);
  printf("patched loop: %d then %d; total %d\n", r1, r2, total);

  /* Literal pools: data in the code's own page, rewritten by plain stores (no cache flush, as
     for any data). A load must see the latest value whether the code runs compiled or not. */
  uint32_t *lit = (uint32_t *)(code + 256);
  lit[0] = 0xe59f0004u; /* ldr r0, [pc, #4]  (lit[3]) */
  lit[1] = 0xe12fff1eu; /* bx lr */
  lit[2] = 0xe1a00000u; /* nop */
  uint16_t *tlit = (uint16_t *)(code + 4096 + 64);
  tlit[0] = 0x4801u; /* ldr r0, [pc, #4]  (the word at +8) */
  tlit[1] = 0x4770u; /* bx lr */
  tlit[2] = tlit[3] = 0xbf00u; /* nop */
  __builtin___clear_cache((char *)lit, (char *)(lit + 4));
  __builtin___clear_cache((char *)tlit, (char *)(tlit + 6));
  unsigned sum = 0;
  for (unsigned i = 0; i < 3000; i++) {
    lit[3] = i * 7;
    *(volatile uint32_t *)(code + 4096 + 72) = i * 11;
    sum += (unsigned)((fn)(uintptr_t)lit)(0) + (unsigned)((fn)((uintptr_t)tlit + 1))(0);
  }
  /* a store to the literal, then a load of it, in one block */
  uint32_t *same = (uint32_t *)(code + 320);
  same[0] = 0xe58f0008u; /* str r0, [pc, #8]  (same[4]) */
  same[1] = 0xe59f0004u; /* ldr r0, [pc, #4]  (same[4]) */
  same[2] = 0xe2800001u; /* add r0, r0, #1 */
  same[3] = 0xe12fff1eu; /* bx lr */
  same[4] = 0;
  __builtin___clear_cache((char *)same, (char *)(same + 5));
  unsigned chk = 0;
  for (unsigned i = 0; i < 3000; i++) chk += (unsigned)((fn)(uintptr_t)same)((int)i) - i;
  printf("literals: %u (want %u), store then load: %u (want 3000)\n", sum, 18u * 2999u * 3000u / 2u, chk);
  munmap(code, 8192);
  return 0;
}
