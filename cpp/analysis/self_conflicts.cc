#include "analysis/self_conflicts.h"

#include <algorithm>
#include <map>

#include "analysis/piece_map.h"
#include "analysis/piece_state.h"
#include "util/error.h"

namespace cohort {

std::string OperationName::operation() const {
  std::string s = isLaunch ? "index launch" : "operation";
  if (!label.empty()) return s + " '" + label + "' (op " + std::to_string(op) + ")";
  return s + " " + std::to_string(op);
}

std::string OperationName::requirement(uint32_t p, uint32_t r) const {
  std::string s = operation() + ", requirement " + std::to_string(r);
  if (isLaunch) s += " of point " + points[p].point.toString();
  return s;
}

namespace {

using Group = std::vector<const OperationAccess*>;

// No pair of the accesses present (an access with itself included) must be
// ordered, e.g. every point only reads: then geometry cannot matter.
bool accessesMayConflict(const Group& group) {
  std::vector<Access> kinds;
  for (const OperationAccess* a : group)
    if (std::find(kinds.begin(), kinds.end(), a->access) == kinds.end()) kinds.push_back(a->access);
  for (const Access& x : kinds)
    for (const Access& y : kinds)
      if (mustWait(x, y)) return true;
  return false;
}

// Every access is a different subregion of one disjoint partition (the
// usual identity projection): the element sets cannot meet.
bool distinctDisjointSiblings(const RegionForest& forest, const Group& group) {
  const RegionNode& first = forest.region(group.front()->region);
  if (first.isRoot()) return false;
  const PartitionHandle parent = first.parentPartition();
  if (!forest.partition(parent).disjoint()) return false;
  std::vector<uint32_t> nodes;
  nodes.reserve(group.size());
  for (const OperationAccess* a : group) {
    const RegionNode& n = forest.region(a->region);
    if (n.isRoot() || n.parentPartition() != parent) return false;
    nodes.push_back(a->region.node);
  }
  std::sort(nodes.begin(), nodes.end());
  return std::adjacent_find(nodes.begin(), nodes.end()) == nodes.end();
}

[[noreturn]] void reportConflict(const RegionForest& forest, const OperationName& name, TreeId tree, FieldId field,
                                 const PointUser& earlier, const PointUser& later) {
  const std::string where =
      "field '" + forest.fieldSpace(tree).field(field).name + "' of region tree " + std::to_string(tree);
  const std::string accesses = describeAccess(earlier.access) + " then " + describeAccess(later.access);
  if (earlier.point != later.point)
    throw Error(name.operation() + ": points " + name.points[earlier.point].point.toString() + " and " +
                name.points[later.point].point.toString() + " both access " + where +
                " on overlapping elements with conflicting " + "privileges (" + accesses +
                "); points of one launch must not interfere");
  throw Error(name.operation() + ": requirements " + std::to_string(earlier.requirement) + " and " +
              std::to_string(later.requirement) +
              (name.isLaunch ? " of point " + name.points[later.point].point.toString() : std::string()) +
              " alias on " + where + " with conflicting privileges (" + accesses + ")");
}

}  // namespace

void checkSelfConflicts(const RegionForest& forest, const std::vector<OperationAccess>& accesses,
                        const OperationName& name) {
  if (accesses.size() < 2) return;
  std::map<std::pair<TreeId, FieldId>, Group> byField;
  for (const OperationAccess& a : accesses) byField[{a.region.tree, a.field}].push_back(&a);
  for (const auto& [key, group] : byField) {
    if (group.size() < 2 || !accessesMayConflict(group) || distinctDisjointSiblings(forest, group)) continue;
    // A scratch refinement holding only this operation's accesses finds
    // overlapping pairs in O(pieces touched) per access.
    PieceMap<LaunchPieceState> scratch(forest.tree(key.first).rootBounds());
    for (const OperationAccess* a : group) {
      const PointUser user{a->point, a->requirement, a->access};
      for (const Rect& rect : *a->rects) {
        scratch.updateInside(rect, [&](LaunchPieceState& s) {
          if (const PointUser* other = s.conflictWith(user))
            reportConflict(forest, name, key.first, key.second, *other, user);
          s.record(user);
        });
      }
    }
  }
}

}  // namespace cohort
