#include "data/partition.h"

#include <algorithm>

#include "util/error.h"

namespace cohort {

namespace {

// Partitions with more colors than this are almost certainly a mistake (and
// would allocate one node per color).
constexpr uint64_t kMaxColors = uint64_t{1} << 24;

// Run `part` of `parts` near-equal runs of [lo, lo+length-1]; longer first.
void equalRun(coord_t lo, coord_t length, coord_t parts, coord_t part, coord_t* runLo, coord_t* runHi) {
  const coord_t base = length / parts, extra = length % parts;
  *runLo = lo + part * base + std::min(part, extra);
  *runHi = *runLo + base + (part < extra ? 1 : 0) - 1;
}

void checkColorCount(const Rect& colorSpace) {
  if (colorSpace.empty()) throw Error("partition: color space " + colorSpace.toString() + " is empty");
  if (colorSpace.volume() > kMaxColors)
    throw Error("partition: color space " + colorSpace.toString() + " has more than " + std::to_string(kMaxColors) +
                " colors");
}

}  // namespace

const char* partitionKindName(PartitionKind kind) {
  switch (kind) {
    case PartitionKind::Equal: return "equal";
    case PartitionKind::Blocks: return "blocks";
    case PartitionKind::Explicit: return "explicit";
  }
  return "unknown";
}

PartitionLayout equalLayout(const RectList& parentRects, int dim, const Rect& colorSpace) {
  checkDim(dim, "equal partition");
  checkColorCount(colorSpace);
  if (colorSpace.dim() != dim && colorSpace.dim() != 1)
    throw Error("equal partition: a " + std::to_string(colorSpace.dim()) + "-D color space cannot split a " +
                std::to_string(dim) + "-D region (use a " + std::to_string(dim) + "-D or a 1-D color space)");
  const Rect bounds = boundingRect(parentRects, dim);
  PartitionLayout layout;
  layout.kind = PartitionKind::Equal;
  layout.colorSpace = colorSpace;
  layout.children.reserve(colorSpace.volume());
  for (const Point& color : pointsIn(colorSpace)) {
    if (bounds.empty()) {
      layout.children.emplace_back();
      continue;
    }
    Rect block = bounds;
    for (int d = 0; d < colorSpace.dim(); ++d) {
      equalRun(bounds.lo[d], bounds.extent(d), colorSpace.extent(d), color[d] - colorSpace.lo[d], &block.lo[d],
               &block.hi[d]);
    }
    layout.children.push_back(intersectAll(parentRects, block));
  }
  classifyLayout(layout, parentRects);
  return layout;
}

PartitionLayout blockLayout(const RectList& parentRects, int dim, const Point& blockSize, const Point& haloLo,
                            const Point& haloHi) {
  checkDim(dim, "block partition");
  if (blockSize.dim != dim || haloLo.dim != dim || haloHi.dim != dim)
    throw Error("block partition: block size " + blockSize.toString() + " and halos " + haloLo.toString() + ", " +
                haloHi.toString() + " must all be " + std::to_string(dim) + "-D like the region");
  for (int d = 0; d < dim; ++d) {
    if (blockSize[d] < 1)
      throw Error("block partition: block size " + blockSize.toString() + " must be at least 1 in every dimension");
    if (haloLo[d] < 0 || haloHi[d] < 0)
      throw Error("block partition: halo widths " + haloLo.toString() + " and " + haloHi.toString() +
                  " must not be negative");
  }
  const Rect bounds = boundingRect(parentRects, dim);
  if (bounds.empty()) throw Error("block partition: the parent region is empty");
  Point colorsHi = Point::filled(dim, 0);
  for (int d = 0; d < dim; ++d) colorsHi[d] = (bounds.extent(d) + blockSize[d] - 1) / blockSize[d] - 1;
  PartitionLayout layout;
  layout.kind = PartitionKind::Blocks;
  layout.colorSpace = Rect(Point::filled(dim, 0), colorsHi);
  checkColorCount(layout.colorSpace);
  layout.children.reserve(layout.colorSpace.volume());
  for (const Point& color : pointsIn(layout.colorSpace)) {
    Rect block = bounds;
    for (int d = 0; d < dim; ++d) {
      block.lo[d] = bounds.lo[d] + color[d] * blockSize[d] - haloLo[d];
      block.hi[d] = bounds.lo[d] + (color[d] + 1) * blockSize[d] - 1 + haloHi[d];
    }
    layout.children.push_back(intersectAll(parentRects, block));
  }
  classifyLayout(layout, parentRects);
  return layout;
}

PartitionLayout explicitLayout(const RectList& parentRects, int dim, const std::vector<RectList>& rectsPerColor) {
  checkDim(dim, "explicit partition");
  if (rectsPerColor.empty()) throw Error("explicit partition: needs at least one color");
  PartitionLayout layout;
  layout.kind = PartitionKind::Explicit;
  layout.colorSpace = Rect(0, static_cast<coord_t>(rectsPerColor.size()) - 1);
  checkColorCount(layout.colorSpace);
  for (size_t color = 0; color < rectsPerColor.size(); ++color) {
    for (const Rect& r : rectsPerColor[color]) {
      if (r.dim() != dim)
        throw Error("explicit partition: color " + std::to_string(color) + " rect " + r.toString() + " is not " +
                    std::to_string(dim) + "-D like the region");
      if (!covers(parentRects, {r}))
        throw Error("explicit partition: color " + std::to_string(color) + " rect " + r.toString() +
                    " is not inside the parent region");
    }
    layout.children.push_back(makeDisjoint(rectsPerColor[color]));
  }
  classifyLayout(layout, parentRects);
  return layout;
}

void classifyLayout(PartitionLayout& layout, const RectList& parentRects) {
  RectList all;
  for (const RectList& child : layout.children) all.insert(all.end(), child.begin(), child.end());
  // Each child's list is internally disjoint, so any excess of the summed
  // volumes over the union is a point shared by two children.
  const uint64_t covered = unionVolume(all);
  layout.disjoint = totalVolume(all) == covered;
  layout.complete = covered == unionVolume(parentRects);
}

}  // namespace cohort
