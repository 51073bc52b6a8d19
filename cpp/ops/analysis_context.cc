#include "ops/analysis_context.h"

namespace cohort {

void AnalysisContext::absorbCompletions() {
  std::vector<OpId> done;
  {
    std::lock_guard<std::mutex> lock(inboxMutex_);
    if (inbox_.empty()) return;
    done.swap(inbox_);
  }
  for (OpId op : done) {
    if (pinned_.count(op)) continue;
    auto it = live_.find(op);
    // A remapped op is complete only when its latest incarnation is.
    if (it != live_.end() && !it->second.done.hasFired()) continue;
    // A failed operation stays live: whenever a later operation that
    // depends on it is issued, it must not run (the data may be half written).
    if (it != live_.end() && it->second.done.isPoisoned()) continue;
    analyzer_.markCompleted(op);
    live_.erase(op);
  }
}

void AnalysisContext::unpin(OpId op) {
  if (!pinned_.erase(op)) return;
  auto it = live_.find(op);
  if (it == live_.end() || it->second.done.hasFired()) noteCompleted(op);  // absorbed at the next issue
}

bool AnalysisContext::remapLive(OpId op, Event latest) {
  auto it = live_.find(op);
  if (it == live_.end()) return false;
  // Later incarnations have no per-point record here: wait for them all.
  it->second = LiveOp{std::move(latest), {}};
  return true;
}

namespace {
bool stillMatters(const Event& e) { return !e.hasFired() || e.isPoisoned(); }
}  // namespace

void AnalysisContext::appendEvents(const PooledVector<PointRef>& points, EventList& out) const {
  for (const PointRef& ref : points) {
    auto it = live_.find(ref.op);
    if (it == live_.end()) continue;
    const LiveOp& live = it->second;
    const Event& e = ref.point < live.points.size() ? live.points[ref.point] : live.done;
    if (stillMatters(e)) out.push_back(e);
  }
}

std::vector<OpName> AnalysisContext::namesOf(const PooledVector<PointRef>& points) const {
  std::vector<OpName> out;
  for (const PointRef& ref : points) {
    out.push_back(nameOf(ref.position()));
    auto it = aliases_.find(ref.op);
    if (it == aliases_.end()) continue;
    for (OpId other : it->second) out.push_back(nameOf(PointRef{other, ref.point}.position()));
  }
  return out;
}

void AnalysisContext::noteCompleted(OpId op) {
  std::lock_guard<std::mutex> lock(inboxMutex_);
  inbox_.push_back(op);
}

}  // namespace cohort
