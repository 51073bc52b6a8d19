// Work that a processor runs: a ready task, or any other continuation.
#pragma once
#include <cstdint>
#include <memory>

namespace cohort {

using ProcessorId = uint32_t;

class Runnable {
 public:
  virtual ~Runnable() = default;
  // Runs on the processor `proc` (a worker index, or the JS processor).
  virtual void run(ProcessorId proc) = 0;
};

using RunnablePtr = std::shared_ptr<Runnable>;

}  // namespace cohort
