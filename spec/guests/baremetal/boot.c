/* The first bring-up step: the ELF starts at its entry in SVC mode with A, I and F masked
   (the reset state), the vectors are in place, the PL011 prints, PSCI reports its version and
   SYSTEM_OFF ends the run (after DONE). Also checks the console formatting the other tests use. */
#include "lib.h"

int main(void) {
  u32 cpsr = read_cpsr();
  printf("boot: mode=%02x A=%u I=%u F=%u T=%u\n", cpsr & 0x1f, (cpsr >> 8) & 1, (cpsr >> 7) & 1, (cpsr >> 6) & 1, (cpsr >> 5) & 1);
  check("cpsr mode svc, A I F masked, ARM state", cpsr & 0x1ff, 0x1d3);
  extern char vectors[];
  check("vbar", read_vbar(), (u32)vectors);
  check("psci version (1.x)", psci_call(PSCI_VERSION, 0, 0, 0) >> 16, 1);
  printf("printf: [%x] [%08x] [%X] [%u] [%d] [%5d] [%s] [%c] [%llx] [%%]\n", 0xabcu, 0x1234u, 0xbeefu, 4000000000u, -42, 7, "str", 'z',
         0x123456789abcdef0ull);
  return 0;
}
