// An index launch as the facade encodes it: its scalars and requirements as
// numbers in one Float64Array (lib/launch-encoding.ts writes the same
// layout), so the binding reads memory instead of a dozen named properties
// per launch and eight per requirement. What is not a number (the argument
// bytes, futures, per-point arguments, a TS projection's colors, the mapper
// argument, a reduction) still comes as JS values.
//
// Layout (doubles):
//   header: task, variant (-1: mapper's choice), parent, mapper, tag, dim,
//           lo[3], hi[3] (the first `dim` of each), requirement count
//   then per requirement:
//           kind (kRequirementRegion | Identity | Offset | Colors), tree, node,
//           privilege, redop (0: none), coherence, field count, fields...,
//           and for kRequirementOffset: the offset's dim and coordinates.
#pragma once
#include <napi.h>

#include <cstddef>

#include "analysis/region_requirement.h"
#include "data/region_forest.h"
#include "mapping/mapper.h"
#include "ops/issuer.h"

namespace cohort::napi {

enum IndexLaunchHeader : size_t {
  kIndexTask,
  kIndexVariant,
  kIndexParent,
  kIndexMapper,
  kIndexTag,
  kIndexDim,
  kIndexLo,
  kIndexHi = kIndexLo + 3,
  kIndexRequirementCount = kIndexHi + 3,
  kIndexHeaderSize,
};

enum RequirementKind : int {
  kRequirementRegion = 0,    // a whole region, the same for every point
  kRequirementIdentity = 1,  // partition: point p gets subregion p
  kRequirementOffset = 2,    // partition: point p gets subregion p + offset
  kRequirementColors = 3,    // partition: the colors a TS projection chose, in `projections`
};

// Reads the encoding of `encoded` (header and requirements) into `launch`
// (task, domain, options, parent, mapper, tag, regions and what the mapper
// sees of them). `projections[i]` holds requirement i's {points, colors}
// when its kind is kRequirementColors. Throws a Napi::Error naming what is
// malformed; the facade validated the values, so that means a facade bug.
void decodeIndexLaunch(RegionForest& forest, const Napi::Float64Array& encoded, const Napi::Value& projections,
                       IndexLaunch& launch);

}  // namespace cohort::napi
