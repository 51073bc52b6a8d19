#include "util/fatal_signals.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

namespace cohort {

namespace {

// initial-exec: reading it in a signal handler is one load relative to the
// thread pointer (the default model for shared objects may call
// __tls_get_addr, which can allocate on a thread that never touched it).
__attribute__((tls_model("initial-exec"))) thread_local const RunningTask* tlsRunning = nullptr;

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr const char* kSignalNames[] = {"SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT"};
constexpr int kSignalCount = sizeof kSignals / sizeof kSignals[0];
// What each signal did before: written once by installFatalSignalHandlers
// (by the kernel, before our handler can run), read by the handler.
struct sigaction previousActions[kSignalCount];

int indexOf(int sig) {
  for (int i = 0; i < kSignalCount; ++i)
    if (kSignals[i] == sig) return i;
  return -1;
}

// One line built in a fixed buffer and written with write(2): nothing here
// allocates or takes a lock.
class SignalSafeLine {
 public:
  void add(const char* s) {
    while (s && *s) put(*s++);
  }
  void add(uint64_t v) {
    char digits[20];
    int k = 0;
    do {
      digits[k++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (k > 0) put(digits[--k]);
  }
  void writeTo(int fd) const {
    size_t off = 0;
    while (off < n_) {
      ssize_t w = write(fd, buf_ + off, n_ - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return;
      off += static_cast<size_t>(w);
    }
  }

 private:
  void put(char c) {
    if (n_ < sizeof buf_ - 1) buf_[n_++] = c;
  }
  char buf_[1024];
  size_t n_ = 0;
};

// The signal is not ours to report: do what was there before.
void passOn(int i, int sig, siginfo_t* info, void* context) {
  const struct sigaction& prev = previousActions[i];
  if (prev.sa_flags & SA_SIGINFO) {
    if (prev.sa_sigaction) prev.sa_sigaction(sig, info, context);
  } else if (prev.sa_handler == SIG_DFL) {
    sigaction(sig, &prev, nullptr);
    raise(sig);  // delivered (and fatal) once this handler returns
  } else if (prev.sa_handler != SIG_IGN && prev.sa_handler) {
    prev.sa_handler(sig);
  }
}

void onFatalSignal(int sig, siginfo_t* info, void* context) {
  const int savedErrno = errno;
  const int i = indexOf(sig);
  const RunningTask* task = tlsRunning;
  if (i < 0) return;
  if (!task) {
    passOn(i, sig, info, context);
    errno = savedErrno;
    return;
  }
  SignalSafeLine line;
  line.add("cohort: fatal signal ");
  line.add(kSignalNames[i]);
  line.add(" in C++ task '");
  line.add(task->name);
  line.add("' (op #");
  if (task->context) {
    line.add(task->context);
    line.add(".");
  }
  line.add(task->op);
  line.add(") on worker ");
  line.add(static_cast<uint64_t>(task->worker));
  line.add("\n");
  line.writeTo(STDERR_FILENO);
  // Put back what was there before and raise again: the signal is blocked
  // while this handler runs, so it is delivered to the previous disposition
  // (in the end the default: the process dies of it) when we return.
  sigaction(sig, &previousActions[i], nullptr);
  raise(sig);
  errno = savedErrno;
}

}  // namespace

RunningTaskScope::RunningTaskScope(const RunningTask& task) : task_(task), previous_(tlsRunning) {
  tlsRunning = &task_;
  std::atomic_signal_fence(std::memory_order_seq_cst);
}

RunningTaskScope::~RunningTaskScope() {
  std::atomic_signal_fence(std::memory_order_seq_cst);
  tlsRunning = previous_;
}

void installFatalSignalHandlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int i = 0; i < kSignalCount; ++i) {
      struct sigaction sa;
      std::memset(&sa, 0, sizeof sa);
      sa.sa_sigaction = &onFatalSignal;
      sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
      sigemptyset(&sa.sa_mask);
      sigaction(kSignals[i], &sa, &previousActions[i]);
    }
  });
}

AltSignalStack::AltSignalStack() {
  size_ = std::max<size_t>(256 * 1024, static_cast<size_t>(SIGSTKSZ));
  void* m = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return;  // no alternate stack: overflows die unreported
  memory_ = m;
  stack_t ss{};
  ss.ss_sp = m;
  ss.ss_size = size_;
  installed_ = sigaltstack(&ss, &previous_) == 0;
}

AltSignalStack::~AltSignalStack() {
  if (installed_) sigaltstack(&previous_, nullptr);  // SS_DISABLE when there was none
  if (memory_) munmap(memory_, size_);
}

}  // namespace cohort
