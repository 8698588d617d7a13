/* Shared declarations of the bare-metal tests: console output, checks, exceptions, CP15, the
   board's addresses (QEMU `virt`: PL011 0x09000000, GICv2 0x08000000/0x08010000, RAM 0x40000000). */
#ifndef BAREMETAL_LIB_H
#define BAREMETAL_LIB_H

typedef unsigned int u32;
typedef unsigned long long u64;
typedef int s32;

#define UART0_BASE 0x09000000u
#define GICD_BASE 0x08000000u
#define GICC_BASE 0x08010000u
#define RAM_BASE 0x40000000u

#define MODE_USR 0x10
#define MODE_FIQ 0x11
#define MODE_IRQ 0x12
#define MODE_SVC 0x13
#define MODE_ABT 0x17
#define MODE_UND 0x1b
#define MODE_SYS 0x1f

static inline u32 mmio_read(u32 addr) { return *(volatile u32 *)addr; }
static inline void mmio_write(u32 addr, u32 v) { *(volatile u32 *)addr = v; }

/* Console: a polled PL011. */
void putc_uart(char c);
void puts_uart(const char *s);
/* printf subset: %s %c %d %u %x %X and a width/zero flag (%08x); %llx for 64-bit values. */
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "what: got"; on a mismatch also "UNEXPECTED what: got X, want Y". Returns got == want. */
int check(const char *what, u32 got, u32 want);
/* Prints "UNEXPECTED what" (an outcome the test did not expect). */
void unexpected(const char *what);

void *memset(void *d, int c, unsigned n);
void *memcpy(void *d, const void *s, unsigned n);

/* PSCI through the conduit QEMU's virt DTB declares for a CPU without EL2/EL3: HVC. */
u32 psci_call(u32 fn, u32 a1, u32 a2, u32 a3);
#define PSCI_VERSION 0x84000000u
#define PSCI_SYSTEM_OFF 0x84000008u
/* Prints DONE and powers the board off; never returns. */
void finish(void) __attribute__((noreturn));

/* Exceptions taken through the default vectors (start.S). frame->pc is the preferred return
   address (for UNDEF and SVC: the next instruction) and is where RFE resumes. */
enum exc_kind { EXC_RESET, EXC_UND, EXC_SVC, EXC_PABT, EXC_DABT, EXC_HYP, EXC_IRQ, EXC_FIQ, EXC_COUNT };
struct frame { u32 r[13]; u32 pc; u32 spsr; };
/* A handler returns 1 when it dealt with the exception; 0 reports it as UNEXPECTED and ends. */
typedef int (*exc_handler)(struct frame *f);
void set_handler(enum exc_kind kind, exc_handler h);
const char *exc_name(enum exc_kind kind);
/* Prints mode, return address, SPSR and the fault registers of the current exception. */
void exc_report(enum exc_kind kind, const struct frame *f);

/* Runs fn(arg) and reports whether it completed (0) or an abort/undef ended it (the kind):
   the default handlers resume after the call when `expect_fault` is armed. The fault status and
   address are left in last_fault. */
struct fault { u32 kind, fsr, far, pc, spsr; };
extern volatile struct fault last_fault;
u32 try_call(u32 (*fn)(u32), u32 arg, u32 *result);

/* Runs fn(arg) through try_call and prints "what: ok VALUE" or "what: KIND fsr=FSR far=FAR"
   (the fault status through dfsr_arch/ifsr_arch); UNEXPECTED unless the outcome is the wanted
   one: want_kind 0 and the value `want`, or that exception kind with fault status `want` and
   fault address arg. */
void probe(const char *what, u32 (*fn)(u32), u32 arg, u32 want_kind, u32 want);

/* Sleep in WFI (WFE) until *flag is non-zero; an interrupt arriving just before the WFI (WFE)
   ends the wait too, so waiting with interrupts unmasked loses no wake-up (wait.S). */
void wait_wfi(volatile u32 *flag);
void wait_wfe(volatile u32 *flag);

/* Runs fn in User mode (IRQs unmasked when irqs_on) until it calls user_exit(result); returns
   the result, back in the caller's mode with its CPSR. */
u32 run_user(void (*fn)(void), u32 irqs_on);
static inline void __attribute__((noreturn)) user_exit(u32 result) {
  register u32 r0 __asm__("r0") = result;
  __asm__ volatile("svc #0xff" :: "r"(r0) : "memory");
  __builtin_unreachable();
}

/* Architecturally meaningful parts of a fault status (see the ARM ARM B4.1.52, B4.1.96):
   the Domain field only where Table B3-23 says it is valid; bits the architecture leaves
   UNKNOWN or IMPLEMENTATION DEFINED masked. */
u32 dfsr_arch(u32 dfsr);
u32 ifsr_arch(u32 ifsr);

/* CP15 accessors. */
#define CP15_READ(name, op1, crn, crm, op2) \
  static inline u32 read_##name(void) { u32 v; __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v)); return v; }
#define CP15_WRITE(name, op1, crn, crm, op2) \
  static inline void write_##name(u32 v) { __asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 :: "r"(v) : "memory"); }
#define CP15_RW(name, op1, crn, crm, op2) CP15_READ(name, op1, crn, crm, op2) CP15_WRITE(name, op1, crn, crm, op2)
CP15_RW(sctlr, 0, c1, c0, 0)
CP15_RW(cpacr, 0, c1, c0, 2)
CP15_RW(ttbr0, 0, c2, c0, 0)
CP15_RW(ttbr1, 0, c2, c0, 1)
CP15_RW(ttbcr, 0, c2, c0, 2)
CP15_RW(dacr, 0, c3, c0, 0)
CP15_RW(dfsr, 0, c5, c0, 0)
CP15_RW(ifsr, 0, c5, c0, 1)
CP15_RW(dfar, 0, c6, c0, 0)
CP15_RW(ifar, 0, c6, c0, 2)
CP15_RW(par, 0, c7, c4, 0)
CP15_RW(prrr, 0, c10, c2, 0)
CP15_RW(nmrr, 0, c10, c2, 1)
CP15_RW(mair0, 0, c10, c2, 0)
CP15_RW(mair1, 0, c10, c2, 1)
CP15_RW(vbar, 0, c12, c0, 0)
CP15_RW(contextidr, 0, c13, c0, 1)
CP15_WRITE(ats1cpr, 0, c7, c8, 0)
CP15_WRITE(ats1cpw, 0, c7, c8, 1)
CP15_WRITE(ats1cur, 0, c7, c8, 2)
CP15_WRITE(ats1cuw, 0, c7, c8, 3)
CP15_WRITE(tlbiall, 0, c8, c7, 0)
CP15_WRITE(tlbimva, 0, c8, c7, 1)
CP15_WRITE(tlbiasid, 0, c8, c7, 2)
CP15_WRITE(tlbimvaa, 0, c8, c7, 3)
CP15_WRITE(tlbiallis, 0, c8, c3, 0)
CP15_WRITE(tlbimvais, 0, c8, c3, 1)
CP15_WRITE(iciallu, 0, c7, c5, 0)
CP15_WRITE(icimvau, 0, c7, c5, 1)
CP15_WRITE(bpiall, 0, c7, c5, 6)
CP15_WRITE(dccmvac, 0, c7, c10, 1)
CP15_WRITE(dccmvau, 0, c7, c11, 1)
CP15_WRITE(dccimvac, 0, c7, c14, 1)

#define SCTLR_M (1u << 0)
#define SCTLR_A (1u << 1)
#define SCTLR_C (1u << 2)
#define SCTLR_Z (1u << 11)
#define SCTLR_I (1u << 12)
#define SCTLR_V (1u << 13)
#define SCTLR_TRE (1u << 28)
#define SCTLR_AFE (1u << 29)

static inline void dsb(void) { __asm__ volatile("dsb" ::: "memory"); }
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline u32 read_cpsr(void) { u32 v; __asm__ volatile("mrs %0, cpsr" : "=r"(v)); return v; }
static inline void irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("dsb\n\twfi" ::: "memory"); }
static inline u64 read_par64(void) { u32 lo, hi; __asm__ volatile("mrrc p15, 0, %0, %1, c7" : "=r"(lo), "=r"(hi)); return ((u64)hi << 32) | lo; }
static inline void write_ttbr0_64(u64 v) { __asm__ volatile("mcrr p15, 0, %0, %1, c2" :: "r"((u32)v), "r"((u32)(v >> 32)) : "memory"); }
static inline void write_ttbr1_64(u64 v) { __asm__ volatile("mcrr p15, 1, %0, %1, c2" :: "r"((u32)v), "r"((u32)(v >> 32)) : "memory"); }

/* Loads and stores that fault are called through try_call, so each is a function. */
u32 ld32(u32 addr);      /* LDR */
u32 ldt32(u32 addr);     /* LDRT: the access is checked as if from PL0 */
u32 st32(u32 addr);      /* STR of store_value; returns 0 */
u32 stt32(u32 addr);     /* STRT of store_value; returns 0 */
extern volatile u32 store_value;
u32 call_at(u32 addr);   /* BLX to addr; returns r0 */
u32 call_at_n(u32 addr, u32 arg); /* BLX to addr with r0 = arg; returns r0 */

#endif
