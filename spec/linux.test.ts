// Linux user mode against the reference: small C programs that lean on the system call
// layer (files and directories, memory mapping, signals, time and process queries) are built
// here with arm-linux-gnueabihf-gcc for -marm and -mthumb, then run under
// `qemu-arm -cpu cortex-a15` and under armvisor; stdout and the exit status must be identical.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runArmvisor, runProcess, runQemu, type RunResult } from '../bench/guestrun.js';

const PRELUDE = `
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#define CHECK(e) printf("%-40s -> %s\\n", #e, (e) ? "ok" : strerror(errno))
`;

const PROGRAMS: Record<string, string> = {
  files: `${PRELUDE}
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
int main(int argc, char **argv) {
  if (argc < 2 || chdir(argv[1]) != 0) return 99;
  umask(022);
  CHECK(mkdir("d", 0755) == 0);
  CHECK(mkdir("d", 0755) == 0);
  FILE *f = fopen("d/a.txt", "w");
  for (int i = 0; i < 1000; i++) fprintf(f, "line %d %s\\n", i, i % 7 ? "x" : "seven");
  fclose(f);
  struct stat st;
  CHECK(stat("d/a.txt", &st) == 0);
  printf("size %lld mode %o nlink %d reg %d\\n", (long long)st.st_size, st.st_mode & 07777, (int)st.st_nlink, S_ISREG(st.st_mode));
  f = fopen("d/a.txt", "r");
  char line[64];
  fseek(f, 0, SEEK_END);
  printf("ftell end %ld\\n", ftell(f));
  fseek(f, 100, SEEK_SET);
  fgets(line, sizeof line, f);
  printf("at 100: %s", line);
  rewind(f);
  int n = 0;
  while (fgets(line, sizeof line, f)) n += strstr(line, "seven") != 0;
  printf("sevens %d\\n", n);
  fclose(f);
  int fd = open("d/b.bin", O_CREAT | O_RDWR | O_TRUNC, 0600);
  unsigned char buf[4096];
  for (int i = 0; i < 4096; i++) buf[i] = i * 7;
  CHECK(write(fd, buf, 4096) == 4096);
  CHECK(pwrite(fd, "XYZ", 3, 10) == 3);
  CHECK(lseek(fd, 8, SEEK_SET) == 8);
  memset(buf, 0, 8);
  CHECK(read(fd, buf, 8) == 8);
  printf("bytes %02x %02x %c %c %c %02x\\n", buf[0], buf[1], buf[2], buf[3], buf[4], buf[5]);
  CHECK(ftruncate(fd, 1000) == 0);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 1000);
  close(fd);
  CHECK(rename("d/b.bin", "d/c.bin") == 0);
  CHECK(access("d/b.bin", F_OK) == 0);
  CHECK(access("d/c.bin", R_OK | W_OK) == 0);
  CHECK(symlink("a.txt", "d/link") == 0);
  char target[64] = {0};
  CHECK(readlink("d/link", target, sizeof target - 1) == 5);
  printf("link -> %s\\n", target);
  CHECK(lstat("d/link", &st) == 0 && S_ISLNK(st.st_mode));
  CHECK(link("d/a.txt", "d/hard") == 0);
  CHECK(stat("d/a.txt", &st) == 0 && st.st_nlink == 2);
  struct timespec ts[2] = {{1000000000, 0}, {1234567890, 500}};
  CHECK(utimensat(AT_FDCWD, "d/a.txt", ts, 0) == 0);
  CHECK(stat("d/a.txt", &st) == 0);
  printf("mtime %ld atime %ld\\n", (long)st.st_mtime, (long)st.st_atime);
  DIR *d = opendir("d");
  char *names[16];
  int k = 0;
  struct dirent *e;
  while ((e = readdir(d)) && k < 16) names[k++] = strdup(e->d_name);
  closedir(d);
  qsort(names, k, sizeof *names, cmp);
  for (int i = 0; i < k; i++) printf("entry %s\\n", names[i]);
  int p[2];
  CHECK(pipe(p) == 0);
  CHECK(write(p[1], "pipe!", 5) == 5);
  memset(line, 0, sizeof line);
  CHECK(read(p[0], line, sizeof line) == 5);
  printf("pipe got %s\\n", line);
  int saved = dup(1);
  fflush(stdout);
  fd = open("d/out.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  dup2(fd, 1);
  printf("into the file\\n");
  fflush(stdout);
  dup2(saved, 1);
  close(fd);
  f = fopen("d/out.txt", "r");
  fgets(line, sizeof line, f);
  fclose(f);
  printf("redirected: %s", line);
  CHECK(open("d/missing", O_RDONLY) >= 0);
  CHECK(rmdir("d/a.txt") == 0);
  CHECK(rmdir("d") == 0);
  CHECK(read(77, buf, 1) >= 0);
  const char *rm[] = {"d/a.txt", "d/hard", "d/c.bin", "d/link", "d/out.txt"};
  for (int i = 0; i < 5; i++) CHECK(unlink(rm[i]) == 0);
  CHECK(rmdir("d") == 0);
  char cwd[4096];
  CHECK(getcwd(cwd, sizeof cwd) != 0 && strcmp(cwd, argv[1]) == 0);
  return 3;
}
`,
  memory: `${PRELUDE}
static sigjmp_buf jb;
static void on_segv(int sig, siginfo_t *si, void *uc) { (void)uc; printf("caught %d code %d\\n", sig, si->si_code); siglongjmp(jb, 1); }
int main(void) {
  size_t big = 64u << 20;
  unsigned char *m = malloc(big);
  for (size_t i = 0; i < big; i += 4096) m[i] = (unsigned char)(i >> 12);
  unsigned long sum = 0;
  for (size_t i = 0; i < big; i += 4096) sum += m[i];
  printf("malloc sum %lu\\n", sum);
  free(m);
  char *a = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(a != MAP_FAILED);
  printf("fresh zero %d\\n", a[0] == 0 && a[3 * 4096 - 1] == 0);
  strcpy(a, "keep me");
  char *b = mremap(a, 3 * 4096, 300 * 4096, MREMAP_MAYMOVE);
  CHECK(b != MAP_FAILED);
  printf("after mremap: %s, tail zero %d\\n", b, b[300 * 4096 - 1] == 0);
  b[299 * 4096] = 1;
  CHECK(munmap(b, 300 * 4096) == 0);
  struct sigaction sa = {0};
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, 0);
  char *ro = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ro[0] = 5;
  CHECK(mprotect(ro, 4096, PROT_READ) == 0);
  if (!sigsetjmp(jb, 1)) { ro[1] = 1; printf("wrote read-only memory!\\n"); }
  printf("still readable %d\\n", ro[0]);
  if (!sigsetjmp(jb, 1)) { *(volatile int *)0 = 1; printf("wrote NULL!\\n"); }
  char *heap0 = sbrk(0);
  CHECK(sbrk(1 << 20) == heap0);
  heap0[(1 << 20) - 1] = 7;
  CHECK(sbrk(0) == heap0 + (1 << 20));
  FILE *f = fopen("/proc/self/exe", "rb");
  int fd = fileno(f);
  unsigned char *elf = mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
  CHECK(elf != MAP_FAILED);
  printf("mapped ELF magic %02x %c%c%c class %d machine %d\\n", elf[0], elf[1], elf[2], elf[3], elf[4], elf[18]);
  fclose(f);
  return 0;
}
`,
  signals: `${PRELUDE}
static volatile int got;
static void on_usr1(int sig) { got += sig; }
static char altstack[65536];
static void on_usr2(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  char here;
  printf("usr2 %d code %d on altstack %d\\n", sig, si->si_code, &here >= altstack && &here < altstack + sizeof altstack);
}
int main(void) {
  signal(SIGUSR1, on_usr1);
  raise(SIGUSR1);
  printf("got %d\\n", got);
  sigset_t s, old, pend;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR1);
  sigprocmask(SIG_BLOCK, &s, &old);
  raise(SIGUSR1);
  sigpending(&pend);
  printf("blocked: got %d pending %d\\n", got, sigismember(&pend, SIGUSR1));
  sigprocmask(SIG_SETMASK, &old, 0);
  printf("unblocked: got %d\\n", got);
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  CHECK(sigaltstack(&ss, 0) == 0);
  struct sigaction sa = {0};
  sa.sa_sigaction = on_usr2;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaction(SIGUSR2, &sa, 0);
  kill(getpid(), SIGUSR2);
  signal(SIGPIPE, SIG_IGN);
  int p[2];
  pipe(p);
  close(p[0]);
  CHECK(write(p[1], "x", 1) == 1);
  signal(SIGINT, SIG_IGN);
  raise(SIGINT);
  printf("ignored SIGINT\\n");
  fflush(stdout);
  abort();
}
`,
  misc: `${PRELUDE}
int main(int argc, char **argv, char **envp) {
  struct utsname u;
  uname(&u);
  printf("machine %s sysname %s\\n", u.machine, u.sysname);
  printf("argc %d argv1 %s\\n", argc, argc > 1 ? argv[1] : "-");
  printf("ARMVISOR_TEST=%s\\n", getenv("ARMVISOR_TEST"));
  printf("pagesz %lu clktck %lu platform %s secure %lu\\n", getauxval(AT_PAGESZ), getauxval(AT_CLKTCK), (char *)getauxval(AT_PLATFORM), getauxval(AT_SECURE));
  printf("sysconf pagesize %ld clk_tck %ld\\n", sysconf(_SC_PAGESIZE), sysconf(_SC_CLK_TCK));
  char exe[4096] = {0};
  CHECK(readlink("/proc/self/exe", exe, sizeof exe - 1) > 0);
  printf("exe basename %s\\n", strrchr(exe, '/') + 1);
  struct timespec t0, t1, r;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct timespec d = {0, 20000000};
  nanosleep(&d, 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
  printf("slept >= 20ms %d\\n", ms >= 19);
  CHECK(clock_getres(CLOCK_MONOTONIC, &r) == 0);
  struct timeval tv;
  gettimeofday(&tv, 0);
  printf("realtime sane %d\\n", tv.tv_sec > 1600000000 && labs(tv.tv_sec - time(0)) <= 1);
  struct rlimit rl;
  CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
  printf("isatty(1) %d\\n", isatty(1));
  printf("pid positive %d, ppid differs %d\\n", getpid() > 0, getppid() != getpid());
  unsigned char rnd[16];
  CHECK(getentropy(rnd, sizeof rnd) == 0);
  printf("strtod %.17g %g %e\\n", strtod("3.14159265358979", 0), 1.0 / 3, 6.02214076e23);
  (void)envp;
  exit(argc + 40);
}
`,
  hwcap: `${PRELUDE}
int main(void) { printf("%lx %lx\\n", getauxval(AT_HWCAP), getauxval(AT_HWCAP2)); return 0; }
`,
};

/** Hand-written A32 programs (-nostdlib): the kuser helpers and a signal frame round trip. */
const ASM: Record<string, string> = {
  // set_tls + __kuser_get_tls, __kuser_cmpxchg (success and failure, C flag), __kuser_cmpxchg64,
  // __kuser_memory_barrier; exits with the number of the first failed check, or the helper version.
  kuser: `
.global _start
.arm
_start:
  ldr r0, =0x12345678
  ldr r7, =0xf0005
  svc 0
  ldr r4, =0xffff0fe0
  blx r4
  ldr r2, =0x12345678
  cmp r0, r2
  movne r0, #1
  bne out
  @ cmpxchg(old=5, new=9, ptr=&word): success -> r0 == 0, C set, word == 9
  ldr r2, =word
  mov r0, #5
  mov r1, #9
  ldr r4, =0xffff0fc0
  blx r4
  movcc r0, #2
  bcc out
  cmp r0, #0
  movne r0, #3
  bne out
  ldr r3, [r2]
  cmp r3, #9
  movne r0, #4
  bne out
  @ failing cmpxchg: old=5 but word is 9
  mov r0, #5
  mov r1, #7
  blx r4
  movcs r0, #5
  bcs out
  ldr r3, [r2]
  cmp r3, #9
  movne r0, #6
  bne out
  @ cmpxchg64: *ptr == old -> new
  ldr r0, =old64
  ldr r1, =new64
  ldr r2, =dword
  ldr r4, =0xffff0f60
  blx r4
  movcc r0, #7
  bcc out
  ldr r3, [r2, #4]
  ldr r5, =0xdeadbeef
  cmp r3, r5
  movne r0, #8
  bne out
  ldr r4, =0xffff0fa0
  blx r4
  ldr r4, =0xffff0ffc
  ldr r0, [r4]
out:
  mov r7, #1
  svc 0
.data
.align 3
word: .word 5
.align 3
dword: .word 1, 2
old64: .word 1, 2
new64: .word 0xcafef00d, 0xdeadbeef
`,
  // A SIGILL handler (SA_SIGINFO, no SA_RESTORER: returns through the kernel's trampoline) that
  // edits the saved context: skips the UDF and adds to r6. Exit status 15 = 10 + SIGILL + 1.
  sigframe: `
.global _start
.arm
_start:
  @ rt_sigaction(SIGILL, &act, 0, 8)
  mov r0, #4
  ldr r1, =act
  mov r2, #0
  mov r3, #8
  mov r7, #174
  svc 0
  mov r6, #0
  .word 0xe7f000f0     @ udf: handler adds 10 to r6 via the saved context
  add r6, r6, #1
  mov r0, r6
  mov r7, #1
  svc 0
handler:
  @ r0 = signo, r1 = siginfo, r2 = ucontext
  ldr r3, [r2, #92]    @ arm_pc
  add r3, r3, #4
  str r3, [r2, #92]
  ldr r3, [r2, #20+12+6*4]   @ saved r6
  add r3, r3, r0       @ + signo (4)
  add r3, r3, #10
  str r3, [r2, #20+12+6*4]
  bx lr
.data
act: .word handler, 4, 0, 0, 0
`,
};

const cc = process.env.ARM_CC ?? 'arm-linux-gnueabihf-gcc';
let dir: string;
const bins = new Map<string, string>();

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armvisor-linux-'));
  for (const [name, src] of Object.entries(PROGRAMS)) {
    const c = path.join(dir, `${name}.c`);
    fs.writeFileSync(c, src);
    for (const isa of ['arm', 'thumb']) {
      const out = path.join(dir, `${name}-${isa}`);
      const r = spawnSync(cc, ['-O2', '-static', `-m${isa}`, '-Wall', '-o', out, c], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cc} failed for ${name}-${isa}: ${r.error?.message ?? r.stderr}`);
      bins.set(`${name}-${isa}`, out);
    }
  }
  // One dynamically linked build, for -L.
  const dyn = path.join(dir, 'misc-dyn');
  const r = spawnSync(cc, ['-O2', '-mthumb', '-o', dyn, path.join(dir, 'misc.c')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cc} failed for misc-dyn: ${r.error?.message ?? r.stderr}`);
  bins.set('misc-dyn', dyn);
  for (const [name, src] of Object.entries(ASM)) {
    const S = path.join(dir, `${name}.S`);
    fs.writeFileSync(S, src);
    const out = path.join(dir, `${name}-arm`);
    const r = spawnSync(cc, ['-static', '-nostdlib', '-marm', '-o', out, S], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cc} failed for ${name}: ${r.error?.message ?? r.stderr}`);
    bins.set(`${name}-arm`, out);
  }
}, 300000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function expectSame(a: RunResult, q: RunResult): void {
  expect(a.timedOut).toBe(false);
  expect(a.stdout.toString()).toBe(q.stdout.toString());
  expect(a.status).toBe(q.status);
  expect(a.stderr).not.toMatch(/internal error|^\s+at /m);
}

test("AT_HWCAP is qemu-arm -cpu cortex-a15's, less NEON and ThumbEE (not implemented)", async () => {
  const prog = bins.get('hwcap-thumb')!;
  const [q, a] = [await runQemu(prog), await runArmvisor(prog)];
  const [qcap, qcap2] = q.stdout.toString().trim().split(' ').map((x) => parseInt(x, 16));
  const [acap, acap2] = a.stdout.toString().trim().split(' ').map((x) => parseInt(x, 16));
  const NEON = 1 << 12;
  const THUMBEE = 1 << 11;
  expect(qcap & NEON).toBe(NEON);
  expect(acap).toBe(qcap & ~(NEON | THUMBEE));
  expect(acap2).toBe(qcap2);
});

test.each([
  ['kuser', 5],
  ['sigframe', 15],
])('hand-written %s program', async (name, status) => {
  const prog = bins.get(`${name}-arm`)!;
  const [q, a] = [await runQemu(prog), await runArmvisor(prog)];
  expect(q.status).toBe(status);
  expectSame(a, q);
});

test('a dynamically linked program with -L (PT_INTERP from the sysroot, AT_BASE, shared libc)', async () => {
  const sysroot = '/usr/arm-linux-gnueabihf';
  const prog = bins.get('misc-dyn')!;
  const env = { ...process.env, ARMVISOR_TEST: 'dynamic' };
  const q = await runProcess('qemu-arm', ['-cpu', 'cortex-a15', '-L', sysroot, prog, 'two'], { env });
  const a = await runArmvisor(prog, ['two'], { env, flags: ['-L', sysroot] });
  expect(q.status).toBe(42);
  expect(q.stdout.toString()).toContain('ARMVISOR_TEST=dynamic');
  expectSame(a, q);
});

describe.each(['arm', 'thumb'])('%s', (isa) => {
  test('files and directories', async () => {
    const prog = bins.get(`files-${isa}`)!;
    const wq = fs.mkdtempSync(path.join(dir, 'q-'));
    const wa = fs.mkdtempSync(path.join(dir, 'a-'));
    const q = await runQemu(prog, [wq]);
    const a = await runArmvisor(prog, [wa]);
    expect(q.status).toBe(3);
    expectSame(a, q);
  });

  test('memory: malloc, mmap, mremap, mprotect faults, brk, file mappings', async () => {
    const prog = bins.get(`memory-${isa}`)!;
    const [q, a] = [await runQemu(prog), await runArmvisor(prog)];
    expect(q.stdout.toString()).toContain('caught 11 code 2');
    expectSame(a, q);
  });

  test('signals: handlers, masks, alternate stack, ignored signals, abort', async () => {
    const prog = bins.get(`signals-${isa}`)!;
    const [q, a] = [await runQemu(prog), await runArmvisor(prog)];
    expect(q.status).toBe(134);
    expectSame(a, q);
  });

  test('process queries, auxv, time, environment, exit status', async () => {
    const prog = bins.get(`misc-${isa}`)!;
    const env = { ...process.env, ARMVISOR_TEST: 'from-the-host' };
    const [q, a] = [await runQemu(prog, ['one'], { env }), await runArmvisor(prog, ['one'], { env })];
    expect(q.status).toBe(42);
    expectSame(a, q);
  });
});
