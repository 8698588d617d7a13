/* Generic timer and GICv2: CNTFRQ, the counters, CNTV and CNTP by TVAL and CVAL raising PPIs 27
   and 30 through the GIC (acknowledge, active state, EOI), SGIs to self, priority order of two
   pending interrupts, the priority mask, spurious IAR, a group 0 interrupt as FIQ, and WFI woken
   by the timer with IRQs masked and unmasked. Only event order and architectural state are
   printed, never counter values. */
#include "gic.h"

struct irq_rec { u32 iar, rpr, hppir, active, fiq, from; };
static volatile struct irq_rec log[16];
static volatile u32 nlog;

static void record(u32 iar, u32 fiq, u32 from) {
  u32 id = iar & 0x3ff;
  if (nlog < 16) {
    log[nlog].iar = iar;
    log[nlog].rpr = mmio_read(GICC_RPR);
    log[nlog].hppir = mmio_read(GICC_HPPIR);
    log[nlog].active = id < 1020 ? gic_active(id) : 0;
    log[nlog].fiq = fiq;
    log[nlog].from = from;
  }
  nlog++;
  if (id == PPI_CNTV) write_cntv_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK); /* the line drops */
  if (id == PPI_CNTP) write_cntp_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
  if (id < 1020) mmio_write(GICC_EOIR, iar);
}

static int on_irq(struct frame *f) {
  record(mmio_read(GICC_IAR), 0, f->spsr & 0x1f);
  return 1;
}

static int on_fiq(struct frame *f) {
  record(mmio_read(GICC_IAR), 1, f->spsr & 0x1f);
  return 1;
}

/* Unmask IRQs for a moment: any pending enabled interrupt above the priority mask is taken. */
static void window(void) {
  __asm__ volatile("cpsie i\n\tisb\n\tnop\n\tnop\n\tcpsid i" ::: "memory");
}

static volatile u32 log_from_user;

/* User mode: spins until the interrupt handler has run, then leaves */
static void user_spin(void) {
  while (nlog == 0) {
  }
  log_from_user = log[0].from;
  user_exit(0x55);
}

static void show(const char *what, u32 want_n, const u32 *want_ids) {
  printf("%s: %u taken", what, nlog);
  for (u32 i = 0; i < nlog && i < 16; i++)
    printf("%s iar=%u rpr=%02x hppir=%u active=%u from=%02x%s", i ? "," : "", log[i].iar, log[i].rpr, log[i].hppir, log[i].active, log[i].from,
           log[i].fiq ? " fiq" : "");
  printf("\n");
  int ok = nlog == want_n;
  for (u32 i = 0; ok && i < want_n; i++) ok = (log[i].iar & 0x3ff) == want_ids[i] && log[i].active == 1;
  if (!ok) unexpected(what);
  for (u32 i = 0; i < want_n && i < nlog; i++)
    if (gic_active(log[i].iar & 0x3ff)) unexpected("still active after EOI");
  nlog = 0;
}

static void wait_istatus(u32 (*ctl)(void)) {
  for (u32 i = 0; i < 100000000u; i++)
    if (ctl() & CNT_CTL_ISTATUS) return;
  unexpected("timer never fired");
}

int main(void) {
  set_handler(EXC_IRQ, on_irq);
  set_handler(EXC_FIQ, on_fiq);
  check("cntfrq", read_cntfrq(), 62500000);
  u64 p0 = read_cntpct(), v0 = read_cntvct(), p1 = read_cntpct();
  check("cntvct within two cntpct reads (CNTVOFF 0)", p0 <= v0 && v0 <= p1, 1);
  check("cntpct monotonic", read_cntpct() >= p1, 1);

  u32 typer = mmio_read(GICD_TYPER);
  printf("gicd_typer: itlines=%u cpus=%u securityextn=%u\n", typer & 0x1f, ((typer >> 5) & 7) + 1, (typer >> 10) & 1);
  mmio_write(GICD_CTLR, 1);
  mmio_write(GICC_PMR, 0xff);
  printf("gicc_pmr implemented bits: %02x\n", mmio_read(GICC_PMR));
  mmio_write(GICC_BPR, 0);
  mmio_write(GICC_CTLR, 1);
  check("gicc_iar with nothing pending", mmio_read(GICC_IAR), GIC_SPURIOUS);
  u32 cfg = mmio_read(GICD_ICFGR(1));
  printf("ppi config (icfgr1) timer bits: v=%u p=%u\n", (cfg >> (2 * (PPI_CNTV - 16) + 1)) & 1, (cfg >> (2 * (PPI_CNTP - 16) + 1)) & 1);
  for (u32 id = 0; id < 32; id++) gic_set_priority(id, 0xa0);
  gic_enable(PPI_CNTV);
  gic_enable(PPI_CNTP);

  /* virtual timer by TVAL */
  write_cntv_tval(1000);
  write_cntv_ctl(CNT_CTL_ENABLE);
  wait_istatus(read_cntv_ctl);
  check("cntv pending in the gic", gic_pending(PPI_CNTV), 1);
  check("cntv tval after firing is negative or zero", read_cntv_tval() <= 0, 1);
  static const u32 v[] = { PPI_CNTV }, p[] = { PPI_CNTP };
  window();
  show("cntv tval", 1, v);
  check("cntv not pending after mask", gic_pending(PPI_CNTV), 0);

  /* physical timer by CVAL */
  write_cntp_cval(read_cntpct() + 200);
  write_cntp_ctl(CNT_CTL_ENABLE);
  wait_istatus(read_cntp_ctl);
  window();
  show("cntp cval", 1, p);

  /* IMASK: the timer condition holds, the interrupt is not asserted */
  write_cntv_cval(0);
  write_cntv_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
  check("masked cntv istatus", (read_cntv_ctl() & CNT_CTL_ISTATUS) != 0, 1);
  check("masked cntv not pending", gic_pending(PPI_CNTV), 0);
  window();
  show("masked cntv", 0, 0);

  /* two at once: the higher priority (lower value) first */
  static const u32 pv[] = { PPI_CNTP, PPI_CNTV }, vp[] = { PPI_CNTV, PPI_CNTP };
  gic_set_priority(PPI_CNTV, 0x80);
  gic_set_priority(PPI_CNTP, 0x40);
  write_cntv_cval(0);
  write_cntp_cval(0);
  write_cntv_ctl(CNT_CTL_ENABLE);
  write_cntp_ctl(CNT_CTL_ENABLE);
  check("both pending", gic_pending(PPI_CNTV) && gic_pending(PPI_CNTP), 1);
  check("hppir: cntp", mmio_read(GICC_HPPIR), PPI_CNTP);
  window();
  show("cntp 0x40 before cntv 0x80", 2, pv);
  gic_set_priority(PPI_CNTV, 0x20);
  write_cntv_ctl(CNT_CTL_ENABLE);
  write_cntp_ctl(CNT_CTL_ENABLE);
  window();
  show("cntv 0x20 before cntp 0x40", 2, vp);
  write_cntv_ctl(0);
  write_cntp_ctl(0);

  /* SGIs to self */
  static const u32 s73[] = { 7, 3 }, s3[] = { 3 };
  gic_enable(3);
  gic_enable(7);
  gic_set_priority(3, 0x80);
  gic_set_priority(7, 0x40);
  gic_sgi_self(3);
  gic_sgi_self(7);
  check("sgi 3 pending", gic_pending(3), 1);
  window();
  show("sgi 7 (0x40) before sgi 3 (0x80)", 2, s73);

  /* priority mask: 0x80 is not above a mask of 0x80 */
  mmio_write(GICC_PMR, 0x80);
  gic_sgi_self(3);
  window();
  show("sgi 3 masked by pmr 0x80", 0, 0);
  check("sgi 3 still pending", gic_pending(3), 1);
  mmio_write(GICC_PMR, 0xff);
  window();
  show("sgi 3 after pmr 0xff", 1, s3);

  /* WFI with IRQs masked: woken by the pending interrupt, which is taken once unmasked */
  write_cntv_tval(6250); /* 100 us */
  write_cntv_ctl(CNT_CTL_ENABLE);
  while (!(read_cntv_ctl() & CNT_CTL_ISTATUS) || !gic_pending(PPI_CNTV)) {
    wfi();
  }
  check("wfi (irq masked) returned with cntv pending", gic_pending(PPI_CNTV), 1);
  window();
  show("cntv after wfi", 1, v);

  /* WFI with IRQs unmasked: the handler runs, then WFI's successor */
  write_cntp_tval(6250);
  write_cntp_ctl(CNT_CTL_ENABLE);
  irq_enable();
  wait_wfi(&nlog);
  irq_disable();
  show("cntp wakes wfi", 1, p);
  write_cntv_ctl(0);
  write_cntp_ctl(0);

  /* an IRQ taken from User mode, and the return to it */
  write_cntv_tval(6250);
  write_cntv_ctl(CNT_CTL_ENABLE);
  check("user loop result", run_user(user_spin, 1), 0x55);
  show("cntv taken in user mode", 1, v);
  check("irq came from user mode", log_from_user, MODE_USR);
  write_cntv_ctl(0);

  /* group 0 as FIQ: SGI 5 in group 0 and the rest in group 1, GICC_CTLR.FIQEn */
  static const u32 s5[] = { 5 };
  mmio_write(GICD_IGROUPR(0), ~(1u << 5));
  check("igroupr0 readback", mmio_read(GICD_IGROUPR(0)), ~(1u << 5));
  mmio_write(GICD_CTLR, 3);
  mmio_write(GICC_CTLR, 1 | 2 | 8);
  gic_enable(5);
  gic_set_priority(5, 0x10);
  gic_sgi_self(5);
  __asm__ volatile("cpsie f\n\tisb\n\tnop\n\tnop\n\tcpsid f" ::: "memory");
  show("sgi 5 as fiq", 1, s5);
  return 0;
}
