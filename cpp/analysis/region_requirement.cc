#include "analysis/region_requirement.h"

#include "data/region_forest.h"
#include "util/error.h"

namespace cohort {

Projection projectIdentity(const RegionForest& forest, PartitionHandle partition) {
  return [&forest, partition](const Point& p) { return forest.subregion(partition, p); };
}

Projection projectThrough(const RegionForest& forest, PartitionHandle partition,
                          std::function<Point(const Point&)> map) {
  if (!map) throw Error("projectThrough: needs a color function");
  return [&forest, partition, map = std::move(map)](const Point& p) { return forest.subregion(partition, map(p)); };
}

Projection projectWhole(RegionHandle region) {
  return [region](const Point&) { return region; };
}

RegionRequirement LaunchRequirement::at(const Point& launchPoint) const {
  if (!project)
    throw Error(
        "launch requirement: no projection (which region does "
        "each point access?)");
  return RegionRequirement{project(launchPoint), fields, privilege, redop, coherence};
}

}  // namespace cohort
