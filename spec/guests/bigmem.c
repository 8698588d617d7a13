/* Large memory: malloc and touch several MiB, realloc growth, mmap/munmap/mprotect, brk. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint32_t touch(unsigned char *p, size_t len, uint32_t seed) {
  uint32_t sum = 0;
  for (size_t i = 0; i < len; i += 4096) p[i] = (unsigned char)(seed + i / 4096);
  for (size_t i = 0; i < len; i += 4096) sum = sum * 31 + p[i];
  return sum;
}

int main(void) {
  uint32_t total = 0;
  for (int round = 0; round < 3; round++) {
    size_t len = (size_t)(4 + round * 2) << 20;
    unsigned char *p = malloc(len);
    if (!p) { printf("malloc failed\n"); return 1; }
    total ^= touch(p, len, round);
    memset(p + len / 2, 0xab, 65536);
    total += p[len / 2 + 1000];
    free(p);
  }
  printf("malloc rounds: %08x\n", (unsigned)total);

  unsigned char *r = NULL;
  size_t rl = 0;
  uint32_t rsum = 0;
  for (int i = 0; i < 12; i++) {
    size_t nl = (size_t)4096 << i;
    r = realloc(r, nl);
    for (size_t k = rl; k < nl; k += 512) r[k] = (unsigned char)(k >> 9);
    rl = nl;
  }
  for (size_t k = 0; k < rl; k += 512) rsum += r[k];
  printf("realloc to %zu: %u\n", rl, (unsigned)rsum);
  free(r);

  size_t ml = 3 << 20;
  unsigned char *m = mmap(NULL, ml, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) { printf("mmap failed\n"); return 1; }
  printf("fresh mmap reads zero: %d\n", m[0] == 0 && m[ml - 1] == 0 && m[ml / 2] == 0);
  uint32_t ms = touch(m, ml, 7);
  if (mprotect(m, 4096, PROT_READ) != 0) printf("mprotect failed\n");
  printf("mmap sum %08x, first byte %u\n", (unsigned)ms, m[0]);
  if (munmap(m + 4096, ml - 4096) != 0) printf("munmap failed\n");
  munmap(m, 4096);

  void *b0 = sbrk(0);
  void *b1 = sbrk(1 << 20);
  if (b1 == (void *)-1) { printf("sbrk failed\n"); return 1; }
  memset(b1, 0x5a, 1 << 20);
  void *b2 = sbrk(0);
  printf("sbrk grew by %ld, byte %x\n", (long)((char *)b2 - (char *)b0), ((unsigned char *)b1)[12345]);
  sbrk(-(1 << 20));

  /* many small allocations */
  void *ptrs[4000];
  uint32_t h = 0;
  for (int i = 0; i < 4000; i++) { ptrs[i] = malloc(16 + (i * 37) % 300); memset(ptrs[i], i, 16); }
  for (int i = 0; i < 4000; i += 2) free(ptrs[i]);
  for (int i = 1; i < 4000; i += 2) h = h * 17 + ((unsigned char *)ptrs[i])[3];
  for (int i = 1; i < 4000; i += 2) free(ptrs[i]);
  printf("small: %08x\n", (unsigned)h);
  return 0;
}
