#include "data/region_tree.h"

#include "util/error.h"

namespace cohort {

RegionNode::RegionNode(RegionHandle handle, RectList rects, int dim, const PartitionHandle* parent, const Point& color,
                       uint32_t depth)
    : handle_(handle),
      rects_(std::move(rects)),
      bounds_(boundingRect(rects_, dim)),
      volume_(totalVolume(rects_)),
      hasParent_(parent != nullptr),
      parent_(parent ? *parent : PartitionHandle{}),
      color_(color),
      depth_(depth) {}

PartitionHandle RegionNode::parentPartition() const {
  if (!hasParent_) throw Error(handle_.toString() + " is a root region: it has no parent");
  return parent_;
}

PartitionNode::PartitionNode(PartitionHandle handle, RegionHandle parent, PartitionKind kind, const Rect& colorSpace,
                             bool disjoint, bool complete)
    : handle_(handle),
      parent_(parent),
      kind_(kind),
      colorSpace_(colorSpace),
      disjoint_(disjoint),
      complete_(complete) {}

RegionHandle PartitionNode::child(const Point& color) const {
  if (!colorSpace_.contains(color))
    throw Error(handle_.toString() + " (" + partitionKindName(kind_) + ", colors " + colorSpace_.toString() +
                ") has no color " + color.toString());
  return children_[linearize(colorSpace_, color)];
}

RegionTree::RegionTree(TreeId id, const Rect& bounds, std::shared_ptr<FieldSpace> fields)
    : id_(id), rootBounds_(bounds), fields_(std::move(fields)), storage_(bounds) {
  if (!fields_) throw Error("region tree: a region needs a field space");
  checkDim(bounds.dim(), "region");
  RectList rects;
  if (!bounds.empty()) rects.push_back(bounds);
  regions_.push_back(
      std::make_unique<RegionNode>(RegionHandle{id_, 0}, std::move(rects), bounds.dim(), nullptr, Point(0), 0));
}

void RegionTree::checkLive() const {
  if (destroyed_) throw Error("region tree " + std::to_string(id_) + " was destroyed");
}

const RegionNode& RegionTree::region(uint32_t node) const {
  checkLive();
  if (node >= regions_.size())
    throw Error("region tree " + std::to_string(id_) + " has no region " + std::to_string(node));
  return *regions_[node];
}

const PartitionNode& RegionTree::partition(uint32_t node) const {
  checkLive();
  if (node >= partitions_.size())
    throw Error("region tree " + std::to_string(id_) + " has no partition " + std::to_string(node));
  return *partitions_[node];
}

PartitionHandle RegionTree::addPartition(RegionHandle parent, PartitionLayout layout) {
  checkLive();
  if (parent.tree != id_) throw Error(parent.toString() + " is not in region tree " + std::to_string(id_));
  const RegionNode& parentNode = region(parent.node);
  const PartitionHandle handle{id_, static_cast<uint32_t>(partitions_.size())};
  auto partition =
      std::make_unique<PartitionNode>(handle, parent, layout.kind, layout.colorSpace, layout.disjoint, layout.complete);
  partition->children_.reserve(layout.children.size());
  // Build every subregion before linking anything, so a failure leaves the
  // tree as it was.
  std::vector<std::unique_ptr<RegionNode>> children;
  children.reserve(layout.children.size());
  size_t index = 0;
  for (const Point& color : pointsIn(layout.colorSpace)) {
    const RegionHandle child{id_, static_cast<uint32_t>(regions_.size() + index)};
    children.push_back(std::make_unique<RegionNode>(child, std::move(layout.children[index]), dim(), &handle, color,
                                                    parentNode.depth() + 1));
    partition->children_.push_back(child);
    ++index;
  }
  regions_[parent.node]->partitions_.push_back(handle);
  for (auto& c : children) regions_.push_back(std::move(c));
  partitions_.push_back(std::move(partition));
  return handle;
}

std::shared_ptr<FieldStorage> RegionTree::storage(FieldId field) {
  checkLive();
  return storage_.field(field, fields_->field(field).type);
}

void RegionTree::destroy() {
  destroyed_ = true;
  regions_.clear();
  partitions_.clear();
  storage_.release();
}

}  // namespace cohort
