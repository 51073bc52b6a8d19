#include "ops/checked_views.h"

#include <cstring>

#include "data/instance.h"
#include "ops/view_rows.h"

namespace cohort {

namespace {

size_t elementSizeOf(int32_t type) {
  switch (type) {
    case COHORT_F64: case COHORT_I64: return 8;
    case COHORT_F32: case COHORT_I32: case COHORT_U32: return 4;
    default: return 1;
  }
}

int64_t spanOf(const cohort_field_view& v) {
  int64_t span = 1;
  for (int d = 0; d < v.dim; ++d) span += (v.hi[d] - v.lo[d]) * v.strides[d];
  return span;
}

// Calls inside(first element index, count) for every row of the region's
// exact rects, as element indices from the view's base.
template <typename T, typename Inside>
void rowsOf(const cohort_field_view& v, const std::vector<std::array<int64_t, 6>>& rects, Inside&& inside) {
  const T* base = static_cast<const T*>(v.base);
  for (const auto& r : rects)
    forEachRow<const T>(v, r.data(), r.data() + 3, [&](const T* p, int64_t n) { inside(p - base, n); });
}

template <typename Inside>
void forEachInsideRow(const cohort_field_view& v, const std::vector<std::array<int64_t, 6>>& rects, size_t es,
                      Inside&& inside) {
  switch (es) {  // walk in units of the element
    case 8: rowsOf<uint64_t>(v, rects, inside); break;
    case 4: rowsOf<uint32_t>(v, rects, inside); break;
    default: rowsOf<uint8_t>(v, rects, inside); break;
  }
}

}  // namespace

CheckedViews::CheckedViews(const std::vector<TaskRegionArg>& regions) : regions_(regions) {
  for (size_t r = 0; r < regions_.size(); ++r) {
    TaskRegionArg& arg = regions_[r];
    if (!arg.checkable) continue;  // simultaneous: others write meanwhile, by design
    arg.shadows.assign(arg.fields.size(), nullptr);
    for (size_t f = 0; f < arg.fields.size(); ++f) {
      cohort_field_view& v = arg.fields[f];
      if (!v.base) continue;  // an empty region: nothing to see
      Shadow s;
      s.requirement = r;
      s.field = f;
      s.elementSize = elementSizeOf(v.field_type);
      s.span = spanOf(v);
      s.storage = static_cast<uint8_t*>(v.base);
      const size_t bytes = static_cast<size_t>(s.span) * s.elementSize;
      s.copy = std::make_shared<std::vector<uint8_t>>(s.storage, s.storage + bytes);
      s.before.assign(s.storage, s.storage + bytes);
      v.base = s.copy->data();
      arg.shadows[f] = s.copy;
      shadows_.push_back(std::move(s));
    }
  }
}

std::string CheckedViews::pointOf(const Shadow& s, int64_t element) const {
  const TaskRegionArg& arg = regions_[s.requirement];
  auto storage = std::static_pointer_cast<FieldStorage>(arg.keepAlive[s.field]);
  int64_t at = static_cast<int64_t>(arg.offsets[s.field]) + element;
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
  std::string violation;
  for (const Shadow& s : shadows_) {
    const TaskRegionArg& arg = regions_[s.requirement];
    const cohort_field_view& v = arg.fields[s.field];
    const uint8_t* now = s.copy->data();
    const size_t es = s.elementSize;
    const bool readOnly = arg.privilege == Privilege::ReadOnly;
    const bool changed = std::memcmp(now, s.before.data(), s.before.size()) != 0;
    if (changed && violation.empty()) {
      std::vector<bool> inside(static_cast<size_t>(s.span), false);
      forEachInsideRow(v, arg.rects, es, [&](int64_t first, int64_t n) {
        for (int64_t k = first; k < first + n; ++k) inside[static_cast<size_t>(k)] = true;
      });
      const std::string field = "field '" + arg.names[s.field] + "' of region " + std::to_string(arg.regionNode) +
                                " of tree " + std::to_string(arg.tree) + " (region requirement " +
                                std::to_string(s.requirement) + ")";
      for (int64_t k = 0; k < s.span && violation.empty(); ++k) {
        const size_t at = static_cast<size_t>(k) * es;
        if (std::memcmp(now + at, s.before.data() + at, es) == 0) continue;
        if (!inside[static_cast<size_t>(k)])
          violation = "checking mode: " + task + " wrote " + field + " at point " + pointOf(s, k) +
                      ", outside the region it asked for (that element belongs to other tasks; the write was "
                      "discarded)";
        else if (readOnly)
          violation = "checking mode: " + task + " wrote " + field + ", but its privilege is read-only";
      }
    }
    if (readOnly || !changed) continue;
    // Only the region's own elements go back to the storage.
    forEachInsideRow(v, arg.rects, es, [&](int64_t first, int64_t n) {
      std::memcpy(s.storage + static_cast<size_t>(first) * es, now + static_cast<size_t>(first) * es,
                  static_cast<size_t>(n) * es);
    });
  }
  return violation;
}

}  // namespace cohort
