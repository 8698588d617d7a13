/* Strings and stdio: sprintf/snprintf, strtol/strtoul/strtod, qsort of strings, str* and mem*. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *words[] = {
  "pear", "apple", "fig", "banana", "cherry", "date", "elderberry", "grape", "kiwi", "lemon",
  "mango", "nectarine", "orange", "papaya", "quince", "raspberry", "strawberry", "tangerine",
  "ugli", "vanilla", "watermelon", "xigua", "yam", "zucchini", "Apple", "BANANA", "apricot",
};

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int cmp_case(const void *a, const void *b) { return strcasecmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  size_t n = sizeof words / sizeof words[0];
  const char *v[sizeof words / sizeof words[0]];
  memcpy(v, words, sizeof v);
  qsort(v, n, sizeof v[0], cmp_str);
  for (size_t i = 0; i < n; i++) printf("%s%c", v[i], i + 1 < n ? ' ' : '\n');
  qsort(v, n, sizeof v[0], cmp_case);
  for (size_t i = 0; i < n; i++) printf("%s%c", v[i], i + 1 < n ? ' ' : '\n');

  const char *nums[] = {"12345", "-0x7fffffff", "0777", "  +42xyz", "99999999999", "-2147483649", "0b101", "z", ""};
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
    char *end;
    long a = strtol(nums[i], &end, 0);
    unsigned long b = strtoul(nums[i], NULL, 16);
    long long c = strtoll(nums[i], NULL, 10);
    printf("strtol(\"%s\") = %ld rest \"%s\"; hex %lu; ll %lld\n", nums[i], a, end, b, c);
  }
  const char *fl[] = {"3.14159", "-1e-10", "6.02214076e23", "0x1.8p3", "inf", "nan", "1e400", "2.5e-320"};
  for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++) {
    double d = strtod(fl[i], NULL);
    float f = strtof(fl[i], NULL);
    printf("strtod(\"%s\") = %.17g / %e / %a; strtof %.9g\n", fl[i], d, d, d, (double)f);
  }

  char buf[256];
  int len = snprintf(buf, sizeof buf, "[%5d|%-5d|%05d|%x|%X|%o|%c|%10.3s|%p|%%|%+.3e|%llu]", 42, -42, 42,
                     0xdeadbeef, 0xcafe, 8, 'Q', "truncate", (void *)0x1234, -12345.678, 18446744073709551615ull);
  printf("%s (%d)\n", buf, len);
  volatile size_t small = 10;
  len = snprintf(buf, small, "%s", "this is too long");
  printf("%s (%d)\n", buf, len);

  char text[512];
  strcpy(text, "The Quick Brown Fox, jumps over the lazy dog; 12 times!");
  strcat(text, " And again.");
  size_t upper = 0, digits = 0;
  for (char *p = text; *p; p++) { upper += isupper((unsigned char)*p) != 0; digits += isdigit((unsigned char)*p) != 0; *p = (char)tolower((unsigned char)*p); }
  printf("%s | len %zu upper %zu digits %zu\n", text, strlen(text), upper, digits);
  printf("strstr %s | strchr %s | strrchr %s | strspn %zu | strcspn %zu\n", strstr(text, "over"), strchr(text, ','),
         strrchr(text, ' '), strspn(text, "the qu"), strcspn(text, ";"));
  char *save, *tok, copy[512];
  strcpy(copy, text);
  int ntok = 0;
  for (tok = strtok_r(copy, " ,;!.", &save); tok; tok = strtok_r(NULL, " ,;!.", &save)) ntok++;
  printf("tokens %d\n", ntok);

  /* mem* at every alignment */
  unsigned char src[300], dst[300];
  unsigned sum = 0;
  for (int i = 0; i < 300; i++) src[i] = (unsigned char)(i * 13 + 7);
  for (int a = 0; a < 8; a++)
    for (int b = 0; b < 8; b++)
      for (int l = 0; l < 200; l += 13) {
        memset(dst, 0, sizeof dst);
        memcpy(dst + a, src + b, (size_t)l);
        memmove(dst + a + 1, dst + a, (size_t)l);
        sum = sum * 3 + dst[a + l / 2] + (unsigned)memcmp(dst + a + 1, src + b, (size_t)l) + (unsigned)(memchr(dst, 7, 300) != NULL);
      }
  printf("mem checksum %u\n", sum);
  return 0;
}
