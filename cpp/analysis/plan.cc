#include "analysis/plan.h"

namespace cohort {

const char* entryKindName(EntryKind k) {
  switch (k) {
    case EntryKind::Task: return "task";
    case EntryKind::IndexPoint: return "point";
    case EntryKind::Fill: return "fill";
    case EntryKind::Fence: return "fence";
    case EntryKind::InlineMap: return "map";
    case EntryKind::Copy: return "copy";
  }
  return "?";
}

std::string OpName::toString() const {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out += '.';
    out += std::to_string(path[i]);
  }
  return out.empty() ? "top" : out;
}

}  // namespace cohort
