// What a task operation needs from the runtime around it, and nothing more:
// a processor to run on, the exclusion locks, the checking-mode switch, and
// the accounting of its end (retire it to the issuing thread, count it
// completed). The runtime implements it; an executor or a test may
// implement it instead. Keeping TaskOp to this face is what lets ops sit
// below runtime: task_op.cc includes no runtime header.
#pragma once
#include <cstdint>
#include <memory>

#include "ops/exclusion_locks.h"
#include "procs/processor.h"

namespace cohort {

class TaskOp;
using OpId = uint64_t;

class TaskServices {
 public:
  // Queues a ready task on a processor of `kind`; `local` >= 0 pins it to
  // that member (a worker). A CPU task reports cpuTaskEnded() as its last act.
  virtual void dispatch(ProcessorTaskPtr task, ProcessorKind kind, int local, int priority) = 0;
  virtual void cpuTaskEnded() = 0;
  // Hands a ready task placed on another rank to the transport; its reply
  // finishes it (TaskOp::finishRemote).
  virtual void dispatchRemote(std::shared_ptr<TaskOp> task) = 0;
  // A ready local task reads region data other ranks hold: fetches it,
  // then lets the task go on (TaskOp::regionsFetched).
  virtual void fetchRegions(std::shared_ptr<TaskOp> task) = 0;

  virtual ExclusionLocks& exclusionLocks() = 0;
  // A task released exclusion locks: tasks waiting for them may try again.
  virtual void locksReleased() = 0;
  // Checking mode: tasks see private copies of their fields.
  virtual bool checksEnabled() const = 0;

  // The op finished: it is handed back to the issuing thread to be
  // destroyed there, and (if counted) no longer outstanding.
  virtual void retire(std::shared_ptr<TaskOp> op) = 0;
  virtual void operationCompleted(OpId id) = 0;

 protected:
  ~TaskServices() = default;  // not owned through this face
};

}  // namespace cohort
