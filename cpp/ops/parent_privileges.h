// Legion's rule for nested launches: a subtask may use only data its
// parent asked for, with at most the parent's privilege. A parent's entry
// in its own parent's context covers exactly its requirements, so a child
// reaching beyond them would be ordered with nothing outside (a later
// reader of that data would not wait for it). Checked at every launch from
// a running task, not only in checking mode.
#pragma once
#include <string>
#include <vector>

#include "analysis/region_requirement.h"
#include "data/region_forest.h"
#include "ops/task_op.h"

namespace cohort {

// Throws cohort::Error naming both tasks, the region, the field and the
// privilege when some requirement of `child` is not within one requirement
// of `parent`: the same tree, a region inside the parent's region, the
// field among the parent's, and a privilege the parent's covers
// (read-write and write-discard cover all; read-only covers read-only;
// reduce(op) covers reduce(op)).
void checkWithinParent(const RegionForest& forest, const TaskOp& parent, const RegionRequirements& child,
                       const std::string& childLabel);

}  // namespace cohort
