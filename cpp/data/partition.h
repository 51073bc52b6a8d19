// How a parent's points are divided among the colors of a partition. These
// are pure functions from the parent's geometry to a PartitionLayout; the
// region tree turns a layout into nodes. Disjointness and completeness are
// always computed from the resulting rects, never taken on trust. `dim` is
// the parent's dimension (its rect list may be empty).
#pragma once
#include <vector>

#include "data/geometry.h"
#include "data/rect_set.h"

namespace cohort {

enum class PartitionKind { Equal, Blocks, Explicit };

const char* partitionKindName(PartitionKind kind);

struct PartitionLayout {
  PartitionKind kind = PartitionKind::Equal;
  Rect colorSpace;
  // One entry per color in row-major order over colorSpace; each list is
  // pairwise disjoint and inside the parent (possibly empty).
  std::vector<RectList> children;
  bool disjoint = true;  // no point belongs to two children
  bool complete = true;  // every point of the parent belongs to a child
};

// Near-equal blocks. When colorSpace has the parent's dimension, each
// dimension d is split into colorSpace.extent(d) runs whose lengths differ
// by at most one, the longer runs first (10 into 3 gives 4,3,3). A 1-D color
// space over an N-D parent splits dimension 0 only. Parents made of several
// rects are split by their bounding rect and clipped to their points.
PartitionLayout equalLayout(const RectList& parentRects, int dim, const Rect& colorSpace);

// Fixed-size blocks starting at the parent's lower corner, each widened by
// ghost widths haloLo/haloHi per dimension and clipped to the parent. The
// color space is [0 .. ceil(extent/blockSize)-1] per dimension. Any halo
// wider than zero between two blocks makes the partition aliased.
PartitionLayout blockLayout(const RectList& parentRects, int dim, const Point& blockSize, const Point& haloLo,
                            const Point& haloHi);

// Color i (1-D color space 0..n-1) gets the points of rectsPerColor[i].
// Every rect must lie inside the parent; overlapping rects of one color are
// merged, overlapping rects of different colors make the partition aliased.
PartitionLayout explicitLayout(const RectList& parentRects, int dim, const std::vector<RectList>& rectsPerColor);

// Fills layout.disjoint and layout.complete from the children's rects.
void classifyLayout(PartitionLayout& layout, const RectList& parentRects);

}  // namespace cohort
