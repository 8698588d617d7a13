/* GICv2 distributor and CPU interface registers (ARM IHI 0048B, 4.1.2 and 4.1.3) and the generic
   timer's CP15 registers (ARM ARM B8, B4.1.21-B4.1.34). */
#ifndef BAREMETAL_GIC_H
#define BAREMETAL_GIC_H
#include "lib.h"

#define GICD_CTLR (GICD_BASE + 0x000)
#define GICD_TYPER (GICD_BASE + 0x004)
#define GICD_IGROUPR(n) (GICD_BASE + 0x080 + 4 * (n))
#define GICD_ISENABLER(n) (GICD_BASE + 0x100 + 4 * (n))
#define GICD_ICENABLER(n) (GICD_BASE + 0x180 + 4 * (n))
#define GICD_ISPENDR(n) (GICD_BASE + 0x200 + 4 * (n))
#define GICD_ICPENDR(n) (GICD_BASE + 0x280 + 4 * (n))
#define GICD_ISACTIVER(n) (GICD_BASE + 0x300 + 4 * (n))
#define GICD_IPRIORITYR(id) (GICD_BASE + 0x400 + (id))
#define GICD_ICFGR(n) (GICD_BASE + 0xc00 + 4 * (n))
#define GICD_SGIR (GICD_BASE + 0xf00)
#define GICC_CTLR (GICC_BASE + 0x00)
#define GICC_PMR (GICC_BASE + 0x04)
#define GICC_BPR (GICC_BASE + 0x08)
#define GICC_IAR (GICC_BASE + 0x0c)
#define GICC_EOIR (GICC_BASE + 0x10)
#define GICC_RPR (GICC_BASE + 0x14)
#define GICC_HPPIR (GICC_BASE + 0x18)

#define PPI_CNTHP 26
#define PPI_CNTV 27
#define PPI_CNTPS 29
#define PPI_CNTP 30
#define GIC_SPURIOUS 1023

static inline void gic_set_priority(u32 id, u32 prio) { *(volatile unsigned char *)GICD_IPRIORITYR(id) = (unsigned char)prio; }
static inline void gic_enable(u32 id) { mmio_write(GICD_ISENABLER(id / 32), 1u << (id % 32)); }
static inline void gic_disable(u32 id) { mmio_write(GICD_ICENABLER(id / 32), 1u << (id % 32)); }
static inline u32 gic_pending(u32 id) { return (mmio_read(GICD_ISPENDR(id / 32)) >> (id % 32)) & 1; }
static inline u32 gic_active(u32 id) { return (mmio_read(GICD_ISACTIVER(id / 32)) >> (id % 32)) & 1; }
/* SGI to this CPU only (TargetListFilter 0b10) */
static inline void gic_sgi_self(u32 id) { mmio_write(GICD_SGIR, 2u << 24 | id); }

#define CNT_CTL_ENABLE 1u
#define CNT_CTL_IMASK 2u
#define CNT_CTL_ISTATUS 4u
static inline u32 read_cntfrq(void) { u32 v; __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(v)); return v; }
static inline u64 read_cntpct(void) { u32 lo, hi; __asm__ volatile("isb\n\tmrrc p15, 0, %0, %1, c14" : "=r"(lo), "=r"(hi)); return (u64)hi << 32 | lo; }
static inline u64 read_cntvct(void) { u32 lo, hi; __asm__ volatile("isb\n\tmrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi)); return (u64)hi << 32 | lo; }
static inline u32 read_cntp_ctl(void) { u32 v; __asm__ volatile("mrc p15, 0, %0, c14, c2, 1" : "=r"(v)); return v; }
static inline void write_cntp_ctl(u32 v) { __asm__ volatile("mcr p15, 0, %0, c14, c2, 1\n\tisb" :: "r"(v) : "memory"); }
static inline u32 read_cntv_ctl(void) { u32 v; __asm__ volatile("mrc p15, 0, %0, c14, c3, 1" : "=r"(v)); return v; }
static inline void write_cntv_ctl(u32 v) { __asm__ volatile("mcr p15, 0, %0, c14, c3, 1\n\tisb" :: "r"(v) : "memory"); }
static inline s32 read_cntp_tval(void) { s32 v; __asm__ volatile("mrc p15, 0, %0, c14, c2, 0" : "=r"(v)); return v; }
static inline void write_cntp_tval(u32 v) { __asm__ volatile("mcr p15, 0, %0, c14, c2, 0\n\tisb" :: "r"(v) : "memory"); }
static inline s32 read_cntv_tval(void) { s32 v; __asm__ volatile("mrc p15, 0, %0, c14, c3, 0" : "=r"(v)); return v; }
static inline void write_cntv_tval(u32 v) { __asm__ volatile("mcr p15, 0, %0, c14, c3, 0\n\tisb" :: "r"(v) : "memory"); }
static inline void write_cntv_cval(u64 v) { __asm__ volatile("mcrr p15, 3, %0, %1, c14\n\tisb" :: "r"((u32)v), "r"((u32)(v >> 32)) : "memory"); }
static inline u64 read_cntv_cval(void) { u32 lo, hi; __asm__ volatile("mrrc p15, 3, %0, %1, c14" : "=r"(lo), "=r"(hi)); return (u64)hi << 32 | lo; }
static inline void write_cntp_cval(u64 v) { __asm__ volatile("mcrr p15, 2, %0, %1, c14\n\tisb" :: "r"((u32)v), "r"((u32)(v >> 32)) : "memory"); }

#endif
