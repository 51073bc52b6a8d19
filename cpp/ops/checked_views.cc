#include "ops/checked_views.h"

#include <algorithm>
#include <cstring>

#include "data/instance.h"
#include "ops/view_rows.h"

namespace cohort {

namespace {

size_t elementSizeOf(int32_t type) { return fieldTypeSize(static_cast<FieldType>(type)); }

int64_t spanOf(const cohort_field_view& v) {
  int64_t span = 1;
  for (int d = 0; d < v.dim; ++d) span += (v.hi[d] - v.lo[d]) * v.strides[d];
  return span;
}

// Calls inside(first element index, count) for every row of the region's
// exact rects, as element indices from the view's base.
template <typename T, typename Inside>
void rowsOf(const cohort_field_view& v, const PooledVector<std::array<int64_t, 6>>& rects, Inside&& inside) {
  const T* base = static_cast<const T*>(v.base);
  for (const auto& r : rects)
    forEachRow<const T>(v, r.data(), r.data() + 3, [&](const T* p, int64_t n) { inside(p - base, n); });
}

template <typename Inside>
void forEachInsideRow(const cohort_field_view& v, const PooledVector<std::array<int64_t, 6>>& rects, size_t es,
                      Inside&& inside) {
  switch (es) {  // walk in units of the element
    case 8: rowsOf<uint64_t>(v, rects, inside); break;
    case 4: rowsOf<uint32_t>(v, rects, inside); break;
    default: rowsOf<uint8_t>(v, rects, inside); break;
  }
}

}  // namespace

CheckedViews::CheckedViews(const TaskRegionArgs& regions) : regions_(regions) {
  // Group the views by storage; each group's window spans all of its views.
  for (size_t r = 0; r < regions_.size(); ++r) {
    TaskRegionArg& arg = regions_[r];
    if (!arg.checkable) continue;  // simultaneous: others write meanwhile, by design
    arg.shadows.assign(arg.fields.size(), nullptr);
    arg.shadowOffsets.assign(arg.fields.size(), 0);
    for (size_t f = 0; f < arg.fields.size(); ++f) {
      const cohort_field_view& v = arg.fields[f];
      if (!v.base) continue;  // an empty region: nothing to see
      const void* key = arg.keepAlive[f].get();
      Shadow* s = nullptr;
      for (auto& existing : shadows_)
        if (existing.storageKey == key) s = &existing;
      const auto offset = arg.offsets[f];
      const int64_t end = static_cast<int64_t>(offset) + spanOf(v);
      if (!s) {
        shadows_.emplace_back();
        s = &shadows_.back();
        s->storageKey = key;
        s->elementSize = elementSizeOf(v.field_type);
        s->storage = static_cast<uint8_t*>(v.base);
        s->offset = offset;
        s->span = end - static_cast<int64_t>(offset);
      } else if (offset < s->offset) {
        s->storage -= (s->offset - offset) * s->elementSize;
        s->span += static_cast<int64_t>(s->offset - offset);
        s->offset = offset;
      }
      s->span = std::max(s->span, end - static_cast<int64_t>(s->offset));
      s->members.push_back(Member{r, f, 0});
    }
  }
  for (Shadow& s : shadows_) {
    const size_t bytes = static_cast<size_t>(s.span) * s.elementSize;
    s.copy = std::make_shared<std::vector<uint8_t>>(s.storage, s.storage + bytes);
    // From the copy, not the storage: other tasks may write the window's
    // elements outside this task's region meanwhile, and a second read would
    // see their writes as this task's.
    s.before = *s.copy;
    for (Member& m : s.members) {
      TaskRegionArg& arg = regions_[m.requirement];
      m.at = static_cast<int64_t>(arg.offsets[m.field] - s.offset);
      arg.fields[m.field].base = s.copy->data() + static_cast<size_t>(m.at) * s.elementSize;
      arg.shadows[m.field] = s.copy;
      arg.shadowOffsets[m.field] = static_cast<uint64_t>(m.at);
    }
  }
}

void CheckedViews::rebase(TaskRegionArg& child) const {
  for (size_t f = 0; f < child.fields.size(); ++f) {
    cohort_field_view& v = child.fields[f];
    if (!v.base) continue;
    const void* key = child.keepAlive[f].get();
    for (const Shadow& s : shadows_) {
      if (s.storageKey != key) continue;
      const uint64_t offset = child.offsets[f];
      if (offset < s.offset || static_cast<int64_t>(offset - s.offset) + spanOf(v) > s.span) break;
      if (child.shadows.empty()) {
        child.shadows.assign(child.fields.size(), nullptr);
        child.shadowOffsets.assign(child.fields.size(), 0);
      }
      v.base = s.copy->data() + static_cast<size_t>(offset - s.offset) * s.elementSize;
      child.shadows[f] = s.copy;
      child.shadowOffsets[f] = offset - s.offset;
      break;
    }
  }
}

std::string CheckedViews::pointOf(const Shadow& s, int64_t element) const {
  const TaskRegionArg& arg = regions_[s.members.front().requirement];
  auto storage = std::static_pointer_cast<FieldStorage>(arg.keepAlive[s.members.front().field]);
  int64_t at = static_cast<int64_t>(s.offset) + element;
  const auto strides = storage->strides();
  const Rect& bounds = storage->bounds();
  std::string out = "(";
  for (int d = 0; d < bounds.dim(); ++d) {
    const int64_t stride = strides[static_cast<size_t>(d)];
    out += (d ? ", " : "") + std::to_string(bounds.lo[d] + at / stride);
    at %= stride;
  }
  return out + ")";
}

std::string CheckedViews::finish(const std::string& task) {
  enum : uint8_t { kOutside = 0, kReadOnly = 1, kWritable = 2 };
  std::string violation;
  for (const Shadow& s : shadows_) {
    const uint8_t* now = s.copy->data();
    const size_t es = s.elementSize;
    if (std::memcmp(now, s.before.data(), s.before.size()) == 0) continue;
    // What each element of the window is to this task.
    std::vector<uint8_t> role(static_cast<size_t>(s.span), kOutside);
    for (const Member& m : s.members) {
      const TaskRegionArg& arg = regions_[m.requirement];
      const uint8_t mine = arg.privilege == Privilege::ReadOnly ? kReadOnly : kWritable;
      forEachInsideRow(arg.fields[m.field], arg.rects, es, [&](int64_t first, int64_t n) {
        for (int64_t k = m.at + first; k < m.at + first + n; ++k)
          role[static_cast<size_t>(k)] = std::max(role[static_cast<size_t>(k)], mine);
      });
    }
    for (int64_t k = 0; k < s.span && violation.empty(); ++k) {
      const size_t at = static_cast<size_t>(k) * es;
      const uint8_t r = role[static_cast<size_t>(k)];
      if (r == kWritable || std::memcmp(now + at, s.before.data() + at, es) == 0) continue;
      // Name the requirement the element is closest to: the first member's.
      const Member& m = s.members.front();
      const TaskRegionArg& arg = regions_[m.requirement];
      const std::string field = "field '" + arg.names[m.field] + "' of region " + std::to_string(arg.regionNode) +
                                " of tree " + std::to_string(arg.tree) + " (region requirement " +
                                std::to_string(m.requirement) + ")";
      if (r == kOutside)
        violation = "checking mode: " + task + " wrote " + field + " at point " + pointOf(s, k) +
                    ", outside the region it asked for (that element belongs to other tasks; the write was "
                    "discarded)";
      else
        violation = "checking mode: " + task + " wrote " + field + ", but its privilege is read-only";
    }
    // Only elements the task may write go back to the storage.
    for (int64_t k = 0; k < s.span;) {
      if (role[static_cast<size_t>(k)] != kWritable) {
        ++k;
        continue;
      }
      int64_t end = k;
      while (end < s.span && role[static_cast<size_t>(end)] == kWritable) ++end;
      std::memcpy(s.storage + static_cast<size_t>(k) * es, now + static_cast<size_t>(k) * es,
                  static_cast<size_t>(end - k) * es);
      k = end;
    }
  }
  return violation;
}

}  // namespace cohort
