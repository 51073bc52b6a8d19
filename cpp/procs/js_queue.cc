#include "procs/js_queue.h"

namespace cohort {

void JsQueue::setNotifier(Notifier n) {
  std::lock_guard<std::mutex> lock(mutex_);
  notifier_ = std::move(n);
}

void JsQueue::post(JsWorkItem item) {
  Notifier notify;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    items_.push_back(std::move(item));
    if (notified_) return;
    notified_ = true;
    notify = notifier_;
  }
  if (notify) notify();
}

std::vector<JsWorkItem> JsQueue::takeAll() {
  std::vector<JsWorkItem> out;
  std::lock_guard<std::mutex> lock(mutex_);
  out.swap(items_);
  notified_ = false;
  return out;
}

bool JsQueue::empty() {
  std::lock_guard<std::mutex> lock(mutex_);
  return items_.empty();
}

}  // namespace cohort
