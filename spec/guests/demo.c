/* The demo guest of `armvisor demo`: a greeting, a little integer and floating-point work, exit 0. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned count_primes(unsigned limit, unsigned *last) {
  static unsigned char composite[20001];
  unsigned n = 0;
  memset(composite, 0, sizeof composite);
  for (unsigned i = 2; i <= limit; i++) {
    if (composite[i]) continue;
    n++;
    *last = i;
    for (unsigned j = i * i; j <= limit; j += i) composite[j] = 1;
  }
  return n;
}

static uint32_t crc32(const unsigned char *p, size_t len) {
  uint32_t c = 0xffffffffu;
  while (len--) {
    c ^= *p++;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
  }
  return ~c;
}

int main(void) {
  printf("Hello from an ARMv7-A guest running on armvisor!\n");
  printf("This is %s code, built by arm-linux-gnueabihf-gcc.\n",
#ifdef __thumb__
         "Thumb-2"
#else
         "A32 (ARM)"
#endif
  );
  unsigned last = 0;
  unsigned n = count_primes(20000, &last);
  printf("primes below 20000: %u (the largest is %u)\n", n, last);
  const char *msg = "The quick brown fox jumps over the lazy dog";
  printf("crc32(\"%s\") = %08x\n", msg, (unsigned)crc32((const unsigned char *)msg, strlen(msg)));
  double pi = 0;
  for (int k = 0; k < 100000; k++) pi += (k & 1 ? -4.0 : 4.0) / (2 * k + 1);
  printf("pi ~ %.9f (Leibniz, 100000 terms); sqrt(2) = %.12f; e = %.12g\n", pi, sqrt(2.0), exp(1.0));
  printf("Goodbye.\n");
  return 0;
}
