/* Signals: handlers via sigaction, raise, blocking and pending signals, SA_SIGINFO, recovering
   from a SIGSEGV with siglongjmp, and (with an argument) death by SIGTERM's default action. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static volatile int info_signo, info_code;
static sigjmp_buf recover;
static volatile void *fault_addr;

static void on_usr(int sig) { got = got * 100 + sig; }

static void on_info(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  info_signo = sig;
  info_code = si->si_code;
}

static void on_segv(int sig, siginfo_t *si, void *uc) {
  (void)sig; (void)uc;
  fault_addr = si->si_addr;
  siglongjmp(recover, 1);
}

int main(int argc, char **argv) {
  (void)argv;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr;
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR1);
  printf("after raise: %d\n", (int)got);

  sigset_t set, old, pend;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, &old);
  raise(SIGUSR2);
  sigpending(&pend);
  printf("blocked: got %d, pending %d\n", (int)got, sigismember(&pend, SIGUSR2));
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("unblocked: got %d\n", (int)got);

  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_info;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  kill(getpid(), SIGUSR1);
  printf("siginfo: signo %d code %s\n", info_signo, info_code == SI_USER ? "SI_USER" : info_code == SI_TKILL ? "SI_TKILL" : "other");

  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  for (int i = 0; i < 3; i++) {
    if (sigsetjmp(recover, 1) == 0) {
      volatile int *p = (volatile int *)(0x10 + 0x100 * i);
      *p = i;
      printf("no fault?\n");
    } else {
      printf("recovered from SIGSEGV at %p\n", (void *)fault_addr);
    }
  }

  signal(SIGUSR1, SIG_IGN);
  raise(SIGUSR1);
  printf("ignored SIGUSR1\n");
  if (argc > 1) {
    printf("raising SIGTERM\n");
    fflush(stdout);
    raise(SIGTERM);
    printf("still here?\n");
  }
  return 0;
}
