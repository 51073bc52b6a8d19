#include "ops/region_args.h"

#include <algorithm>

#include "util/error.h"

namespace cohort {

namespace {
int32_t abiPrivilege(Privilege p) {
  switch (p) {
    case Privilege::ReadOnly: return COHORT_READ_ONLY;
    case Privilege::ReadWrite: return COHORT_READ_WRITE;
    case Privilege::WriteDiscard: return COHORT_WRITE_DISCARD;
    case Privilege::Reduce: return COHORT_REDUCE;
  }
  return COHORT_READ_ONLY;
}
}  // namespace

void addFieldView(TaskRegionArg& arg, std::shared_ptr<FieldStorage> storage, const Rect& bounds, Privilege privilege,
                  int32_t redop, FieldId field, std::string name) {
  cohort_field_view v{};
  v.dim = bounds.dim();
  v.field_type = static_cast<int32_t>(storage->type());
  v.privilege = abiPrivilege(privilege);
  v.redop = redop;
  if (!bounds.empty()) {
    StorageWindow w = storage->window(bounds);
    v.base = static_cast<char*>(storage->data()) + w.offset * static_cast<int64_t>(storage->elementSize());
    for (int d = 0; d < v.dim; ++d) {
      v.lo[d] = bounds.lo[d];
      v.hi[d] = bounds.hi[d];
      v.strides[d] = w.strides[static_cast<size_t>(d)];
    }
    arg.offsets.push_back(static_cast<uint64_t>(w.offset));
  } else {
    v.base = nullptr;
    for (int d = 0; d < v.dim; ++d) {
      v.lo[d] = 0;
      v.hi[d] = -1;
    }
    arg.offsets.push_back(0);
  }
  arg.fields.push_back(v);
  arg.fieldIds.push_back(field);
  arg.names.push_back(std::move(name));
  arg.keepAlive.push_back(std::move(storage));
}

void addRects(TaskRegionArg& arg, const std::vector<Rect>& rects) {
  for (const Rect& r : rects) {
    std::array<int64_t, 6> b{0, 0, 0, 0, 0, 0};
    for (int d = 0; d < r.dim(); ++d) {
      b[static_cast<size_t>(d)] = r.lo[d];
      b[static_cast<size_t>(d + 3)] = r.hi[d];
    }
    arg.rects.push_back(b);
  }
}

TaskRegionArg bindRegion(RegionForest& forest, const RegionRequirement& req) {
  TaskRegionArg arg;
  const RegionNode& node = forest.region(req.region);
  const Rect& bounds = node.bounds();
  arg.fields.reserve(req.fields.size());
  arg.names.reserve(req.fields.size());
  for (FieldId f : req.fields)
    addFieldView(arg, forest.storage(req.region, f), bounds, req.privilege, static_cast<int32_t>(req.redop), f,
                 forest.fieldSpace(req.region.tree).field(f).name);
  addRects(arg, node.rects());
  arg.tree = req.region.tree;
  arg.regionNode = req.region.node;
  arg.privilege = req.privilege;
  arg.checkable = req.coherence != Coherence::Simultaneous;
  return arg;
}

RectList rectsOf(const TaskRegionArg& arg) {
  const int dim = arg.fields.empty() ? 1 : arg.fields[0].dim;
  RectList out;
  out.reserve(arg.rects.size());
  for (const auto& b : arg.rects) {
    Point lo = Point::filled(dim, 0), hi = Point::filled(dim, 0);
    for (int d = 0; d < dim; ++d) {
      lo[d] = b[static_cast<size_t>(d)];
      hi[d] = b[static_cast<size_t>(d + 3)];
    }
    out.emplace_back(lo, hi);
  }
  return out;
}

std::string describeField(const RegionForest& forest, const RegionRequirement& req, size_t i) {
  return req.region.toString() + " (field '" + forest.fieldSpace(req.region.tree).field(req.fields[i]).name + "')";
}

std::shared_ptr<FieldStorage> storageOf(const TaskOp& op, TreeId tree, FieldId field) {
  for (const TaskRegionArg& a : op.regions()) {
    if (a.tree != tree) continue;
    for (size_t i = 0; i < a.fieldIds.size(); ++i)
      if (a.fieldIds[i] == field) return std::static_pointer_cast<FieldStorage>(a.keepAlive[i]);
  }
  throw Error("internal: " + op.describe() + " copies field " + std::to_string(field) + " of tree " +
              std::to_string(tree) + ", which it does not use");
}

}  // namespace cohort
