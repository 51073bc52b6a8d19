// All region trees of a runtime, by tree id. This is the data-model entry
// point the runtime and the binding call: create a region (a new tree every
// time), partition regions, look up subregions, reach storage, destroy a
// tree. Tree ids count up from 1 in creation order, so replicated ranks that
// issue the same calls get the same ids. Used from the issuing thread only.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "data/field_space.h"
#include "data/geometry.h"
#include "data/handles.h"
#include "data/instance.h"
#include "data/partition.h"
#include "data/region_tree.h"

namespace cohort {

class RegionForest {
 public:
  // A new tree whose root region is `bounds` x `fields`. Two calls with the
  // same arguments make two different trees. The field space may be shared
  // between trees and may gain fields later.
  RegionHandle createRegion(const Rect& bounds, std::shared_ptr<FieldSpace> fields);
  // Convenience: a fresh field space from (name, type) pairs.
  RegionHandle createRegion(const Rect& bounds, const std::vector<std::pair<std::string, FieldType>>& fields);

  // Destroys the tree (nodes, storage references). Later use of any of its
  // handles throws cohort::Error saying the tree was destroyed. Destroying
  // twice throws. The dependence analyzer keeps its own state: call
  // DependenceAnalyzer::dropTree too.
  void destroyTree(TreeId tree);
  bool isLive(TreeId tree) const;

  // Throws cohort::Error for an unknown or destroyed tree.
  RegionTree& tree(TreeId tree);
  const RegionTree& tree(TreeId tree) const;
  const RegionNode& region(RegionHandle region) const;
  const PartitionNode& partition(PartitionHandle partition) const;
  const FieldSpace& fieldSpace(TreeId tree) const;

  // --- partitions (each returns the new partition of `parent`) ---
  // Near-equal blocks over `colorSpace` (see equalLayout).
  PartitionHandle partitionEqual(RegionHandle parent, const Rect& colorSpace);
  // Convenience: `pieces` blocks along dimension 0, colors 0..pieces-1.
  PartitionHandle partitionEqual(RegionHandle parent, uint64_t pieces);
  // Blocks of `blockSize` widened by ghost widths (see blockLayout).
  PartitionHandle partitionByBlocks(RegionHandle parent, const Point& blockSize, const Point& haloLo,
                                    const Point& haloHi);
  // Color i gets rects[i] (see explicitLayout).
  PartitionHandle partitionByRects(RegionHandle parent, const std::vector<Rect>& rects);
  PartitionHandle partitionByRects(RegionHandle parent, const std::vector<RectList>& rectsPerColor);

  // The subregion of `color`; throws cohort::Error naming the partition and
  // its color space when the color is outside it.
  RegionHandle subregion(PartitionHandle partition, const Point& color) const;

  // Storage of `field` for the tree of `region` (any node of the tree: all
  // share the root's storage; use window() with the node's rects).
  std::shared_ptr<FieldStorage> storage(RegionHandle region, FieldId field);
  // The storage windows of a region's rects for one field, in rect order.
  std::vector<StorageWindow> windows(RegionHandle region, FieldId field);

 private:
  PartitionHandle addPartition(RegionHandle parent, PartitionLayout layout);
  RegionTree& lookup(TreeId tree) const;  // throws for unknown or destroyed

  TreeId nextTreeId_ = 1;
  std::vector<std::unique_ptr<RegionTree>> trees_;  // index = tree id - 1
};

}  // namespace cohort
