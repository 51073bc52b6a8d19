#include "plan/plan_log.h"

#include <algorithm>

namespace cohort {

void PlanLog::add(OpName name, const PlanEntry& entry, const std::vector<OpName>& waits, const std::string& task) {
  std::string line = name.toString() + " " + entryKindName(entry.kind);
  if (entry.kind != EntryKind::Fence) {
    line += " " + task + " on rank " + std::to_string(entry.where.rank) + " processor " +
            (entry.where.variant == VariantKind::Js ? std::string("js")
             : entry.where.processor < 0            ? std::string("any")
                                                    : std::to_string(entry.where.processor)) +
            (entry.where.variant == VariantKind::Cpp ? " cpp" : " ts") + " priority " +
            std::to_string(entry.where.priority);
  }
  line += " waits [";
  std::vector<OpName> sorted = waits;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) line += (i ? " " : "") + sorted[i].toString();
  line += "] exclusion [";
  for (size_t i = 0; i < entry.exclusionKeys.size(); ++i)
    line += (i ? " " : "") + std::to_string(entry.exclusionKeys[i].tree) + ":" +
            std::to_string(entry.exclusionKeys[i].field);
  line += "]";
  lines_.emplace_back(std::move(name), std::move(line));
}

std::vector<std::string> PlanLog::lines() const {
  std::vector<const std::pair<OpName, std::string>*> order;
  order.reserve(lines_.size());
  for (const auto& l : lines_) order.push_back(&l);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->first < b->first; });
  std::vector<std::string> out;
  out.reserve(order.size());
  for (auto* l : order) out.push_back(l->second);
  return out;
}

}  // namespace cohort
