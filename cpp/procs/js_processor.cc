#include "procs/js_processor.h"

namespace cohort {

void JsProcessor::setNotifier(Notifier n) {
  std::lock_guard<std::mutex> lock(inboxMutex_);
  notifier_ = std::move(n);
}

void JsProcessor::post(Item item) {
  Notifier notify;
  {
    std::lock_guard<std::mutex> lock(inboxMutex_);
    inbox_.push_back(std::move(item));
    if (notified_) return;
    notified_ = true;
    notify = notifier_;
  }
  if (notify) notify();  // outside the lock: it may call back into post
}

void JsProcessor::enqueue(ProcessorTaskPtr task, int, int) { post(Item{std::move(task), 0, false}); }
void JsProcessor::postWatch(uint64_t watchId) { post(Item{nullptr, watchId, false}); }
void JsProcessor::wake() { post(Item{}); }

bool JsProcessor::inboxEmpty() {
  std::lock_guard<std::mutex> lock(inboxMutex_);
  return inbox_.empty();
}

JsProcessor::Batch JsProcessor::takeReady() {
  std::vector<Item> items;
  {
    std::lock_guard<std::mutex> lock(inboxMutex_);
    items.swap(inbox_);
    notified_ = false;
  }
  Batch out;
  bool notice = false;
  for (auto& item : items) {
    if (item.task) {
      uint64_t generation = lockGeneration_.load(std::memory_order_acquire);
      if (!item.task->tryAcquireLocks()) {
        park(std::move(item.task), generation);
        continue;
      }
      item.task->markRunning(id_);
      running_.emplace(item.task->taskId(), item.task);
      out.tasks.push_back(std::move(item.task));
    } else if (item.watchId != 0) {
      out.watches.push_back(item.watchId);
    } else {
      notice = notice || item.notice;
    }
  }
  if (notice) {
    // Notices can be stale (posted before the wait began): decide on the
    // count now, and re-arm while it is still above the mark.
    out.idle = outstanding() == 0;
    if (windowMark_ >= 0 && !armWindow(static_cast<uint64_t>(windowMark_))) {
      out.windowOpen = true;
      windowMark_ = -1;
    }
  }
  return out;
}

ProcessorTask* JsProcessor::running(uint64_t id) const {
  auto it = running_.find(id);
  return it == running_.end() ? nullptr : it->second.get();
}

ProcessorTaskPtr JsProcessor::end(uint64_t id) {
  auto it = running_.find(id);
  if (it == running_.end()) return nullptr;
  ProcessorTaskPtr task = std::move(it->second);
  running_.erase(it);
  return task;
}

void JsProcessor::park(ProcessorTaskPtr task, uint64_t generationSeen) {
  std::lock_guard<std::mutex> lock(parkMutex_);
  if (lockGeneration_.load(std::memory_order_acquire) != generationSeen) {
    post(Item{std::move(task), 0, false});  // released meanwhile: retry now
    return;
  }
  parked_.push_back(std::move(task));
}

void JsProcessor::locksReleased() {
  std::vector<ProcessorTaskPtr> ready;
  {
    std::lock_guard<std::mutex> lock(parkMutex_);
    lockGeneration_.fetch_add(1, std::memory_order_acq_rel);
    ready.swap(parked_);
  }
  for (auto& task : ready) post(Item{std::move(task), 0, false});
}

void JsProcessor::operationCompleted() {
  uint64_t now = outstanding_.fetch_sub(1, std::memory_order_seq_cst) - 1;
  if (now == 0) {
    lowWater_.store(-1, std::memory_order_seq_cst);
    post(Item{nullptr, 0, true});
    return;
  }
  // Exactly one completion claims the mark (the one that reaches it).
  int64_t mark = static_cast<int64_t>(now);
  if (lowWater_.load(std::memory_order_seq_cst) == mark &&
      lowWater_.compare_exchange_strong(mark, -1, std::memory_order_seq_cst))
    post(Item{nullptr, 0, true});
}

bool JsProcessor::armWindow(uint64_t mark) {
  // Kept until a batch reports windowOpen (even when this call finds the
  // window open): an earlier throttle() may still wait for that report.
  windowMark_ = static_cast<int64_t>(mark);
  lowWater_.store(static_cast<int64_t>(mark), std::memory_order_seq_cst);
  if (outstanding_.load(std::memory_order_seq_cst) > mark) return true;
  // Already there: disarm, unless a completion claimed the mark meanwhile,
  // in which case its notice is on the way and the caller must wait for it
  // (or it would release a later waiter too early).
  int64_t expected = static_cast<int64_t>(mark);
  return !lowWater_.compare_exchange_strong(expected, -1, std::memory_order_seq_cst);
}

}  // namespace cohort
