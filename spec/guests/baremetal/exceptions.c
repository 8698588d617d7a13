/* Exceptions and banked state: SVC (ARM and Thumb), UNDEF (ARM, Thumb 16/32-bit), HVC (the
   board's PSCI conduit: no exception) and SMC (UNDEFINED without EL3), BKPT (prefetch abort,
   debug event), alignment data aborts (LDR, STR, LDM, LDRD, Thumb LDR.W) with return-and-skip
   and re-execute; the return paths MOVS PC, LR, LDM ^, SUBS PC, LR, #4/#8 and SRS/RFE (default
   vectors); banked SP/LR/SPSR of every mode, FIQ's r8-r12, MRS/MSR (banked register: UNDEFINED
   without the Virtualization Extensions), User-mode registers through LDM/STM ^, User mode
   entry and its CPS/MSR restrictions. */
#include "lib.h"

struct rec { u32 kind, lr, spsr, fsr, far, imm, sp, cpsr, fix; };
extern volatile struct rec rec;
extern char alt_vectors[], vectors[];
extern char at_svc_arm[], at_udf_arm[], at_smc[], at_bkpt[], at_ldr[], at_str[], at_ldm[], at_ldrd[];
extern char at_svc_thumb[], at_udf_thumb[], at_udfw_thumb[];
extern char __stacks_end[];
void trig_svc_arm(void), trig_udf_arm(void), trig_smc(void), trig_bkpt(void);
u32 trig_hvc(u32 fn), mrs_banked(u32), msr_banked(u32);
extern volatile u32 hvc_regs[3];
extern char at_mrs_banked[], at_msr_banked[];
void trig_svc_thumb(void), trig_udf_thumb(void), trig_udfw_thumb(void);
u32 trig_ldr(u32), trig_str(u32), trig_ldm(u32), trig_ldrd(u32), trig_ldr_thumb(u32);
extern char at_ldr_thumb[];
void bank_probe(u32 *out), fiq_bank(u32 *out);
u32 user_bank(u32 v), run_user_ldm(u32 (*fn)(void)), user_fn(void);
extern volatile u32 user_out[4];

static void clear_rec(void) { memset((void *)&rec, 0, sizeof rec); }

/* The top of a mode's stack as start.S sets it. */
static u32 stack_top(u32 mode) {
  u32 end = (u32)__stacks_end;
  switch (mode) {
  case MODE_FIQ: return end - 0xa000;
  case MODE_IRQ: return end - 0x8000;
  case MODE_ABT: return end - 0x6000;
  case MODE_UND: return end - 0x4000;
  case MODE_SYS: return end - 0x2000;
  default: return end;
  }
}

static void expect_rec(const char *what, u32 kind, u32 lr, u32 mode, u32 from_mode, u32 thumb) {
  printf("%s: kind=%u lr=%08x spsr.mode=%02x spsr.T=%u handler.mode=%02x\n", what, rec.kind, rec.lr, rec.spsr & 0x1f,
         (rec.spsr >> 5) & 1, rec.cpsr & 0x1f);
  if (rec.kind != kind || rec.lr != lr || (rec.spsr & 0x1f) != from_mode || ((rec.spsr >> 5) & 1) != thumb ||
      (rec.cpsr & 0x1f) != mode)
    unexpected(what);
}

static volatile u32 bkpt_seen_pc, bkpt_ifsr, bkpt_mode, bkpt_spsr;
static int on_bkpt(struct frame *f) {
  bkpt_seen_pc = f->pc;
  bkpt_ifsr = read_ifsr();
  bkpt_mode = read_cpsr() & 0x1f;
  bkpt_spsr = f->spsr;
  f->pc += 4; /* RFE to the instruction after the BKPT */
  return 1;
}

static void test_svc_undef(void) {
  write_vbar((u32)alt_vectors);
  isb();
  clear_rec();
  trig_svc_arm();
  expect_rec("svc arm", EXC_SVC, (u32)at_svc_arm + 4, MODE_SVC, MODE_SVC, 0);
  check("svc arm imm", rec.imm, 0x123456);

  clear_rec();
  trig_svc_thumb();
  expect_rec("svc thumb", EXC_SVC, (u32)at_svc_thumb + 2, MODE_SVC, MODE_SVC, 1);
  check("svc thumb imm", rec.imm, 0x7b);

  clear_rec();
  trig_udf_arm();
  expect_rec("udf arm", EXC_UND, (u32)at_udf_arm + 4, MODE_UND, MODE_SVC, 0);
  check("undef handler sp", rec.sp, stack_top(MODE_UND));
  clear_rec();
  trig_udf_thumb();
  expect_rec("udf thumb16", EXC_UND, (u32)at_udf_thumb + 2, MODE_UND, MODE_SVC, 1);
  clear_rec();
  trig_udfw_thumb();
  /* LR_und is the Thumb instruction's address + 2 even for a 32-bit one (ARM ARM B1.8.3) */
  expect_rec("udf thumb32", EXC_UND, (u32)at_udfw_thumb + 2, MODE_UND, MODE_SVC, 1);

  /* The board owns HVC (its PSCI conduit): every HVC is a PSCI call, an unknown function
     returns NOT_SUPPORTED (-1) in r0 and leaves r1-r3 alone; no exception reaches the guest. */
  clear_rec();
  check("hvc psci version", trig_hvc(PSCI_VERSION), psci_call(PSCI_VERSION, 0, 0, 0));
  check("hvc unknown function", trig_hvc(0), 0xffffffff);
  check("hvc r1-r3 kept", hvc_regs[0] == 0x11 && hvc_regs[1] == 0x22 && hvc_regs[2] == 0x33, 1);
  check("hvc took no exception", rec.kind, 0);
  /* No Security Extensions on this CPU (ID_PFR1): SMC is UNDEFINED. */
  clear_rec();
  trig_smc();
  expect_rec("smc", EXC_UND, (u32)at_smc + 4, MODE_UND, MODE_SVC, 0);
  write_vbar((u32)vectors);
  isb();
}

static void test_aborts(void) {
  static volatile u32 words[4] = { 0x11111111, 0x22222222, 0x33333333, 0x44444444 };
  u32 base = (u32)words;

  /* BKPT: a prefetch abort reporting a debug event, through the default SRS/RFE vectors. */
  set_handler(EXC_PABT, on_bkpt);
  trig_bkpt();
  set_handler(EXC_PABT, 0);
  check("bkpt pc", bkpt_seen_pc, (u32)at_bkpt);
  check("bkpt ifsr", ifsr_arch(bkpt_ifsr), 0x002);
  check("bkpt handler mode", bkpt_mode, MODE_ABT);
  check("bkpt spsr mode", bkpt_spsr & 0x1f, MODE_SVC);

  write_vbar((u32)alt_vectors);
  isb();
  write_sctlr(read_sctlr() | SCTLR_A);
  isb();
  clear_rec();
  u32 v = trig_ldr(base + 2);
  expect_rec("ldr unaligned", EXC_DABT, (u32)at_ldr + 8, MODE_ABT, MODE_SVC, 0);
  check("ldr unaligned dfsr", dfsr_arch(rec.fsr), 0x001);
  check("ldr unaligned dfar", rec.far, base + 2);
  check("ldr skipped", v, 0);

  clear_rec();
  rec.fix = 1;
  v = trig_ldr(base + 5);
  rec.fix = 0;
  check("ldr re-executed dfar", rec.far, base + 5);
  check("ldr re-executed value", v, 0x22222222);

  /* in Thumb state too, LR_abt is the faulting instruction's address + 8 */
  clear_rec();
  v = trig_ldr_thumb(base + 3);
  expect_rec("ldr.w unaligned, thumb", EXC_DABT, (u32)at_ldr_thumb + 8, MODE_ABT, MODE_SVC, 1);
  check("ldr.w unaligned, thumb: dfar", rec.far, base + 3);
  check("ldr.w skipped", v, 0);

  clear_rec();
  trig_str(base + 1);
  expect_rec("str unaligned", EXC_DABT, (u32)at_str + 8, MODE_ABT, MODE_SVC, 0);
  check("str unaligned dfsr", dfsr_arch(rec.fsr), 0x801);
  check("str unaligned dfar", rec.far, base + 1);
  check("str did not write", words[0], 0x11111111);
  write_sctlr(read_sctlr() & ~SCTLR_A);
  isb();

  /* LDM and LDRD need word alignment whatever SCTLR.A says */
  clear_rec();
  v = trig_ldm(base + 2);
  expect_rec("ldm unaligned", EXC_DABT, (u32)at_ldm + 8, MODE_ABT, MODE_SVC, 0);
  check("ldm unaligned dfsr", dfsr_arch(rec.fsr), 0x001);
  check("ldm unaligned dfar", rec.far, base + 2);
  clear_rec();
  v = trig_ldrd(base + 6);
  expect_rec("ldrd unaligned", EXC_DABT, (u32)at_ldrd + 8, MODE_ABT, MODE_SVC, 0);
  check("ldrd unaligned dfsr", dfsr_arch(rec.fsr), 0x001);
  check("ldrd unaligned dfar", rec.far, base + 6);
  check("ldrd aligned", trig_ldrd(base + 8), 0x77777777);
  write_vbar((u32)vectors);
  isb();
}

static void test_banks(void) {
  u32 out[15];
  static const u32 modes[5] = { MODE_FIQ, MODE_IRQ, MODE_ABT, MODE_UND, MODE_SYS };
  static const u32 spsrs[5] = { 0x800001d3, 0x400001d0, 0x200001d2, 0x100001d1, 0 };
  static const char *const names[5] = { "fiq", "irq", "abt", "und", "sys" };
  u32 sp_before;
  __asm__ volatile("mov %0, sp" : "=r"(sp_before));
  bank_probe(out);
  for (int i = 0; i < 5; i++) {
    u32 sp = out[3 * i], lr = out[3 * i + 1], spsr = out[3 * i + 2];
    printf("bank %s: sp=%08x lr=%08x spsr=%08x\n", names[i], sp, lr, spsr);
    if (sp != (0x50000000u | modes[i] << 8) || lr != (sp | 4) || spsr != spsrs[i]) unexpected("banked registers");
  }
  u32 sp_after;
  __asm__ volatile("mov %0, sp" : "=r"(sp_after));
  check("svc sp kept", sp_after, sp_before);

  u32 f[15];
  fiq_bank(f);
  static const char *const views[3] = { "sys", "fiq", "svc (after MSR)" };
  static const u32 want[3] = { 0x81, 0x88, 0x81 };
  for (int i = 0; i < 3; i++) {
    printf("r8-r12 %s: %x %x %x %x %x\n", views[i], f[5 * i], f[5 * i + 1], f[5 * i + 2], f[5 * i + 3], f[5 * i + 4]);
    for (int j = 0; j < 5; j++)
      if (f[5 * i + j] != want[i] + 0x10 * j) unexpected("r8-r12 bank");
  }

  /* MRS/MSR (banked register) belong to the Virtualization Extensions, absent here: UNDEFINED */
  u32 r;
  check("mrs banked: undef", try_call(mrs_banked, 0, &r), EXC_UND);
  check("mrs banked: lr", last_fault.pc, (u32)at_mrs_banked + 4);
  check("msr banked: undef", try_call(msr_banked, 0, &r), EXC_UND);
  check("msr banked: lr", last_fault.pc, (u32)at_msr_banked + 4);

  check("user sp via ldm^/stm^", user_bank(0x4ffff000), 0x4ffff000);
  clear_rec();
  write_vbar((u32)alt_vectors);
  isb();
  check("user fn result", run_user_ldm(user_fn), 0x77);
  write_vbar((u32)vectors);
  isb();
  printf("user cpsr: %03x after cps: %03x after msr: %03x after svc: %03x\n", user_out[0] & 0x1ff, user_out[1] & 0x1ff,
         user_out[2] & 0x1ff, user_out[3] & 0x1ff);
  if ((user_out[0] & 0x1f) != MODE_USR || (user_out[1] & 0x1ff) != (user_out[0] & 0x1ff) ||
      (user_out[2] & 0x1ff) != (user_out[0] & 0x1ff) || (user_out[3] & 0x1f) != MODE_USR)
    unexpected("user mode cpsr");
  check("last svc from user: imm", rec.imm, 0x100);
  check("last svc from user: spsr.mode", rec.spsr & 0x1f, MODE_USR);
  check("cpsr back in svc", read_cpsr() & 0x1f, MODE_SVC);
}

int main(void) {
  printf("exceptions: cpsr.mode=%02x I=%u F=%u A=%u\n", read_cpsr() & 0x1f, (read_cpsr() >> 7) & 1, (read_cpsr() >> 6) & 1, (read_cpsr() >> 8) & 1);
  test_svc_undef();
  test_aborts();
  test_banks();
  return 0;
}
