/* argv, the environment and a few auxv entries, as the loader set them up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char **environ;

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  printf("argc %d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d] = \"%s\" (%zu)\n", i, argv[i], strlen(argv[i]));
  printf("argv[argc] is %s\n", argv[argc] ? "not NULL" : "NULL");
  /* sorted: the order of the environment is the host's (qemu-arm happens to reverse it) */
  const char *ours[64];
  int n = 0;
  for (char **e = environ; *e && n < 64; e++)
    if (strncmp(*e, "GUEST_", 6) == 0) ours[n++] = *e;
  qsort(ours, n, sizeof ours[0], cmp);
  for (int i = 0; i < n; i++) printf("env %s\n", ours[i]);
  printf("env GUEST_ONE via getenv = %s\n", getenv("GUEST_ONE") ? getenv("GUEST_ONE") : "(unset)");
  printf("AT_PAGESZ %lu\n", getauxval(AT_PAGESZ));
  const char *plat = (const char *)getauxval(AT_PLATFORM);
  printf("AT_PLATFORM %s\n", plat ? plat : "(none)");
  const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
  printf("AT_RANDOM present %d\n", rnd != NULL);
  printf("uid==euid %d, argv aligned %d\n", getuid() == geteuid(), ((unsigned long)argv & 3) == 0);
  return 0;
}
