// One region tree: the root region (one rect x one field space), its
// partitions, their subregions, partitions of those, and so on. Nodes are
// owned by the tree and addressed by index; storage for the tree's fields
// hangs off it too. Structure is mutated only by the issuing thread.
#pragma once
#include <memory>
#include <vector>

#include "data/field_space.h"
#include "data/geometry.h"
#include "data/handles.h"
#include "data/instance.h"
#include "data/partition.h"
#include "data/rect_set.h"

namespace cohort {

class RegionNode {
 public:
  RegionNode(RegionHandle handle, RectList rects, int dim, const PartitionHandle* parent, const Point& color,
             uint32_t depth);

  RegionHandle handle() const { return handle_; }
  // The region's points as pairwise disjoint rects (empty list: no points).
  const RectList& rects() const { return rects_; }
  const Rect& bounds() const { return bounds_; }
  uint64_t volume() const { return volume_; }
  int dim() const { return bounds_.dim(); }

  bool isRoot() const { return !hasParent_; }
  // Throws cohort::Error for the root.
  PartitionHandle parentPartition() const;
  // The color within the parent partition (the root's color is (0)).
  const Point& color() const { return color_; }
  uint32_t depth() const { return depth_; }  // 0 for the root
  const std::vector<PartitionHandle>& partitions() const { return partitions_; }

 private:
  friend class RegionTree;
  RegionHandle handle_;
  RectList rects_;
  Rect bounds_;
  uint64_t volume_;
  bool hasParent_;
  PartitionHandle parent_;
  Point color_;
  uint32_t depth_;
  std::vector<PartitionHandle> partitions_;
};

class PartitionNode {
 public:
  PartitionNode(PartitionHandle handle, RegionHandle parent, PartitionKind kind, const Rect& colorSpace, bool disjoint,
                bool complete);

  PartitionHandle handle() const { return handle_; }
  RegionHandle parent() const { return parent_; }
  PartitionKind kind() const { return kind_; }
  const Rect& colorSpace() const { return colorSpace_; }
  bool disjoint() const { return disjoint_; }
  bool aliased() const { return !disjoint_; }
  bool complete() const { return complete_; }
  size_t colorCount() const { return children_.size(); }
  // The subregion of `color`; throws cohort::Error naming the partition,
  // the color and the color space when the color is outside it.
  RegionHandle child(const Point& color) const;
  // Subregions in row-major color order.
  const std::vector<RegionHandle>& children() const { return children_; }

 private:
  friend class RegionTree;
  PartitionHandle handle_;
  RegionHandle parent_;
  PartitionKind kind_;
  Rect colorSpace_;
  bool disjoint_;
  bool complete_;
  std::vector<RegionHandle> children_;
};

class RegionTree {
 public:
  RegionTree(TreeId id, const Rect& bounds, std::shared_ptr<FieldSpace> fields);
  RegionTree(const RegionTree&) = delete;
  RegionTree& operator=(const RegionTree&) = delete;

  TreeId id() const { return id_; }
  bool destroyed() const { return destroyed_; }
  const Rect& rootBounds() const { return rootBounds_; }
  int dim() const { return rootBounds_.dim(); }
  RegionHandle root() const { return RegionHandle{id_, 0}; }

  FieldSpace& fieldSpace() { return *fields_; }
  const FieldSpace& fieldSpace() const { return *fields_; }

  // Node lookup; throws cohort::Error for an unknown index or a destroyed
  // tree.
  const RegionNode& region(uint32_t node) const;
  const PartitionNode& partition(uint32_t node) const;
  size_t regionCount() const { return regions_.size(); }
  size_t partitionCount() const { return partitions_.size(); }

  // Adds a partition of `parent` with one subregion per color of `layout`.
  PartitionHandle addPartition(RegionHandle parent, PartitionLayout layout);

  // The storage of one field over the root bounds (created on first use,
  // bytes allocated on first FieldStorage::data()). Call it from the issuing
  // thread like every other tree method; the FieldStorage it returns may be
  // used from any thread.
  std::shared_ptr<FieldStorage> storage(FieldId field);

  // Marks the tree destroyed, frees its nodes and drops its references to
  // storage (storage still held by pending tasks survives).
  void destroy();

 private:
  void checkLive() const;

  TreeId id_;
  Rect rootBounds_;
  std::shared_ptr<FieldSpace> fields_;
  bool destroyed_ = false;
  std::vector<std::unique_ptr<RegionNode>> regions_;
  std::vector<std::unique_ptr<PartitionNode>> partitions_;
  TreeStorage storage_;
};

}  // namespace cohort
