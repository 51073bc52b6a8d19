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
    if (it != live_.end() && !it->second.hasFired()) continue;
    // A failed operation stays live: whenever a later operation that
    // depends on it is issued, it must not run (the data may be half written).
    if (it != live_.end() && it->second.isPoisoned()) continue;
    analyzer_.markCompleted(op);
    live_.erase(op);
  }
}

void AnalysisContext::unpin(OpId op) {
  if (!pinned_.erase(op)) return;
  auto it = live_.find(op);
  if (it == live_.end() || it->second.hasFired()) noteCompleted(op);  // absorbed at the next issue
}

bool AnalysisContext::remapLive(OpId op, Event latest) {
  auto it = live_.find(op);
  if (it == live_.end()) return false;
  it->second = std::move(latest);
  return true;
}

void AnalysisContext::appendEvents(const std::vector<OpId>& ops, std::vector<Event>& out) const {
  for (OpId op : ops) {
    auto it = live_.find(op);
    if (it != live_.end() && (!it->second.hasFired() || it->second.isPoisoned())) out.push_back(it->second);
  }
}

std::vector<OpName> AnalysisContext::namesOf(const std::vector<OpId>& ops) const {
  std::vector<OpName> out;
  for (OpId op : ops) {
    out.push_back(nameOf(op));
    auto it = aliases_.find(op);
    if (it == aliases_.end()) continue;
    for (OpId other : it->second) out.push_back(nameOf(other));
  }
  return out;
}

void AnalysisContext::noteCompleted(OpId op) {
  std::lock_guard<std::mutex> lock(inboxMutex_);
  inbox_.push_back(op);
}

}  // namespace cohort
