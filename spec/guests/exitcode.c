/* Exit status: exit(N) with N from argv[1] (default 3), after some buffered output. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int code = argc > 1 ? atoi(argv[1]) : 3;
  printf("exiting with %d\n", code);
  if (code == 77) return 77; /* return from main, not exit() */
  exit(code);
}
