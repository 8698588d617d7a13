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
  munmap(code, 8192);
  return 0;
}
