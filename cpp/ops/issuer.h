// Issuing operations in program order: each launch is checked against its
// parent's privileges, planned in its parent's context (the planner: mapping,
// then dependence analysis, giving plan entries with their locations), and
// run by the executor (ops/executor.h), the only code that turns entries into
// running work. A launch inside a traced body is also recorded.
#pragma once
#include <vector>

#include "analysis/region_requirement.h"
#include "mapping/mapper.h"
#include "ops/future.h"
#include "runtime/runtime.h"

namespace cohort {

// Arguments are immutable buffers a launch may share with others
// (Runtime::recentArgs interns repeated ones).
struct SingleLaunch {
  TaskId task = 0;
  SharedBytes args;
  std::vector<FuturePtr> futures;
  RegionRequirements regions;
  LaunchOptions options;  // explicit variant/worker override the mapper
  OpId parent = 0;        // 0: top level; else the running TS task launching it
  MapperId mapper = 0;
  uint32_t tag = 0;
  MapperInput mapping;  // what the mapper sees: requirements as given, mapper argument
};

struct IndexLaunch {
  TaskId task = 0;
  Domain domain;
  SharedBytes args;                             // shared by every point...
  std::vector<std::vector<uint8_t>> pointArgs;  // ...unless given per point (row-major)
  std::vector<FuturePtr> futures;
  std::vector<LaunchRequirement> regions;
  LaunchOptions options;
  OpId parent = 0;
  MapperId mapper = 0;
  uint32_t tag = 0;
  MapperInput mapping;
};

// Returns the task's future. Throws cohort::Error (issuing nothing) on bad
// input: unknown task, bad requirement, interfering requirements.
FuturePtr issueTask(Runtime& rt, SingleLaunch&& launch);

// Returns one future per point, row-major over the domain.
std::vector<FuturePtr> issueIndexLaunch(Runtime& rt, IndexLaunch&& launch);

// Everything issued before in `parent`'s context finishes before anything
// issued after it starts. The future resolves when the earlier work is done.
FuturePtr issueFence(Runtime& rt, OpId parent);

// One future holding the fold of numeric futures with a built-in redop
// (sum, product, min, max); rejects if any input failed.
FuturePtr reduceFutures(const std::vector<FuturePtr>& inputs, RedopId redop, const std::string& label);

// Tracing: starts recording launches issued in `parent`'s context / stops
// and returns the trace (rt.trace(body) in TS).
void beginTrace(Runtime& rt, OpId parent);
std::shared_ptr<class Trace> endTrace(Runtime& rt, OpId parent);

}  // namespace cohort
