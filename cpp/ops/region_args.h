// What a task sees of its region requirements: per field, a view over the
// tree's storage (zero copy) restricted to the region's bounding rect. A
// region made of several rects (an explicit partition's piece) is seen
// through its bounding rect; the analysis still uses the exact rects.
#pragma once
#include <string>
#include <vector>

#include "analysis/region_requirement.h"
#include "data/region_forest.h"
#include "ops/task_op.h"

namespace cohort {

// Builds the views of one requirement (allocating storage on first use).
TaskRegionArg bindRegion(RegionForest& forest, const RegionRequirement& req);

// A readable description for errors: "region 0 of tree 2 (field 'x')".
std::string describeField(const RegionForest& forest, const RegionRequirement& req, size_t fieldIndex);

}  // namespace cohort
