#include "ops/parent_privileges.h"

#include <algorithm>

#include "data/rect_set.h"
#include "util/error.h"

namespace cohort {

namespace {

bool privilegeCovers(Privilege parent, RedopId parentRedop, const RegionRequirement& child) {
  switch (parent) {
    case Privilege::ReadWrite:
    case Privilege::WriteDiscard: return true;
    case Privilege::ReadOnly: return child.privilege == Privilege::ReadOnly;
    case Privilege::Reduce: return child.privilege == Privilege::Reduce && child.redop == parentRedop;
  }
  return false;
}

std::string describeParent(const TaskOp& parent) {
  const auto& regions = parent.regions();
  if (regions.empty()) return "it has no region requirements";
  std::string out = "its requirements are";
  for (size_t r = 0; r < regions.size(); ++r) {
    const TaskRegionArg& a = regions[r];
    out += (r ? "; " : " ") + std::to_string(r) + ": ";
    out += a.privilege == Privilege::Reduce && !a.fields.empty()
               ? describeAccess(Access{a.privilege, static_cast<RedopId>(a.fields[0].redop), Coherence::Exclusive})
               : std::string(privilegeName(a.privilege));
    out += " of " + RegionHandle{a.tree, a.regionNode}.toString() + " fields";
    for (size_t i = 0; i < a.fieldIds.size(); ++i) out += (i ? ", '" : " '") + a.names[i] + "'";
  }
  return out;
}

}  // namespace

void checkWithinParent(const RegionForest& forest, const TaskOp& parent, const RegionRequirements& child,
                       const std::string& childLabel) {
  const auto& granted = parent.regions();
  for (size_t r = 0; r < child.size(); ++r) {
    const RegionRequirement& req = child[r];
    const RegionNode& node = forest.region(req.region);
    for (FieldId f : req.fields) {
      bool within = false;
      for (const TaskRegionArg& g : granted) {
        if (g.tree != req.region.tree) continue;
        auto field = std::find(g.fieldIds.begin(), g.fieldIds.end(), f);
        if (field == g.fieldIds.end()) continue;
        const auto redop = static_cast<RedopId>(g.fields[static_cast<size_t>(field - g.fieldIds.begin())].redop);
        if (!privilegeCovers(g.privilege, redop, req)) continue;
        const RegionNode& mine = forest.region(RegionHandle{g.tree, g.regionNode});
        if (g.regionNode != req.region.node && !covers(mine.rects(), node.rects())) continue;
        within = true;
        break;
      }
      if (!within)
        throw Error(childLabel + ", launched from " + parent.describe() + ": region requirement " + std::to_string(r) +
                    " asks for " + describeAccess(req.access()) + " of " + req.region.toString() + " field '" +
                    forest.fieldSpace(req.region.tree).field(f).name + "', which its parent task does not have (" +
                    describeParent(parent) +
                    "). A subtask may use only data its parent task asked for, with at most the parent's privilege: "
                    "add the requirement to the parent's launch");
    }
  }
}

}  // namespace cohort
