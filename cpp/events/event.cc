#include "events/event.h"

#include <cassert>

namespace cohort {

FailurePtr EventImpl::failure() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failure_;
}

void EventImpl::trigger() { fire(kTriggered, nullptr); }

void EventImpl::poison(FailurePtr failure) { fire(kPoisoned, std::move(failure)); }

void EventImpl::fire(State s, FailurePtr failure) {
  std::array<std::shared_ptr<EventWaiter>, 4> first;
  uint8_t firstCount;
  std::vector<std::shared_ptr<EventWaiter>> more;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    assert(state_.load(std::memory_order_relaxed) == kPending && "event fired twice");
    failure_ = std::move(failure);
    first.swap(inlineWaiters_);
    firstCount = inlineCount_;
    inlineCount_ = 0;
    more.swap(moreWaiters_);
    state_.store(s, std::memory_order_release);
  }
  FailurePtr f = (s == kPoisoned) ? failure_ : nullptr;
  for (uint8_t i = 0; i < firstCount; ++i) first[i]->eventFired(f);
  for (auto& w : more) w->eventFired(f);
}

bool EventImpl::addWaiter(std::shared_ptr<EventWaiter> w) {
  if (hasFired()) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  if (state_.load(std::memory_order_relaxed) != kPending) return false;
  if (inlineCount_ < inlineWaiters_.size())
    inlineWaiters_[inlineCount_++] = std::move(w);
  else
    moreWaiters_.push_back(std::move(w));
  return true;
}

Event Event::poisoned(FailurePtr failure) {
  Event e = create();
  e.poison(std::move(failure));
  return e;
}

void Event::subscribe(std::shared_ptr<EventWaiter> w) const {
  if (!impl_) {
    w->eventFired(nullptr);
    return;
  }
  if (!impl_->addWaiter(w)) w->eventFired(impl_->failure());
}

namespace {

// Counts down the inputs of a merge; the last one fires the merged event
// (poisoned with the first failure seen, unless the merge only waits).
class MergeWaiter final : public EventWaiter {
 public:
  MergeWaiter(Event out, size_t count, bool passFailures)
      : out_(std::move(out)), remaining_(count), passFailures_(passFailures) {}
  void eventFired(const FailurePtr& failure) override {
    if (failure && passFailures_) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!firstFailure_) firstFailure_ = failure;
    }
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    FailurePtr f;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      f = firstFailure_;
    }
    if (f)
      out_.poison(f);
    else
      out_.trigger();
  }

 private:
  Event out_;
  std::atomic<size_t> remaining_;
  bool passFailures_;
  std::mutex mutex_;
  FailurePtr firstFailure_;
};

}  // namespace

Event Event::merge(const std::vector<Event>& inputs) {
  // No list of the pending ones (that would be an allocation per merge):
  // count them, then subscribe every input that exists. One that fired in
  // between is counted down at once by subscribe, so the count still holds.
  size_t existing = 0;
  size_t pending = 0;
  const Event* last = nullptr;
  for (const Event& e : inputs) {
    if (!e.exists()) continue;
    ++existing;
    if (e.hasFired()) {
      if (e.isPoisoned()) return e;  // already failed: nothing to wait for
      continue;
    }
    ++pending;
    last = &e;
  }
  if (pending == 0) return Event();
  if (pending == 1) return *last;
  Event out = create();
  auto waiter = makePooled<MergeWaiter>(out, existing, true);
  for (const Event& e : inputs)
    if (e.exists()) e.subscribe(waiter);
  return out;
}

Event Event::settled(const std::vector<Event>& inputs) {
  size_t existing = 0;
  bool pending = false;
  for (const Event& e : inputs) {
    if (!e.exists()) continue;
    ++existing;
    pending = pending || !e.hasFired();
  }
  if (!pending) return Event();
  Event out = create();
  auto waiter = makePooled<MergeWaiter>(out, existing, false);
  for (const Event& e : inputs)
    if (e.exists()) e.subscribe(waiter);
  return out;
}

}  // namespace cohort
