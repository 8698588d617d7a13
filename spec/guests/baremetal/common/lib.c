/* Console output, checks, PSCI and the few C library routines the tests use. */
#include "lib.h"
#include <stdarg.h>

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)

void putc_uart(char c) {
  while (mmio_read(UART0_BASE + UART_FR) & UART_FR_TXFF) {
  }
  mmio_write(UART0_BASE + UART_DR, (u32)(unsigned char)c);
}

void puts_uart(const char *s) {
  while (*s) putc_uart(*s++);
}

static void put_num(u64 v, unsigned base, int width, char pad, int upper) {
  char buf[24];
  int n = 0;
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    /* no division helper in a freestanding link: only division by a constant, which GCC turns
       into a multiplication, on 32-bit halves */
    if (base == 16) {
      buf[n++] = digits[v & 15];
      v >>= 4;
    } else {
      u32 x = (u32)v; /* decimals are printed for 32-bit values only */
      buf[n++] = digits[x % 10];
      v = x / 10;
    }
  } while (v);
  while (n < width) buf[n++] = pad;
  while (n) putc_uart(buf[--n]);
}

void printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      putc_uart(*fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0, longlong = 0;
    if (*fmt == '0') pad = '0';
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') longlong++, fmt++;
    switch (*fmt) {
    case 's': puts_uart(va_arg(ap, const char *)); break;
    case 'c': putc_uart((char)va_arg(ap, int)); break;
    case 'd': {
      s32 v = va_arg(ap, s32);
      if (v < 0) putc_uart('-'), v = -v;
      put_num((u32)v, 10, width, pad, 0);
      break;
    }
    case 'u': put_num(va_arg(ap, u32), 10, width, pad, 0); break;
    case 'x':
    case 'X': put_num(longlong >= 2 ? va_arg(ap, u64) : va_arg(ap, u32), 16, width, pad, *fmt == 'X'); break;
    case '%': putc_uart('%'); break;
    default: putc_uart('?'); break;
    }
  }
  va_end(ap);
}

int check(const char *what, u32 got, u32 want) {
  printf("%s: %08x\n", what, got);
  if (got != want) printf("UNEXPECTED %s: got %08x, want %08x\n", what, got, want);
  return got == want;
}

void unexpected(const char *what) { printf("UNEXPECTED %s\n", what); }

void *memset(void *d, int c, unsigned n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}

void *memcpy(void *d, const void *s, unsigned n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n--) *p++ = *q++;
  return d;
}

u32 psci_call(u32 fn, u32 a1, u32 a2, u32 a3) {
  register u32 r0 __asm__("r0") = fn;
  register u32 r1 __asm__("r1") = a1;
  register u32 r2 __asm__("r2") = a2;
  register u32 r3 __asm__("r3") = a3;
  __asm__ volatile("hvc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) :: "memory");
  return r0;
}

void finish(void) {
  puts_uart("DONE\n");
  /* let the UART drain: wait until it is no longer busy */
  while (mmio_read(UART0_BASE + UART_FR) & (1u << 3)) {
  }
  psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
  puts_uart("UNEXPECTED PSCI SYSTEM_OFF returned\n");
  for (;;) wfi();
}
