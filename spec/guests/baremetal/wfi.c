/* WFI and WFE wake-up (ARM ARM B1.8.13, B1.8.14): WFI returns at once when an interrupt is
   already pending (an SGI, a software-pended SPI), is woken by an interrupt the CPSR masks (IRQ
   and, with the timer in group 0 and GICC_CTLR.FIQEn, FIQ), is not woken by an interrupt the GIC
   priority mask holds back (only by the next one above it: one WFI, then both are taken in
   priority order), and works in User mode (the handler runs, then WFI's successor); SEV makes
   the next WFE return at once, and an unmasked interrupt ends a WFE. Only event order and
   counts of wake-ups are printed, never times. */
#include "gic.h"

#define SPI 40

static volatile u32 taken[8], ntaken, fiq_taken;

static void ack(u32 fiq) {
  u32 iar = mmio_read(GICC_IAR);
  u32 id = iar & 0x3ff;
  if (ntaken < 8) taken[ntaken] = id | (fiq ? 0x1000 : 0);
  ntaken++;
  if (id == PPI_CNTV) write_cntv_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK); /* the line drops */
  if (id == PPI_CNTP) write_cntp_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
  if (id < 1020) mmio_write(GICC_EOIR, iar);
}
static int on_irq(struct frame *f) { (void)f; ack(0); return 1; }
static int on_fiq(struct frame *f) { (void)f; ack(1); return 1; }

/* "what: N taken: id, id fiq, ..."; UNEXPECTED unless the ids are `want` (FIQs with 0x1000) */
static void show(const char *what, u32 n, const u32 *want) {
  printf("%s: %u taken", what, ntaken);
  for (u32 i = 0; i < ntaken && i < 8; i++) printf("%s %u%s", i ? "," : "", taken[i] & 0x3ff, taken[i] & 0x1000 ? " fiq" : "");
  printf("\n");
  int ok = ntaken == n;
  for (u32 i = 0; ok && i < n; i++) ok = taken[i] == want[i];
  if (!ok) unexpected(what);
  ntaken = 0;
}

static void window(void) {
  __asm__ volatile("cpsie if\n\tisb\n\tnop\n\tnop\n\tcpsid if" ::: "memory");
}

static inline void sev(void) { __asm__ volatile("sev" ::: "memory"); }
static inline void wfe(void) { __asm__ volatile("dsb\n\twfe" ::: "memory"); }

static void user_wfi(void) {
  wait_wfi(&ntaken);
  user_exit(ntaken);
}

int main(void) {
  set_handler(EXC_IRQ, on_irq);
  set_handler(EXC_FIQ, on_fiq);
  mmio_write(GICD_CTLR, 3);
  mmio_write(GICC_PMR, 0xff);
  mmio_write(GICC_BPR, 0);
  mmio_write(GICC_CTLR, 1);
  for (u32 id = 0; id < 64; id++) gic_set_priority(id, 0xa0);
  /* everything in group 0, signalled as IRQ while GICC_CTLR.FIQEn is clear */
  gic_enable(2);
  gic_enable(SPI);
  gic_enable(PPI_CNTV);
  gic_enable(PPI_CNTP);
  *(volatile unsigned char *)(GICD_BASE + 0x800 + SPI) = 1; /* GICD_ITARGETSR: CPU 0 */

  /* an interrupt already pending: WFI returns at once (IRQs masked) */
  gic_sgi_self(2);
  wfi();
  check("wfi with sgi 2 pending returned, sgi still pending", gic_pending(2), 1);
  window();
  static const u32 sgi2[] = { 2 };
  show("sgi 2 after wfi", 1, sgi2);

  mmio_write(GICD_ISPENDR(SPI / 32), 1u << (SPI % 32));
  wfi();
  check("wfi with spi 40 set pending returned, spi still pending", gic_pending(SPI), 1);
  window();
  static const u32 spi[] = { SPI };
  show("spi 40 after wfi", 1, spi);

  /* FIQ: the virtual timer alone in group 0, signalled as FIQ, wakes WFI with F (and I) masked */
  mmio_write(GICD_IGROUPR(0), ~(1u << PPI_CNTV));
  mmio_write(GICC_CTLR, 1 | 2 | 8); /* EnableGrp0, EnableGrp1, FIQEn */
  write_cntv_tval(6250); /* 100 us */
  write_cntv_ctl(CNT_CTL_ENABLE);
  u32 n = 0;
  do {
    wfi();
    n++;
  } while (!(read_cntv_ctl() & CNT_CTL_ISTATUS));
  check("wfi woken by the fiq: wake-ups", n, 1);
  window();
  static const u32 cntv_fiq[] = { PPI_CNTV | 0x1000 };
  show("cntv as fiq after wfi", 1, cntv_fiq);
  write_cntv_ctl(0);
  mmio_write(GICD_IGROUPR(0), 0);
  mmio_write(GICC_CTLR, 1);

  /* the priority mask holds the virtual timer back: WFI sleeps until the physical one */
  gic_set_priority(PPI_CNTV, 0xc0);
  gic_set_priority(PPI_CNTP, 0x40);
  mmio_write(GICC_PMR, 0x80);
  write_cntv_tval(3125);   /* 50 us */
  write_cntp_tval(62500);  /* 1 ms */
  write_cntv_ctl(CNT_CTL_ENABLE);
  write_cntp_ctl(CNT_CTL_ENABLE);
  n = 0;
  do {
    wfi();
    n++;
  } while (!(read_cntp_ctl() & CNT_CTL_ISTATUS));
  check("wfi under pmr 0x80 (cntv 0xc0 held back): wake-ups", n, 1);
  check("cntv pending in the distributor", gic_pending(PPI_CNTV), 1);
  check("hppir: cntp", mmio_read(GICC_HPPIR), PPI_CNTP);
  window();
  static const u32 cntp_only[] = { PPI_CNTP };
  show("under pmr 0x80", 1, cntp_only);
  mmio_write(GICC_PMR, 0xff);
  window();
  static const u32 cntv_only[] = { PPI_CNTV };
  show("after pmr 0xff", 1, cntv_only);
  write_cntv_ctl(0);
  write_cntp_ctl(0);

  /* WFI in User mode with IRQs unmasked */
  write_cntv_tval(6250);
  write_cntv_ctl(CNT_CTL_ENABLE);
  check("user-mode wfi loop result (interrupts taken)", run_user(user_wfi, 1), 1);
  show("user-mode wfi", 1, cntv_only);
  write_cntv_ctl(0);

  /* WFE: SEV sets the event register, so the next WFE returns at once; an unmasked IRQ ends a WFE */
  sev();
  wfe();
  printf("wfe after sev returned\n");
  write_cntp_tval(6250);
  write_cntp_ctl(CNT_CTL_ENABLE);
  irq_enable();
  wait_wfe(&ntaken);
  irq_disable();
  show("irq during wfe", 1, cntp_only);
  write_cntp_ctl(0);
  return 0;
}
