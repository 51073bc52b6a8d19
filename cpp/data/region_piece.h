// One rect of one field of one region tree that must be copied from the rank
// holding a valid copy of it (`source`) before a task reads it elsewhere.
#pragma once
#include <cstdint>

#include "data/field_space.h"
#include "data/geometry.h"
#include "data/handles.h"

namespace cohort {

struct RegionPiece {
  TreeId tree = 0;
  FieldId field = 0;
  Rect rect;
  uint32_t source = 0;
};

}  // namespace cohort
