/* clock.c: the monotonic clock increases, its resolution is sane, the
 * realtime clock is after 2020; invalid clock ids give EINVAL. */
#include <stdio.h>
#include <time.h>
#include <wasi/api.h>
int main(void) {
  struct timespec a, b;
  if (clock_gettime(CLOCK_MONOTONIC, &a) != 0) return 1;
  volatile unsigned long x = 0;
  for (unsigned long i = 0; i < 2000000; i++) x += i;
  if (clock_gettime(CLOCK_MONOTONIC, &b) != 0) return 1;
  long long da = (long long)a.tv_sec * 1000000000LL + a.tv_nsec;
  long long db = (long long)b.tv_sec * 1000000000LL + b.tv_nsec;
  printf("monotonic increases: %s\n", db > da ? "yes" : "no");
  __wasi_timestamp_t res = 0;
  __wasi_errno_t e = __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res);
  printf("res ok: %s\n", e == 0 && res > 0 && res <= 1000000 ? "yes" : "no");
  printf("realtime after 2020: %s\n", time(NULL) > 1577836800 ? "yes" : "no");
  __wasi_timestamp_t t;
  printf("bad clock id: %d\n", __wasi_clock_time_get(99, 0, &t));
  return 0;
}
