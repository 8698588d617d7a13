/* Differential-test harness: runs one instruction per test case from a given register,
 * flag, FPSCR and VFP state, and reports the state after it.
 *
 * Input (stdin, little-endian): IN_MAGIC, case count, then per case a `struct case_in`.
 * For each case the test page is filled with UDF and the code placed at its end; the
 * scratch pages get pseudo-random bytes from the case's seed. diff_enter (enter.S) loads
 * the state and jumps to the code. Whatever ends the case arrives as a signal: normally
 * the fetch fault just past the test page (or at a branch target outside it), else the
 * instruction's own fault. The handler takes the state from the signal frame (core
 * registers, CPSR, and the VFP frame of uc_regspace), and the result goes to stdout:
 * OUT_MAGIC, signal, fault address, R0-R15, CPSR, FPSCR, TPIDRURW, TPIDRURO, D0-D31, then
 * the count and list of bytes of the code and scratch regions that differ from their
 * initial image (region << 30 | offset << 8 | new value).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>
#include "layout.h"

struct case_in {
  uint32_t flags; /* bit 0: Thumb */
  uint32_t code_len;
  uint8_t code[MAX_CODE];
  uint32_t r[15];
  uint32_t apsr, fpscr, mem_seed, tpidrurw, pad;
  uint64_t d[32];
};

/* What diff_enter loads (offsets fixed in enter.S). */
struct enter_block {
  uint32_t r[16];
  uint32_t apsr, fpscr, tpidrurw, pad;
  uint64_t d[32];
};

struct case_out {
  uint32_t magic, sig, addr;
  uint32_t r[16];
  uint32_t cpsr, fpscr, tpidrurw, tpidruro;
  uint64_t d[32];
};

extern void diff_enter(struct enter_block *b) __attribute__((noreturn));

static sigjmp_buf jb;
static struct case_out out;
static struct case_in in;
static struct enter_block blk;
static uint8_t code_init[REGION_BYTES], scratch_init[REGION_BYTES];
static uint32_t changes[MAX_CHANGES + 1];
static uint8_t altstack[65536];

static void die(const char *msg) {
  write(2, msg, strlen(msg));
  _exit(2);
}

static uint32_t xorshift(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

static void fill_random(uint8_t *p, uint32_t len, uint32_t seed) {
  uint32_t s = seed ? seed : 1;
  for (uint32_t i = 0; i < len; i += 4) {
    uint32_t v = xorshift(&s);
    memcpy(p + i, &v, 4);
  }
}

static void on_signal(int sig, siginfo_t *si, void *uc_) {
  /* The test code may have left FPSCR with vector Len/Stride set, under which VFP code
   * (memcpy's) would UNDEF: give the harness a clean FPSCR (the frame keeps the old one). */
  __asm__ volatile("vmsr fpscr, %0" : : "r"(0));
  ucontext_t *uc = uc_;
  mcontext_t *m = &uc->uc_mcontext;
  out.sig = (uint32_t)sig;
  out.addr = (uint32_t)(uintptr_t)si->si_addr;
  uint32_t *r = out.r;
  r[0] = m->arm_r0; r[1] = m->arm_r1; r[2] = m->arm_r2; r[3] = m->arm_r3;
  r[4] = m->arm_r4; r[5] = m->arm_r5; r[6] = m->arm_r6; r[7] = m->arm_r7;
  r[8] = m->arm_r8; r[9] = m->arm_r9; r[10] = m->arm_r10; r[11] = m->arm_fp;
  r[12] = m->arm_ip; r[13] = m->arm_sp; r[14] = m->arm_lr; r[15] = m->arm_pc;
  out.cpsr = m->arm_cpsr;
  __asm__ volatile("mrc p15, 0, %0, c13, c0, 2" : "=r"(out.tpidrurw));
  __asm__ volatile("mrc p15, 0, %0, c13, c0, 3" : "=r"(out.tpidruro));
  /* uc_regspace holds tagged frames; the VFP one is magic 0x56465001, size, D0-D31, FPSCR. */
  const uint32_t *rs = (const uint32_t *)uc->uc_regspace;
  out.fpscr = 0xffffffffu;
  memset(out.d, 0xff, sizeof out.d);
  for (unsigned off = 0; off + 8 <= sizeof uc->uc_regspace;) {
    uint32_t magic = rs[off / 4], size = rs[off / 4 + 1];
    if (magic == 0x56465001u) {
      memcpy(out.d, (const uint8_t *)rs + off + 8, sizeof out.d);
      out.fpscr = rs[(off + 8 + 256) / 4];
      break;
    }
    if (magic == 0 || size == 0) break;
    off += size;
  }
  siglongjmp(jb, 1);
}

static void read_all(void *p, size_t n) {
  uint8_t *b = p;
  while (n > 0) {
    ssize_t k = read(0, b, n);
    if (k <= 0) die("diff-harness: truncated input\n");
    b += k;
    n -= (size_t)k;
  }
}

static void write_all(const void *p, size_t n) {
  const uint8_t *b = p;
  while (n > 0) {
    ssize_t k = write(1, b, n);
    if (k <= 0) _exit(3);
    b += k;
    n -= (size_t)k;
  }
}

static void map_fixed(uint32_t addr, uint32_t len, int prot) {
  void *p = mmap((void *)(uintptr_t)addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (p != (void *)(uintptr_t)addr) die("diff-harness: cannot map the test regions\n");
}

static uint32_t diff_region(uint32_t region, const uint8_t *now, const uint8_t *init, uint32_t n) {
  for (uint32_t i = 0; i < REGION_BYTES; i++) {
    if (now[i] == init[i]) continue;
    if (n < MAX_CHANGES) changes[1 + n] = (region << 30) | (i << 8) | now[i];
    n++;
  }
  return n;
}

int main(void) {
  uint8_t *code = (uint8_t *)(uintptr_t)CODE_REGION;
  uint8_t *scratch = (uint8_t *)(uintptr_t)SCRATCH_REGION;
  map_fixed(CODE_REGION, 0x1000, PROT_READ | PROT_WRITE);
  map_fixed(CODE_PAGE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
  map_fixed(CODE_PAGE + 0x1000, 0x1000, PROT_READ | PROT_WRITE);
  map_fixed(SCRATCH_REGION, REGION_BYTES, PROT_READ | PROT_WRITE);
  fill_random(code_init, REGION_BYTES, CODE_DATA_SEED);
  memcpy(code, code_init, REGION_BYTES);
  mprotect(code, 0x1000, PROT_READ);
  mprotect(code + 0x2000, 0x1000, PROT_READ);

  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  if (sigaltstack(&ss, 0) != 0) die("diff-harness: sigaltstack failed\n");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigfillset(&sa.sa_mask);
  int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGVTALRM};
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    if (sigaction(sigs[i], &sa, 0) != 0) die("diff-harness: sigaction failed\n");

  uint32_t hdr[2];
  read_all(hdr, sizeof hdr);
  if (hdr[0] != IN_MAGIC) die("diff-harness: bad input magic\n");

  for (uint32_t k = 0; k < hdr[1]; k++) {
    read_all(&in, sizeof in);
    if (in.code_len == 0 || in.code_len > MAX_CODE) die("diff-harness: bad code length\n");
    int thumb = in.flags & 1;

    /* The test page: UDF everywhere, the code at its very end. */
    uint32_t fill = thumb ? THUMB_FILL : ARM_FILL;
    for (uint32_t i = 0x1000; i < 0x2000; i += 4) memcpy(code_init + i, &fill, 4);
    memcpy(code_init + 0x2000 - in.code_len, in.code, in.code_len);
    memcpy(code + 0x1000, code_init + 0x1000, 0x1000);
    __builtin___clear_cache((char *)code + 0x1000, (char *)code + 0x2000);
    fill_random(scratch_init, REGION_BYTES, in.mem_seed);
    memcpy(scratch, scratch_init, REGION_BYTES);

    memcpy(blk.r, in.r, sizeof in.r);
    blk.r[15] = (CODE_PAGE + 0x1000 - in.code_len) | (uint32_t)thumb;
    blk.apsr = in.apsr;
    blk.fpscr = in.fpscr;
    blk.tpidrurw = in.tpidrurw;
    memcpy(blk.d, in.d, sizeof blk.d);

    /* TEEHBR (ThumbEE handler base, user-writable in QEMU) would carry over between cases. */
    __asm__ volatile("mcr p14, 6, %0, c1, c0, 0" : : "r"(0));
    /* A looping case ends by SIGVTALRM after 0.5 s of CPU time (not wall time: a busy machine must not cut a case short). */
    struct itimerval tv = {{0, 0}, {0, 500000}}, off = {{0, 0}, {0, 0}};
    if (sigsetjmp(jb, 1) == 0) {
      setitimer(ITIMER_VIRTUAL, &tv, 0);
      diff_enter(&blk);
    }
    setitimer(ITIMER_VIRTUAL, &off, 0);

    out.magic = OUT_MAGIC;
    write_all(&out, sizeof out);
    uint32_t n = diff_region(0, code, code_init, 0);
    n = diff_region(1, scratch, scratch_init, n);
    changes[0] = n;
    write_all(changes, 4 * (1 + (n < MAX_CHANGES ? n : MAX_CHANGES)));
  }
  return 0;
}

_Static_assert(sizeof(struct case_in) == 360, "case_in layout (spec/diff/wire.ts)");
_Static_assert(sizeof(struct case_out) == 352, "case_out layout (spec/diff/wire.ts)");
_Static_assert(__builtin_offsetof(struct enter_block, d) == 80, "enter_block layout (enter.S)");
