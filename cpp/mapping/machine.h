// The machine as mappers see it: processors (CPU workers and the JS
// processor, each on a rank) and the number of ranks/shards.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "procs/processor.h"

namespace cohort {

struct ProcessorInfo {
  ProcessorId id = 0;
  ProcessorKind kind = ProcessorKind::Cpu;
  uint32_t rank = 0;
};

struct Machine {
  std::vector<ProcessorInfo> processors;
  uint32_t ranks = 1;
  uint32_t localRank = 0;

  bool exists(int64_t id) const { return id >= 0 && static_cast<size_t>(id) < processors.size(); }
  std::string describe() const {
    return std::to_string(processors.size()) + " processors (ids 0.." + std::to_string(processors.size() - 1) + ")";
  }
};

}  // namespace cohort
