// The JS processor's inbox. Any thread may post work for the JS thread; the
// binding layer gives a notifier (a thread-safe function call) that is
// invoked once per batch: when the inbox goes from empty to non-empty. The
// JS thread takes the whole batch at once, so a burst of ready TS tasks
// costs one wake-up. Runtime threads never wait on JS.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "procs/runnable.h"

namespace cohort {

// One item for the JS thread. `runnable` is a TS task or a continuation
// that needs JS; `watchId` names a JS promise waiting on a future (0: none);
// `idle` says the runtime became idle (no operation outstanding);
// `window` says outstanding operations dropped to the armed low-water mark.
struct JsWorkItem {
  RunnablePtr runnable;
  uint64_t watchId = 0;
  bool idle = false;
  bool window = false;
};

class JsQueue {
 public:
  using Notifier = std::function<void()>;

  void setNotifier(Notifier n);
  void post(JsWorkItem item);
  // Takes everything posted so far (JS thread only).
  std::vector<JsWorkItem> takeAll();
  // True when nothing waits to be taken.
  bool empty();

 private:
  std::mutex mutex_;
  std::vector<JsWorkItem> items_;
  bool notified_ = false;  // a notification is in flight for this batch
  Notifier notifier_;
};

}  // namespace cohort
