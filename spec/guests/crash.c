/* A guest crash: a store through a null pointer after some output. Killed by SIGSEGV (139). */
#include <stdio.h>

int main(int argc, char **argv) {
  (void)argv;
  printf("about to dereference NULL\n");
  fflush(stdout);
  volatile int *p = (volatile int *)(long)(argc - 1); /* NULL when run without arguments */
  *p = 42;
  printf("still alive?\n");
  return 0;
}
