/* setjmp/longjmp: out of deep recursion, out of a qsort comparator, with locals that survive. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

static jmp_buf env;
static int depth_reached;

static int recurse(int depth, int limit) {
  volatile char pad[64];
  pad[depth & 63] = (char)depth;
  depth_reached = depth;
  if (depth > 100000) return 0;
  if (depth == limit) longjmp(env, depth * 10 + pad[depth & 63] % 7);
  return recurse(depth + 1, limit) + 1;
}

static jmp_buf cmp_env;
static int compares;
static int cmp(const void *a, const void *b) {
  if (++compares == 50) longjmp(cmp_env, 1);
  return *(const int *)a - *(const int *)b;
}

int main(void) {
  for (int limit = 1; limit <= 400; limit *= 3) {
    volatile int tries = 0;
    int r = setjmp(env);
    tries++;
    if (r == 0) recurse(0, limit);
    else printf("limit %d: longjmp returned %d after depth %d (tries %d)\n", limit, r, depth_reached, tries);
  }
  int v[200];
  for (int i = 0; i < 200; i++) v[i] = (i * 7919) % 211;
  if (setjmp(cmp_env) == 0) {
    qsort(v, 200, sizeof v[0], cmp);
    printf("qsort finished?\n");
  } else {
    printf("escaped qsort after %d compares\n", compares);
  }
  /* floating-point callee-saved registers (d8-d15) must be restored too */
  volatile double d = 1.5;
  double e = d * 3;
  if (setjmp(env) == 0) {
    double f = e * 2;
    printf("before: %g %g\n", e, f);
    longjmp(env, 0); /* longjmp with 0 makes setjmp return 1 */
  }
  printf("after: %g\n", e);
  return 0;
}
