// The tasks started and not yet drained (Runtime::drainRetired), in start
// order: what the pending-task report (rt.pending(), the shutdown and
// SIGINT reports) walks. Issuing (JS) thread only. An intrusive list, so
// linking and unlinking allocate nothing on the launch path; a listed task
// is kept alive by the list, so the report never sees a destroyed one.
#pragma once
#include <memory>

namespace cohort {

class TaskOp;

class UnfinishedTasks {
 public:
  // The links a TaskOp carries for this list.
  struct Hook {
    TaskOp* prev = nullptr;
    TaskOp* next = nullptr;
    std::shared_ptr<TaskOp> self;  // set while listed
  };

  UnfinishedTasks() = default;
  ~UnfinishedTasks();  // releases what is still listed
  UnfinishedTasks(const UnfinishedTasks&) = delete;
  UnfinishedTasks& operator=(const UnfinishedTasks&) = delete;

  void add(const std::shared_ptr<TaskOp>& op);
  void remove(TaskOp& op);  // nothing if it is not listed

  template <typename F>
  void forEach(F&& f) const;

 private:
  TaskOp* head_ = nullptr;
  TaskOp* tail_ = nullptr;
};

}  // namespace cohort
