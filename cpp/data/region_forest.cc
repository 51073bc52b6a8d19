#include "data/region_forest.h"

#include "util/error.h"

namespace cohort {

RegionHandle RegionForest::createRegion(const Rect& bounds, std::shared_ptr<FieldSpace> fields) {
  const TreeId id = nextTreeId_;
  trees_.push_back(std::make_unique<RegionTree>(id, bounds, std::move(fields)));
  ++nextTreeId_;
  return trees_.back()->root();
}

RegionHandle RegionForest::createRegion(const Rect& bounds,
                                        const std::vector<std::pair<std::string, FieldType>>& fields) {
  auto space = std::make_shared<FieldSpace>();
  for (const auto& [name, type] : fields) space->addField(name, type);
  return createRegion(bounds, std::move(space));
}

void RegionForest::destroyTree(TreeId id) {
  tree(id).destroy();  // throws when unknown or already destroyed
}

bool RegionForest::isLive(TreeId id) const { return id >= 1 && id <= trees_.size() && !trees_[id - 1]->destroyed(); }

RegionTree& RegionForest::lookup(TreeId id) const {
  if (id < 1 || id > trees_.size()) throw Error("no region tree with id " + std::to_string(id));
  RegionTree& t = *trees_[id - 1];
  if (t.destroyed()) throw Error("region tree " + std::to_string(id) + " was destroyed");
  return t;
}

RegionTree& RegionForest::tree(TreeId id) { return lookup(id); }

const RegionTree& RegionForest::tree(TreeId id) const { return lookup(id); }

const RegionNode& RegionForest::region(RegionHandle r) const { return tree(r.tree).region(r.node); }

const PartitionNode& RegionForest::partition(PartitionHandle p) const { return tree(p.tree).partition(p.node); }

const FieldSpace& RegionForest::fieldSpace(TreeId id) const { return tree(id).fieldSpace(); }

PartitionHandle RegionForest::addPartition(RegionHandle parent, PartitionLayout layout) {
  return tree(parent.tree).addPartition(parent, std::move(layout));
}

PartitionHandle RegionForest::partitionEqual(RegionHandle parent, const Rect& colorSpace) {
  const RegionNode& node = region(parent);
  return addPartition(parent, equalLayout(node.rects(), node.dim(), colorSpace));
}

PartitionHandle RegionForest::partitionEqual(RegionHandle parent, uint64_t pieces) {
  if (pieces == 0) throw Error("equal partition: needs at least one piece");
  return partitionEqual(parent, Rect(0, static_cast<coord_t>(pieces) - 1));
}

PartitionHandle RegionForest::partitionByBlocks(RegionHandle parent, const Point& blockSize, const Point& haloLo,
                                                const Point& haloHi) {
  const RegionNode& node = region(parent);
  return addPartition(parent, blockLayout(node.rects(), node.dim(), blockSize, haloLo, haloHi));
}

PartitionHandle RegionForest::partitionByRects(RegionHandle parent, const std::vector<Rect>& rects) {
  std::vector<RectList> perColor;
  perColor.reserve(rects.size());
  for (const Rect& r : rects) perColor.push_back(RectList{r});
  return partitionByRects(parent, perColor);
}

PartitionHandle RegionForest::partitionByRects(RegionHandle parent, const std::vector<RectList>& rectsPerColor) {
  const RegionNode& node = region(parent);
  return addPartition(parent, explicitLayout(node.rects(), node.dim(), rectsPerColor));
}

RegionHandle RegionForest::subregion(PartitionHandle p, const Point& color) const { return partition(p).child(color); }

std::shared_ptr<FieldStorage> RegionForest::storage(RegionHandle r, FieldId field) {
  region(r);  // validates the handle
  return tree(r.tree).storage(field);
}

std::vector<StorageWindow> RegionForest::windows(RegionHandle r, FieldId field) {
  auto store = storage(r, field);
  std::vector<StorageWindow> out;
  for (const Rect& rect : region(r).rects()) out.push_back(store->window(rect));
  return out;
}

}  // namespace cohort
