// What a task sees of its region requirements: per field, a view over the
// tree's storage (zero copy) restricted to the region's bounding rect. A
// region made of several rects (an explicit partition's piece) is seen
// through its bounding rect; the analysis still uses the exact rects.
#pragma once
#include <string>
#include <vector>

#include "analysis/region_requirement.h"
#include "data/rect_set.h"
#include "data/region_forest.h"
#include "ops/task_op.h"

namespace cohort {

// Builds the views of one requirement (allocating storage on first use).
TaskRegionArg bindRegion(RegionForest& forest, const RegionRequirement& req);

// Appends the view of one field over `storage`, covering `bounds`.
void addFieldView(TaskRegionArg& arg, std::shared_ptr<FieldStorage> storage, const Rect& bounds, Privilege privilege,
                  int32_t redop, FieldId field, std::string name);
// Appends the exact rects of the region.
void addRects(TaskRegionArg& arg, const std::vector<Rect>& rects);
// The exact rects of a bound requirement, as rects.
RectList rectsOf(const TaskRegionArg& arg);

// The storage of (tree, field) that `op` holds through its requirements
// (the forest is the issuing thread's; the op keeps what it uses alive).
// Throws when the op does not use that field.
std::shared_ptr<FieldStorage> storageOf(const TaskOp& op, TreeId tree, FieldId field);

// A readable description for errors: "region 0 of tree 2 (field 'x')".
std::string describeField(const RegionForest& forest, const RegionRequirement& req, size_t fieldIndex);

}  // namespace cohort
