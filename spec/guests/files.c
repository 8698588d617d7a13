/* Files and directories: mkdtemp, open/write/read, lseek, pread/pwrite, fstat, rename, readdir,
   dup2, pipes, unlink and rmdir, all inside a fresh folder (its random name is never printed). */
/* 64-bit offsets: 32-bit readdir fails with EOVERFLOW on hosts whose file systems hand out 64-bit
   directory offsets (ext4 hashes), under qemu-arm as under armvisor. */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  char dir[] = "armvisor-files-XXXXXX";
  if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
  if (chdir(dir) != 0) { perror("chdir"); return 1; }

  int fd = open("data.bin", O_CREAT | O_RDWR | O_TRUNC, 0640);
  char buf[8192];
  for (int i = 0; i < (int)sizeof buf; i++) buf[i] = (char)(i * 7 + 3);
  ssize_t w = write(fd, buf, sizeof buf);
  off_t end = lseek(fd, 0, SEEK_END);
  off_t mid = lseek(fd, 1000, SEEK_SET);
  char small[16];
  ssize_t r = read(fd, small, sizeof small);
  printf("write %zd end %ld mid %ld read %zd byte %d\n", w, (long)end, (long)mid, r, small[5]);
  pwrite(fd, "HELLO", 5, 4096);
  memset(small, 0, sizeof small);
  pread(fd, small, 8, 4094);
  printf("pread \"%.8s\" (bytes %d %d)\n", small + 2, small[0], small[1]);
  struct stat st;
  fstat(fd, &st);
  printf("size %ld regular %d mode %o\n", (long)st.st_size, S_ISREG(st.st_mode), st.st_mode & 0777);
  ftruncate(fd, 100);
  fstat(fd, &st);
  printf("truncated to %ld\n", (long)st.st_size);
  close(fd);

  FILE *f = fopen("text.txt", "w");
  for (int i = 0; i < 500; i++) fprintf(f, "line %d: %x\n", i, i * i);
  fclose(f);
  f = fopen("text.txt", "r");
  char line[64];
  int lines = 0;
  unsigned sum = 0;
  while (fgets(line, sizeof line, f)) { lines++; sum = sum * 3 + (unsigned)strlen(line); }
  printf("read %d lines, sum %u, eof %d\n", lines, sum, feof(f));
  fclose(f);

  rename("text.txt", "renamed.txt");
  mkdir("sub", 0755);
  close(open("sub/empty", O_CREAT | O_WRONLY, 0600));
  symlink("renamed.txt", "link");
  char target[64] = {0};
  readlink("link", target, sizeof target - 1);
  printf("readlink %s; lstat is link %d\n", target, lstat("link", &st) == 0 && S_ISLNK(st.st_mode));

  DIR *d = opendir(".");
  char *names[16];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 16) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof names[0], cmp);
  printf("dir:");
  for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
  printf("\n");

  errno = 0;
  int bad = open("no/such/file", O_RDONLY);
  printf("open missing: %d errno %s\n", bad, strerror(errno));
  errno = 0;
  printf("rmdir non-empty: %d errno %s\n", rmdir("sub"), strerror(errno));

  int p[2];
  pipe(p);
  write(p[1], "through a pipe", 14);
  close(p[1]);
  memset(line, 0, sizeof line);
  read(p[0], line, sizeof line - 1);
  close(p[0]);
  printf("pipe: %s\n", line);

  fflush(stdout);
  int saved = dup(1);
  int out = open("captured", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  dup2(out, 1);
  printf("this goes to a file\n");
  fflush(stdout);
  dup2(saved, 1);
  close(out);
  close(saved);
  stat("captured", &st);
  printf("captured %ld bytes\n", (long)st.st_size);

  unlink("sub/empty");
  rmdir("sub");
  unlink("link");
  unlink("renamed.txt");
  unlink("data.bin");
  unlink("captured");
  chdir("..");
  printf("cleanup %s\n", rmdir(dir) == 0 ? "ok" : strerror(errno));
  return 0;
}
