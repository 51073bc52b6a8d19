// The processors behind one interface: the CPU worker pool, the JS
// processor and, later, a remote processor are implementations of
// `Processor`. A processor is handed ready tasks (`enqueue`) and runs them;
// it knows nothing of operations, regions or futures, only the narrow face
// a queued task offers (`ProcessorTask`), so this layer stays below ops.
#pragma once
#include <cstdint>
#include <memory>

#include "procs/runnable.h"

namespace cohort {

enum class ProcessorKind : uint8_t { Cpu, Js };

// What a processor needs of a task it queues. The task's own run() (from
// Runnable) is the body for processors that run it on a thread of theirs
// (the CPU pool); the JS processor instead hands it to the JS thread.
class ProcessorTask : public Runnable {
 public:
  // The task's id (an op id): the JS processor's running table is keyed by it.
  virtual uint64_t taskId() const = 0;
  // Takes every exclusion lock the body needs without blocking; on false
  // none is held. A task that took them releases them when its body ends.
  virtual bool tryAcquireLocks() = 0;
  // The body starts now on processor `proc`.
  virtual void markRunning(ProcessorId proc) = 0;
};

using ProcessorTaskPtr = std::shared_ptr<ProcessorTask>;

class Processor {
 public:
  virtual ~Processor() = default;

  virtual ProcessorKind kind() const = 0;
  // The processor ids this one stands for: firstId() .. firstId() + size() - 1
  // (the pool: one per worker; the JS processor: one).
  virtual ProcessorId firstId() const = 0;
  virtual unsigned size() const = 0;

  // Queues a ready task. `local` >= 0 pins it to that member of the group
  // (a worker of the pool; a mapper's choice); -1: any member. Ready tasks
  // of higher `priority` run first where the processor orders them (the pool).
  virtual void enqueue(ProcessorTaskPtr task, int local, int priority) = 0;
};

}  // namespace cohort
