#include "analysis/dependence_analyzer.h"

#include <algorithm>

#include "util/error.h"

namespace cohort {

namespace {

template <class List>
void sortUnique(List& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// How later users name this point: an index launch's points one by one, a
// single operation as a whole.
uint32_t pointOf(const OperationName& name, size_t i) {
  return name.isLaunch ? static_cast<uint32_t>(i) : kWholeOperation;
}

}  // namespace

DependenceAnalyzer::DependenceAnalyzer(const RegionForest& forest) : forest_(forest) {}

PlanEntry DependenceAnalyzer::analyzeOperation(OpId op, const RegionRequirements& requirements,
                                               const std::string& label) {
  const std::vector<PointRequirements> single{PointRequirements{Point(0), requirements}};
  return analyzePoints(OperationName{op, label, false, single}).front();
}

std::vector<PlanEntry> DependenceAnalyzer::analyzeIndexLaunch(OpId op, const Domain& domain,
                                                              const std::vector<LaunchRequirement>& requirements,
                                                              const std::string& label) {
  std::vector<PointRequirements> points;
  points.reserve(domain.volume());
  for (const Point& p : pointsIn(domain)) {
    PointRequirements pr{p, {}};
    pr.requirements.reserve(requirements.size());
    for (size_t r = 0; r < requirements.size(); ++r) {
      try {
        pr.requirements.push_back(requirements[r].at(p));
      } catch (const Error& e) {
        const OperationName name{op, label, true, points};
        throw Error(name.operation() + ", requirement " + std::to_string(r) + " at point " + p.toString() + ": " +
                    e.what());
      }
    }
    points.push_back(std::move(pr));
  }
  return analyzePoints(OperationName{op, label, true, points});
}

std::vector<PlanEntry> DependenceAnalyzer::analyzeIndexLaunch(OpId op, const std::vector<PointRequirements>& points,
                                                              const std::string& label) {
  return analyzePoints(OperationName{op, label, true, points});
}

void DependenceAnalyzer::markCompleted(OpId op) { live_.remove(op); }

void DependenceAnalyzer::dropTree(TreeId tree) { trees_.erase(tree); }

size_t DependenceAnalyzer::pieceCount(TreeId tree, FieldId field) const {
  auto t = trees_.find(tree);
  if (t == trees_.end()) return 0;
  auto f = t->second.find(field);
  return f == t->second.end() ? 0 : f->second.pieceCount();
}

PieceMap<PieceState>& DependenceAnalyzer::stateFor(TreeId tree, FieldId field) {
  auto& fields = trees_[tree];
  auto it = fields.find(field);
  if (it == fields.end()) it = fields.emplace(field, PieceMap<PieceState>(forest_.tree(tree).rootBounds())).first;
  return it->second;
}

std::vector<OperationAccess> DependenceAnalyzer::resolve(const OperationName& name) const {
  std::vector<OperationAccess> out;
  std::vector<FieldId> fields;
  for (size_t i = 0; i < name.points.size(); ++i) {
    const auto& reqs = name.points[i].requirements;
    for (size_t r = 0; r < reqs.size(); ++r) {
      const RegionRequirement& req = reqs[r];
      const auto point = static_cast<uint32_t>(i);
      const auto index = static_cast<uint32_t>(r);
      const RegionNode* node = nullptr;
      try {
        validateAccess(req.access());
        node = &forest_.region(req.region);
      } catch (const Error& e) {
        throw Error(name.requirement(point, index) + ": " + e.what());
      }
      if (req.fields.empty()) throw Error(name.requirement(point, index) + ": names no fields");
      const FieldSpace& space = forest_.fieldSpace(req.region.tree);
      fields.assign(req.fields.begin(), req.fields.end());
      sortUnique(fields);
      for (FieldId f : fields) {
        if (!space.has(f))
          throw Error(name.requirement(point, index) + ": region tree " + std::to_string(req.region.tree) +
                      " has no field " + std::to_string(f));
        out.push_back(OperationAccess{point, index, req.region, f, &node->rects(), req.access()});
      }
    }
  }
  return out;
}

std::vector<PlanEntry> DependenceAnalyzer::analyzePoints(const OperationName& name) {
  const OpId op = name.op;
  if (anyAnalyzed_ && op <= lastOp_)
    throw Error(name.operation() + ": operation ids must increase (op " + std::to_string(op) + " comes after op " +
                std::to_string(lastOp_) + ")");
  const std::vector<OperationAccess> accesses = resolve(name);
  checkSelfConflicts(forest_, accesses, name);

  // Query: every point against the state before this operation. Points of
  // one operation never wait for each other, and conflicts between them
  // were excluded above, so no point needs to see another's effect.
  std::vector<PlanEntry> entries(name.points.size());
  std::vector<PointRef> waits;
  auto access = accesses.begin();
  for (size_t i = 0; i < entries.size(); ++i) {
    PlanEntry& entry = entries[i];
    entry.op = op;
    entry.pointIndex = static_cast<uint32_t>(i);
    entry.point = name.points[i].point;
    waits.clear();
    for (; access != accesses.end() && access->point == i; ++access) {
      PieceMap<PieceState>& map = stateFor(access->region.tree, access->field);
      const User user{op, pointOf(name, i), access->access};
      for (const Rect& rect : *access->rects) {
        map.visitOverlapping(rect, [&](const Rect&, PieceState& state) {
          ++counters_.piecesVisited;
          counters_.usersExamined += state.collectPredecessors(user, live_, waits);
        });
      }
      if (needsExclusion(access->access))
        entry.exclusionKeys.push_back(ExclusionKey{access->region.tree, access->field});
    }
    sortUnique(waits);
    // A wait for a whole operation covers its single points.
    waits.erase(std::remove_if(waits.begin(), waits.end(),
                               [&](const PointRef& w) {
                                 return w.point != kWholeOperation &&
                                        std::binary_search(waits.begin(), waits.end(), PointRef{w.op, kWholeOperation});
                               }),
                waits.end());
    entry.waitsForPoints.assign(waits.begin(), waits.end());
    entry.waitsFor.clear();
    for (const PointRef& w : waits)
      if (entry.waitsFor.empty() || entry.waitsFor.back() != w.op) entry.waitsFor.push_back(w.op);
    sortUnique(entry.exclusionKeys);
    entry.needsExclusion = !entry.exclusionKeys.empty();
    counters_.edgesAdded += entry.waitsFor.size();
  }

  // Record: this operation becomes the newest user of what it touches.
  live_.add(op);
  for (const OperationAccess& a : accesses) {
    PieceMap<PieceState>& map = stateFor(a.region.tree, a.field);
    const User user{op, pointOf(name, a.point), a.access};
    for (const Rect& rect : *a.rects) map.updateInside(rect, [&](PieceState& state) { state.record(user, live_); });
  }
  anyAnalyzed_ = true;
  lastOp_ = op;
  ++counters_.operations;
  counters_.points += entries.size();
  return entries;
}

}  // namespace cohort
