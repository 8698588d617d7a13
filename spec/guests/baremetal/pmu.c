/* The performance monitors (ARM ARM C12, B4.1.116 ff.) as QEMU's cortex-a15 presents them:
   PMCR (N event counters), the set/clear pairs PMCNTENSET/CLR and PMINTENSET/CLR (one bit per
   implemented counter and C), PMOVSR write-one-to-clear, PMSELR and the selected counter's
   PMXEVTYPER/PMXEVCNTR, PMCEID0/1, PMSWINC counting SW_INCR (event 0) on enabled counters,
   overflow into PMOVSR, PMCR.P and PMCR.C resets, the cycle counter and a CPU_CYCLES counter
   running only while enabled, and PL0 access by PMUSERENR.EN. Counter values that depend on
   timing are printed only as comparisons. */
#include "lib.h"

CP15_RW(pmcr, 0, c9, c12, 0)
CP15_RW(pmcntenset, 0, c9, c12, 1)
CP15_RW(pmcntenclr, 0, c9, c12, 2)
CP15_RW(pmovsr, 0, c9, c12, 3)
CP15_WRITE(pmswinc, 0, c9, c12, 4)
CP15_RW(pmselr, 0, c9, c12, 5)
CP15_READ(pmceid0, 0, c9, c12, 6)
CP15_READ(pmceid1, 0, c9, c12, 7)
CP15_RW(pmccntr, 0, c9, c13, 0)
CP15_RW(pmxevtyper, 0, c9, c13, 1)
CP15_RW(pmxevcntr, 0, c9, c13, 2)
CP15_RW(pmuserenr, 0, c9, c14, 0)
CP15_RW(pmintenset, 0, c9, c14, 1)
CP15_RW(pmintenclr, 0, c9, c14, 2)

#define PMCR_E (1u << 0)
#define PMCR_P (1u << 1)
#define PMCR_C (1u << 2)
#define CCNT (1u << 31)

static void show(const char *name, u32 v) { printf("%s %08x\n", name, v); }

static u32 evcnt(u32 n) { write_pmselr(n); isb(); return read_pmxevcntr(); }
static void set_evcnt(u32 n, u32 v) { write_pmselr(n); isb(); write_pmxevcntr(v); }
static void set_evtype(u32 n, u32 v) { write_pmselr(n); isb(); write_pmxevtyper(v); }

static u32 get_pmceid0(u32 unused) { (void)unused; return read_pmceid0(); }
static u32 get_pmceid1(u32 unused) { (void)unused; return read_pmceid1(); }

/* A register that may be UNDEFINED on this CPU: its value or "undef". */
static void show_access(const char *name, u32 (*get)(u32)) {
  u32 v = 0;
  if (try_call(get, 0, &v) == 0) show(name, v);
  else printf("%s %s\n", name, exc_name(last_fault.kind));
}

static void burn(void) {
  for (volatile u32 i = 0; i < 2000; i++) {}
}

static volatile u32 user_undefs;
static int count_user_undef(struct frame *f) {
  if ((f->spsr & 0x1f) != MODE_USR) return 0;
  user_undefs++;
  return 1; /* resume after the MRC/MCR */
}

static void user_probe(void) {
  u32 pmcr = read_pmcr();
  write_pmswinc(1);
  user_exit(pmcr);
}

int main(void) {
  u32 pmcr = read_pmcr();
  show("PMCR at reset", pmcr);
  u32 n = (pmcr >> 11) & 0x1f;
  u32 all = CCNT | ((1u << n) - 1);

  /* the set/clear pairs hold one bit per implemented counter and C */
  write_pmcntenset(~0u);
  show("PMCNTENSET after setting all", read_pmcntenset());
  show("PMCNTENCLR reads the same", read_pmcntenclr());
  write_pmcntenclr(~0u);
  show("PMCNTENSET after clearing all", read_pmcntenset());
  write_pmintenset(~0u);
  show("PMINTENSET after setting all", read_pmintenset());
  show("PMINTENCLR reads the same", read_pmintenclr());
  write_pmintenclr(~0u);
  show("PMINTENSET after clearing all", read_pmintenset());
  show("PMOVSR at reset", read_pmovsr());
  show_access("PMCEID0", get_pmceid0);
  show_access("PMCEID1", get_pmceid1);
  show("PMUSERENR at reset", read_pmuserenr());

  /* PMCR: writable control bits, N and the ID fields read-only */
  write_pmcr(~0u & ~(PMCR_P | PMCR_C));
  show("PMCR after writing ones", read_pmcr());
  write_pmcr(0);
  show("PMCR after writing zero", read_pmcr());

  /* PMSELR and each counter's type and count */
  write_pmselr(~0u);
  show("PMSELR after writing ones", read_pmselr());
  for (u32 i = 0; i < n; i++) {
    set_evtype(i, ~0u);
    printf("counter %u: PMXEVTYPER after writing ones %08x\n", i, (write_pmselr(i), isb(), read_pmxevtyper()));
    set_evtype(i, 0);
    set_evcnt(i, 0x1000 * (i + 1) + i);
  }
  for (u32 i = 0; i < n; i++) printf("counter %u: PMXEVCNTR %08x\n", i, evcnt(i));
  write_pmselr(31);
  isb();
  write_pmxevtyper(~0u);
  show("PMSELR 31: PMXEVTYPER (the cycle counter's filter) after writing ones", read_pmxevtyper());
  write_pmxevtyper(0);
  if (n < 31) {
    /* a counter that is not implemented: RAZ/WI (QEMU's choice for this UNPREDICTABLE case) */
    write_pmselr(n);
    isb();
    write_pmxevtyper(0x11);
    write_pmxevcntr(5);
    show("unimplemented counter: PMXEVTYPER", read_pmxevtyper());
    show("unimplemented counter: PMXEVCNTR", read_pmxevcntr());
  }

  /* PMSWINC counts on enabled counters counting SW_INCR, only while PMCR.E is set */
  for (u32 i = 0; i < n; i++) set_evcnt(i, 0);
  write_pmcntenset(0x3);
  write_pmswinc(0x7);
  show("PMSWINC with PMCR.E clear: counter 0", evcnt(0));
  write_pmcr(PMCR_E);
  isb();
  write_pmswinc(0x7);
  write_pmswinc(0x1);
  show("PMSWINC: counter 0 (enabled, two increments)", evcnt(0));
  show("PMSWINC: counter 1 (enabled, one increment)", evcnt(1));
  show("PMSWINC: counter 2 (not enabled)", evcnt(2));
  write_pmcntenclr(0x2);
  set_evtype(1, 0x11); /* counter 1 counts CPU_CYCLES now (disabled): no software increments */
  set_evcnt(1, 0);
  write_pmswinc(0x2);
  show("PMSWINC on a counter not counting SW_INCR", evcnt(1));

  /* overflow: the counter wraps to 0 and sets its PMOVSR bit, cleared by writing one */
  set_evcnt(0, 0xffffffff);
  write_pmswinc(0x1);
  show("counter 0 after wrapping", evcnt(0));
  show("PMOVSR after the wrap", read_pmovsr());
  write_pmovsr(0x1);
  show("PMOVSR after clearing", read_pmovsr());

  /* PMCR.P resets the event counters (not the cycle counter) */
  set_evcnt(0, 0x55);
  set_evcnt(2, 0x66);
  write_pmcr(PMCR_E | PMCR_P);
  isb();
  show("counter 0 after PMCR.P", evcnt(0));
  show("counter 2 after PMCR.P", evcnt(2));
  show("PMCR after PMCR.P (P reads 0)", read_pmcr());

  /* the cycle counter and a CPU_CYCLES event counter run only while enabled */
  write_pmcr(PMCR_E | PMCR_C);
  write_pmcntenset(CCNT | 0x2);
  isb();
  u32 c0 = read_pmccntr(), e0 = evcnt(1);
  burn();
  u32 c1 = read_pmccntr(), e1 = evcnt(1);
  check("PMCCNTR advances while enabled", c1 > c0, 1);
  check("CPU_CYCLES counter advances while enabled", e1 > e0, 1);
  write_pmcntenclr(CCNT | 0x2);
  isb();
  c0 = read_pmccntr();
  e0 = evcnt(1);
  burn();
  check("PMCCNTR holds when disabled", read_pmccntr() == c0, 1);
  check("CPU_CYCLES counter holds when disabled", evcnt(1) == e0, 1);
  write_pmccntr(0x1234);
  show("PMCCNTR written while disabled", read_pmccntr());
  write_pmcr(PMCR_E | PMCR_C);
  isb();
  show("PMCCNTR after PMCR.C while disabled", read_pmccntr());
  write_pmcntenset(CCNT);
  write_pmcr(0);
  isb();
  c0 = read_pmccntr();
  burn();
  check("PMCCNTR holds while PMCR.E is clear", read_pmccntr() == c0, 1);
  write_pmcntenclr(all);

  /* PL0: UNDEFINED unless PMUSERENR.EN */
  set_handler(EXC_UND, count_user_undef);
  user_undefs = 0;
  run_user(user_probe, 0);
  show("PL0 accesses with PMUSERENR.EN clear: undefined", user_undefs);
  write_pmuserenr(~0u);
  show("PMUSERENR after writing ones", read_pmuserenr());
  user_undefs = 0;
  show("PL0 reads PMCR with PMUSERENR.EN set", run_user(user_probe, 0));
  show("PL0 accesses with PMUSERENR.EN set: undefined", user_undefs);
  write_pmuserenr(0);
  set_handler(EXC_UND, 0);

  check("PMCR.N (event counters)", n, 6);
  return 0;
}
