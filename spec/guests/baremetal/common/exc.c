/* Exception dispatch for the default vectors: a test's handler, then try_call's resume, else
   a report and an UNEXPECTED line. */
#include "lib.h"

volatile struct fault last_fault;
volatile u32 try_active, try_sp, try_cpsr, store_value;
extern char try_resume[];
static exc_handler handlers[EXC_COUNT];

static const char *const names[EXC_COUNT] = { "reset", "undef", "svc", "pabt", "dabt", "hyp", "irq", "fiq" };
const char *exc_name(enum exc_kind kind) { return kind < EXC_COUNT ? names[kind] : "?"; }

void set_handler(enum exc_kind kind, exc_handler h) { handlers[kind] = h; }

static const char *mode_name(u32 m) {
  switch (m & 0x1f) {
  case MODE_USR: return "usr";
  case MODE_FIQ: return "fiq";
  case MODE_IRQ: return "irq";
  case MODE_SVC: return "svc";
  case MODE_ABT: return "abt";
  case MODE_UND: return "und";
  case MODE_SYS: return "sys";
  default: return "?";
  }
}

u32 dfsr_arch(u32 dfsr) {
  if (dfsr & (1u << 9)) return dfsr & 0x3a3f; /* long-descriptor: CM, ExT, WnR, LPAE, STATUS */
  u32 fs = ((dfsr >> 6) & 0x10) | (dfsr & 0xf);
  /* Table B3-23: Domain is valid for 2nd-level translation, access flag, domain and permission
     faults and external aborts on a 2nd-level walk. */
  int domain_valid = fs == 0x07 || fs == 0x03 || fs == 0x06 || fs == 0x09 || fs == 0x0b || fs == 0x0d || fs == 0x0f || fs == 0x0e;
  return dfsr & (domain_valid ? 0x3cff : 0x3c0f);
}

u32 ifsr_arch(u32 ifsr) { return ifsr & ((ifsr & (1u << 9)) ? 0x123f : 0x140f); }

void exc_report(enum exc_kind kind, const struct frame *f) {
  u32 cpsr = read_cpsr();
  printf("exception %s: mode=%s pc=%08x spsr=%08x (from %s)", exc_name(kind), mode_name(cpsr), f->pc, f->spsr, mode_name(f->spsr));
  if (kind == EXC_DABT) printf(" dfsr=%08x dfar=%08x", read_dfsr(), read_dfar());
  if (kind == EXC_PABT) printf(" ifsr=%08x ifar=%08x", read_ifsr(), read_ifar());
  printf("\n");
}

extern char user_back[];
extern volatile u32 user_saved_cpsr, user_result;

/* `svc #0xff` from User mode ends run_user (user.S) */
static int user_exit_svc(struct frame *f) {
  if ((f->spsr & 0x1f) != MODE_USR || (f->spsr & 0x20) || (*(const u32 *)(f->pc - 4) & 0x00ffffff) != 0xff) return 0;
  user_result = f->r[0];
  f->pc = (u32)user_back;
  f->spsr = user_saved_cpsr;
  return 1;
}

extern char wait_wfi_insn[], wait_wfe_insn[];

/* An interrupt taken anywhere from a wait's test up to its WFI/WFE (wait.S) restarts the wait at
   its test, which sees what the handler did: returning into the window would sleep though the
   word is set (QEMU takes interrupts at translation-block boundaries, so one can land on the
   DSB; seen once on a loaded machine, where the wait then never ended). */
static u32 restart_wait(u32 pc) {
  if (pc > (u32)wait_wfi && pc <= (u32)wait_wfi_insn) return (u32)wait_wfi;
  if (pc > (u32)wait_wfe && pc <= (u32)wait_wfe_insn) return (u32)wait_wfe;
  return pc;
}

void exc_dispatch(enum exc_kind kind, struct frame *f) {
  if (kind == EXC_IRQ || kind == EXC_FIQ) f->pc = restart_wait(f->pc);
  if (kind < EXC_COUNT && handlers[kind] && handlers[kind](f)) return;
  if (kind == EXC_SVC && user_exit_svc(f)) return;
  if (try_active && (kind == EXC_UND || kind == EXC_PABT || kind == EXC_DABT)) {
    last_fault.kind = kind;
    last_fault.pc = f->pc;
    last_fault.spsr = f->spsr;
    last_fault.fsr = kind == EXC_DABT ? read_dfsr() : kind == EXC_PABT ? read_ifsr() : 0;
    last_fault.far = kind == EXC_DABT ? read_dfar() : kind == EXC_PABT ? read_ifar() : 0;
    try_active = 0;
    f->pc = (u32)try_resume;
    f->spsr = try_cpsr;
    return;
  }
  printf("UNEXPECTED ");
  exc_report(kind, f);
  finish();
}

void probe(const char *what, u32 (*fn)(u32), u32 arg, u32 want_kind, u32 want) {
  u32 r = 0;
  u32 k = try_call(fn, arg, &r);
  if (k == 0) {
    printf("%s: ok %08x\n", what, r);
    if (want_kind != 0 || r != want) unexpected(what);
    return;
  }
  u32 fsr = k == EXC_DABT ? dfsr_arch(last_fault.fsr) : k == EXC_PABT ? ifsr_arch(last_fault.fsr) : 0;
  printf("%s: %s fsr=%03x far=%08x\n", what, exc_name(k), fsr, last_fault.far);
  /* a prefetch abort's preferred return address is the instruction that was not fetched */
  if (k != want_kind || fsr != want || last_fault.far != arg || (k == EXC_PABT && last_fault.pc != arg)) unexpected(what);
}
