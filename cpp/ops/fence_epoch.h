// What an execution fence waits for: every operation issued in its context
// since the previous fence, with or without region requirements. Each
// operation joins the context's current epoch when it is issued and
// arrives when it completes; a fence seals the epoch (its own count is the
// last) and the epoch's event fires once all of its operations completed.
// Two atomic updates per operation, no allocation.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

#include "events/event.h"

namespace cohort {

class FenceEpoch {
 public:
  void join() { pending_.fetch_add(1, std::memory_order_relaxed); }
  void arrive() {
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) done_.trigger();
  }
  const Event& done() const { return done_; }

 private:
  std::atomic<int64_t> pending_{1};  // 1: not sealed yet
  Event done_ = Event::create();
};

using FenceEpochPtr = std::shared_ptr<FenceEpoch>;

}  // namespace cohort
