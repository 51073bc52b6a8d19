// A debug record of the plan: every entry the executor ran, as one line,
// while enabled (rt.recordPlan() in TS). Lines are ordered by operation
// name, not by when they were run, so two runs of one program compare equal
// whatever order promises and worker threads took.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "analysis/plan.h"

namespace cohort {

class PlanLog {
 public:
  void setEnabled(bool on) {
    enabled_ = on;
    if (on) lines_.clear();
  }
  bool enabled() const { return enabled_; }
  // `name`: the entry's own name; `waits` name what it waits for (in the
  // same context); `task`: the task's identity as text.
  void add(OpName name, const PlanEntry& entry, const std::vector<OpName>& waits, const std::string& task);
  // Every line recorded, ordered by name.
  std::vector<std::string> lines() const;

 private:
  bool enabled_ = false;
  std::vector<std::pair<OpName, std::string>> lines_;
};

}  // namespace cohort
