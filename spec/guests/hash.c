/* Integer workload: FNV-1a (32 and 64 bit), xorshift, a multiply-rotate mix, over a buffer.
   Usage: hash [ROUNDS] [KIB] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t xs32(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  return *s = x;
}

static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 2;
  size_t kib = argc > 2 ? (size_t)atoi(argv[2]) : 64;
  size_t len = kib * 1024;
  unsigned char *buf = malloc(len);
  if (!buf) return 2;
  uint32_t seed = 0x12345678u;
  for (size_t i = 0; i < len; i += 4) {
    uint32_t v = xs32(&seed);
    buf[i] = v; buf[i + 1] = v >> 8; buf[i + 2] = v >> 16; buf[i + 3] = v >> 24;
  }
  uint32_t fnv32 = 2166136261u;
  uint64_t fnv64 = 14695981039346656037ull;
  uint32_t mix = 0, h16 = 0;
  int64_t signed_acc = 0;
  for (int r = 0; r < rounds; r++) {
    for (size_t i = 0; i < len; i++) {
      fnv32 = (fnv32 ^ buf[i]) * 16777619u;
      fnv64 = (fnv64 ^ buf[i]) * 1099511628211ull;
    }
    const uint32_t *w = (const uint32_t *)buf;
    for (size_t i = 0; i < len / 4; i++) {
      uint32_t k = w[i] * 0xcc9e2d51u;
      k = rotl32(k, 15) * 0x1b873593u;
      mix ^= k;
      mix = rotl32(mix, 13) * 5 + 0xe6546b64u;
      signed_acc += (int32_t)k / (int32_t)((i & 0xff) + 1) - (int64_t)(int16_t)k * 3;
    }
    const uint16_t *hw = (const uint16_t *)buf;
    for (size_t i = 0; i < len / 2; i++) h16 = (h16 + hw[i]) ^ (h16 >> 3) ^ ((uint32_t)hw[i] % 251u);
    buf[r % len] ^= (unsigned char)mix;
  }
  printf("fnv32 %08x\nfnv64 %016llx\nmix %08x\nh16 %08x\nsigned %lld\n", (unsigned)fnv32,
         (unsigned long long)fnv64, (unsigned)mix, (unsigned)h16, (long long)signed_acc);
  free(buf);
  return 0;
}
