/* Accesses at the edge of a mapping: a loop of loads and stores in the last bytes of a page
   whose next page is unmapped (in range, so they must not fault, and generated code must not
   keep leaving for the slow path: armvisor's --profile counts those exits), then loads and
   stores that cross into the unmapped page, each of which must fault. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct __attribute__((packed)) u32p { uint32_t v; };
struct __attribute__((packed)) u16p { uint16_t v; };

static sigjmp_buf recover;
static volatile uintptr_t fault_addr;

static void on_segv(int sig, siginfo_t *si, void *uc) {
  (void)sig; (void)uc;
  fault_addr = (uintptr_t)si->si_addr;
  siglongjmp(recover, 1);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED || munmap(p + 4096, 4096) != 0) {
    perror("mmap");
    return 1;
  }
  volatile uint32_t *w = (volatile uint32_t *)(p + 4080);
  volatile uint16_t *h = (volatile uint16_t *)(p + 4092);
  volatile uint8_t *b = (volatile uint8_t *)(p + 4095);
  volatile struct u32p *uw = (volatile struct u32p *)(p + 4089); /* unaligned, in the page */
  uint32_t sum = 0;
  for (long i = 0; i < n; i++) {
    w[0] += (uint32_t)i;
    w[1] ^= w[0];
    *h = (uint16_t)(*h + 3);
    *b = (uint8_t)(*b + 1);
    uw->v = uw->v * 33 + 7;
    sum += w[1] + *h + *b + uw->v;
  }
  printf("tail: %08x %08x %04x %02x %08x sum %08x\n", w[0], w[1], *h, *b, uw->v, sum);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  static const int at[] = {4093, 4094, 4095};
  for (int k = 0; k < 3; k++) {
    if (sigsetjmp(recover, 1) == 0) {
      uint32_t v = ((volatile struct u32p *)(p + at[k]))->v;
      printf("load of 4 at +%d did not fault: %08x\n", at[k], v);
    } else {
      printf("load of 4 at +%d faulted at +%ld\n", at[k], (long)(fault_addr - (uintptr_t)p));
    }
    if (sigsetjmp(recover, 1) == 0) {
      ((volatile struct u16p *)(p + at[k]))->v = 0x1234;
      printf("store of 2 at +%d did not fault\n", at[k]);
    } else {
      printf("store of 2 at +%d faulted at +%ld\n", at[k], (long)(fault_addr - (uintptr_t)p));
    }
  }
  /* A run of words (ldm/ldrd) from the last word of the page. */
  if (sigsetjmp(recover, 1) == 0) {
    volatile uint64_t *d = (volatile uint64_t *)(p + 4092);
    printf("load of 8 at +4092 did not fault: %llx\n", (unsigned long long)*d);
  } else {
    printf("load of 8 at +4092 faulted at +%ld\n", (long)(fault_addr - (uintptr_t)p));
  }
  printf("bytes at the end: %02x %02x %02x\n", (unsigned char)p[4093], (unsigned char)p[4094], (unsigned char)p[4095]);
  return 0;
}
