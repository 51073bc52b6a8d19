// Exact set operations on lists of rects (all of one dimension). Subregions
// are described by such lists; partitions use these to decide disjointness and
// completeness from the geometry instead of trusting the caller.
#pragma once
#include <cstdint>
#include <vector>

#include "data/geometry.h"

namespace cohort {

using RectList = std::vector<Rect>;

// The points of `a` that are not in `b`, as at most 2*dim disjoint rects.
RectList subtract(const Rect& a, const Rect& b);

// The same point set as `rects`, as pairwise disjoint non-empty rects.
// Quadratic in the list length: meant for the short per-subregion lists.
RectList makeDisjoint(const RectList& rects);

// Number of distinct points covered by the union of `rects` (overlaps
// counted once). Sweeps dimension 0 and recurses on the rest, so the cost
// follows the rects that are simultaneously active, not the list length
// squared, for block-like layouts.
uint64_t unionVolume(const RectList& rects);

// Sum of volumes (overlaps counted as often as they occur).
uint64_t totalVolume(const RectList& rects);

// Smallest rect containing all of `rects`; empty (of dimension `dim`) when
// the list has no points.
Rect boundingRect(const RectList& rects, int dim);

// True when some point lies in both lists.
bool overlaps(const RectList& a, const RectList& b);

// Every point of `inner` is in the union of `outer` (which must be
// pairwise disjoint, as subregion rect lists are).
bool covers(const RectList& outer, const RectList& inner);

// Each rect of `rects` intersected with `clip`, dropping empty results.
RectList intersectAll(const RectList& rects, const Rect& clip);

}  // namespace cohort
