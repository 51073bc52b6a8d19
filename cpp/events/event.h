// Events: the runtime's only synchronisation primitive between operations.
// An event starts pending and fires once, either triggered (success) or
// poisoned (with the Failure that caused it). Waiters registered before the
// event fires are called exactly once, on the thread that fires it; a waiter
// added after it fired is told so by addWaiter's return value and must act
// itself (no reentrancy surprises for the caller).
// A remote trigger (a message from another rank) will call trigger() from
// the transport thread; nothing here assumes the JS thread or a worker.
#pragma once
#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "util/block_pool.h"
#include "util/failure.h"

namespace cohort {

class EventWaiter {
 public:
  virtual ~EventWaiter() = default;
  // failure is null when the event was triggered, set when it was poisoned.
  virtual void eventFired(const FailurePtr& failure) = 0;
};

class EventImpl {
 public:
  enum State : uint8_t { kPending = 0, kTriggered = 1, kPoisoned = 2 };

  bool hasFired() const { return state_.load(std::memory_order_acquire) != kPending; }
  bool isPoisoned() const { return state_.load(std::memory_order_acquire) == kPoisoned; }
  // Valid once hasFired(); null for a triggered event.
  FailurePtr failure() const;

  void trigger();
  void poison(FailurePtr failure);

  // Registers w to be called when the event fires. Returns false (and does
  // not register) if it already fired.
  bool addWaiter(std::shared_ptr<EventWaiter> w);

 private:
  void fire(State s, FailurePtr failure);

  std::atomic<uint8_t> state_{kPending};
  mutable std::mutex mutex_;
  FailurePtr failure_;
  // Most events have a few waiters (a point's completion: the next step's
  // points that overlap it, the launch's merge, a watcher): keep those
  // inline, so firing an event on a worker frees no memory the issuing
  // thread allocated.
  std::array<std::shared_ptr<EventWaiter>, 4> inlineWaiters_;
  uint8_t inlineCount_ = 0;
  std::vector<std::shared_ptr<EventWaiter>> moreWaiters_;
};

// A value handle to an event. The default-constructed Event is NO_EVENT:
// it has always triggered.
class Event {
 public:
  Event() = default;
  static Event create() { return Event(makePooled<EventImpl>()); }
  static Event poisoned(FailurePtr failure);

  bool exists() const { return impl_ != nullptr; }
  bool hasFired() const { return !impl_ || impl_->hasFired(); }
  bool isPoisoned() const { return impl_ && impl_->isPoisoned(); }
  FailurePtr failure() const { return impl_ ? impl_->failure() : nullptr; }

  void trigger() const { impl_->trigger(); }
  void poison(FailurePtr f) const { impl_->poison(std::move(f)); }

  // Calls w now (on this thread) if the event already fired, else later.
  void subscribe(std::shared_ptr<EventWaiter> w) const;
  bool addWaiter(std::shared_ptr<EventWaiter> w) const { return impl_ && impl_->addWaiter(std::move(w)); }

  // An event that fires when all inputs have fired; poisoned with the first
  // failure seen if any input was poisoned.
  static Event merge(const std::vector<Event>& inputs);
  // An event that fires, never poisoned, once all inputs have fired,
  // failed or not.
  static Event settled(const std::vector<Event>& inputs);

  bool operator==(const Event& o) const { return impl_ == o.impl_; }

 private:
  explicit Event(std::shared_ptr<EventImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<EventImpl> impl_;
};

// Adapts any callable to an EventWaiter (for cold paths; hot paths implement
// EventWaiter directly to avoid the extra allocation).
template <typename F>
class CallbackWaiter final : public EventWaiter {
 public:
  explicit CallbackWaiter(F f) : f_(std::move(f)) {}
  void eventFired(const FailurePtr& failure) override { f_(failure); }

 private:
  F f_;
};

template <typename F>
std::shared_ptr<EventWaiter> makeWaiter(F f) {
  return makePooled<CallbackWaiter<F>>(std::move(f));
}

}  // namespace cohort
