// Regions, partitions and their storage, as plain JS values.
#include <memory>

#include "napi/addon_state.h"
#include "napi/marshal.h"
#include "runtime/rank_service.h"

namespace cohort::napi {
namespace {

Napi::Object regionInfo(Napi::Env env, RegionForest& forest, RegionHandle h) {
  const RegionNode& node = forest.region(h);
  Napi::Object o = Napi::Object::New(env);
  o.Set("tree", h.tree);
  o.Set("node", h.node);
  o.Set("lo", arrayFrom(env, node.bounds().lo));
  o.Set("hi", arrayFrom(env, node.bounds().hi));
  o.Set("volume", static_cast<double>(node.volume()));
  Napi::Array rects = Napi::Array::New(env, node.rects().size());
  for (size_t i = 0; i < node.rects().size(); ++i) {
    Napi::Array r = Napi::Array::New(env, 2);
    r.Set(0u, arrayFrom(env, node.rects()[i].lo));
    r.Set(1u, arrayFrom(env, node.rects()[i].hi));
    rects.Set(static_cast<uint32_t>(i), r);
  }
  o.Set("rects", rects);
  return o;
}

Napi::Object partitionInfo(Napi::Env env, RegionForest& forest, PartitionHandle h) {
  const PartitionNode& p = forest.partition(h);
  Napi::Object o = Napi::Object::New(env);
  o.Set("tree", h.tree);
  o.Set("node", h.node);
  o.Set("disjoint", p.disjoint());
  o.Set("complete", p.complete());
  o.Set("colorLo", arrayFrom(env, p.colorSpace().lo));
  o.Set("colorHi", arrayFrom(env, p.colorSpace().hi));
  return o;
}

RegionHandle regionArg(const Napi::CallbackInfo& info, size_t at) {
  return RegionHandle{u32(info[at], "region tree"), u32(info[at + 1], "region node")};
}

// createRegion(lo, hi, [[name, type], ...]) -> region info + field ids
Napi::Value CreateRegion(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = runtime(env);
  rt.checkRunning("createRegion");
  Rect bounds = rectFrom(info[0], info[1], "region bounds");
  if (!info[2].IsArray()) throw Napi::TypeError::New(env, "createRegion: fields must be an object of name: type");
  Napi::Array fs = info[2].As<Napi::Array>();
  std::vector<std::pair<std::string, FieldType>> fields;
  for (uint32_t i = 0; i < fs.Length(); ++i) {
    Napi::Array pair = fs.Get(i).As<Napi::Array>();
    fields.emplace_back(pair.Get(0u).As<Napi::String>().Utf8Value(),
                        parseFieldType(pair.Get(1u).As<Napi::String>().Utf8Value()));
  }
  RegionHandle h = rt.forest().createRegion(bounds, fields);
  Napi::Object o = regionInfo(env, rt.forest(), h);
  Napi::Array ids = Napi::Array::New(env, fields.size());
  const FieldSpace& space = rt.forest().fieldSpace(h.tree);
  for (uint32_t i = 0; i < fields.size(); ++i) ids.Set(i, space.idOf(fields[i].first));
  o.Set("fieldIds", ids);
  return o;
}

// partitionEqual(tree, node, colorLo, colorHi)
Napi::Value PartitionEqual(const Napi::CallbackInfo& info) {
  Runtime& rt = runtime(info.Env());
  PartitionHandle p = rt.forest().partitionEqual(regionArg(info, 0), rectFrom(info[2], info[3], "color space"));
  return partitionInfo(info.Env(), rt.forest(), p);
}

// partitionByBlocks(tree, node, blockSize, haloLo, haloHi)
Napi::Value PartitionByBlocks(const Napi::CallbackInfo& info) {
  Runtime& rt = runtime(info.Env());
  PartitionHandle p = rt.forest().partitionByBlocks(regionArg(info, 0), pointFrom(info[2], "block size"),
                                                    pointFrom(info[3], "halo lo"), pointFrom(info[4], "halo hi"));
  return partitionInfo(info.Env(), rt.forest(), p);
}

// partitionByRects(tree, node, [[[lo, hi], ...] per color])
Napi::Value PartitionByRects(const Napi::CallbackInfo& info) {
  Runtime& rt = runtime(info.Env());
  Napi::Array colors = info[2].As<Napi::Array>();
  std::vector<RectList> lists;
  for (uint32_t c = 0; c < colors.Length(); ++c) {
    Napi::Array rects = colors.Get(c).As<Napi::Array>();
    RectList list;
    for (uint32_t i = 0; i < rects.Length(); ++i) {
      Napi::Array r = rects.Get(i).As<Napi::Array>();
      list.push_back(rectFrom(r.Get(0u), r.Get(1u), "partition rect"));
    }
    lists.push_back(std::move(list));
  }
  PartitionHandle p = rt.forest().partitionByRects(regionArg(info, 0), lists);
  return partitionInfo(info.Env(), rt.forest(), p);
}

// subregion(tree, partitionNode, color) -> region info
Napi::Value Subregion(const Napi::CallbackInfo& info) {
  Runtime& rt = runtime(info.Env());
  PartitionHandle p{u32(info[0], "tree"), u32(info[1], "partition")};
  RegionHandle r = rt.forest().subregion(p, pointFrom(info[2], "color"));
  return regionInfo(info.Env(), rt.forest(), r);
}

Napi::Value DestroyRegion(const Napi::CallbackInfo& info) {
  Runtime& rt = runtime(info.Env());
  TreeId tree = u32(info[0], "tree");
  rt.forest().destroyTree(tree);
  rt.context(0)->analyzer().dropTree(tree);
  if (RankService* ranks = rt.ranks(); ranks && (ranks->rank() == 0 || ranks->replicated())) ranks->dropTree(tree);
  return info.Env().Undefined();
}

// storageBuffer(tree, fieldId) -> an ArrayBuffer over the field's storage
// (zero copy); it keeps the storage alive while JS holds it.
Napi::Value StorageBuffer(const Napi::CallbackInfo& info) {
  Runtime& rt = runtime(info.Env());
  RegionHandle root{u32(info[0], "tree"), 0};
  return storageArrayBuffer(info.Env(), rt.forest().storage(root, u32(info[1], "field")));
}

Napi::Value AnalysisCounters(const Napi::CallbackInfo& info) {
  Runtime& rt = runtime(info.Env());
  const auto& c = rt.context(0)->analyzer().counters();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("operations", static_cast<double>(c.operations));
  o.Set("points", static_cast<double>(c.points));
  o.Set("usersExamined", static_cast<double>(c.usersExamined));
  o.Set("piecesVisited", static_cast<double>(c.piecesVisited));
  o.Set("edgesAdded", static_cast<double>(c.edgesAdded));
  if (info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value()) rt.context(0)->analyzer().resetCounters();
  return o;
}

}  // namespace

void initRegionBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("createRegion", Napi::Function::New(env, CreateRegion));
  exports.Set("partitionEqual", Napi::Function::New(env, PartitionEqual));
  exports.Set("partitionByBlocks", Napi::Function::New(env, PartitionByBlocks));
  exports.Set("partitionByRects", Napi::Function::New(env, PartitionByRects));
  exports.Set("subregion", Napi::Function::New(env, Subregion));
  exports.Set("destroyRegion", Napi::Function::New(env, DestroyRegion));
  exports.Set("storageBuffer", Napi::Function::New(env, StorageBuffer));
  exports.Set("analysisCounters", Napi::Function::New(env, AnalysisCounters));
}

}  // namespace cohort::napi
