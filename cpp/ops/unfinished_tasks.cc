#include "ops/unfinished_tasks.h"

#include "ops/task_op.h"

namespace cohort {

UnfinishedTasks::~UnfinishedTasks() {
  // Iteratively: releasing one task must not recurse into the next.
  while (head_) {
    TaskOp* op = head_;
    head_ = op->unfinishedHook().next;
    UnfinishedTasks::Hook& h = op->unfinishedHook();
    h.prev = h.next = nullptr;
    std::shared_ptr<TaskOp> last = std::move(h.self);
  }
  tail_ = nullptr;
}

void UnfinishedTasks::add(const std::shared_ptr<TaskOp>& op) {
  Hook& h = op->unfinishedHook();
  if (h.self) return;
  h.self = op;
  h.prev = tail_;
  h.next = nullptr;
  if (tail_)
    tail_->unfinishedHook().next = op.get();
  else
    head_ = op.get();
  tail_ = op.get();
}

void UnfinishedTasks::remove(TaskOp& op) {
  Hook& h = op.unfinishedHook();
  if (!h.self) return;
  if (h.prev)
    h.prev->unfinishedHook().next = h.next;
  else
    head_ = h.next;
  if (h.next)
    h.next->unfinishedHook().prev = h.prev;
  else
    tail_ = h.prev;
  h.prev = h.next = nullptr;
  std::shared_ptr<TaskOp> last = std::move(h.self);  // may destroy op: touch nothing after
}

}  // namespace cohort
