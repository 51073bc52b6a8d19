// Proxies that let TS mapper and sharding-functor classes stand where the
// core expects a Mapper or ShardingFunctor. A callback the TS class does not
// override goes to the C++ default mapper: no JS call at all. Overridden
// ones call one TS dispatcher synchronously with the task they map, built
// here from the core's MappableTask (so a task from anywhere can be mapped;
// nothing of the launch is kept in JS). The JS task object is built once per
// placement and reused by every callback of it; a point is passed beside it
// (the TS side makes the per-point view), and mapTask for all points of an
// index launch is one call. The calls happen while a launch is issued on the
// JS thread, so there is no thread hop.
#include <cmath>
#include <cstdint>
#include <string>

#include "cohort/value.hpp"
#include "mapping/mapper_callbacks.h"
#include "napi/addon_state.h"
#include "napi/marshal.h"
#include "util/error.h"

namespace cohort::napi {
namespace {

using Callback = MapperCallback;
constexpr Callback kSelectTaskOptions = MapperCallback::SelectTaskOptions;
constexpr Callback kSliceTask = MapperCallback::SliceTask;
constexpr Callback kMapTask = MapperCallback::MapTask;
constexpr Callback kSelectShardingFunctor = MapperCallback::SelectShardingFunctor;
constexpr Callback kReplicateTask = MapperCallback::ReplicateTask;
constexpr Callback kMapPoints = MapperCallback::MapPoints;

// A number in an answer: an integer, never truncated (1.5, NaN, Infinity
// are refused).
int32_t integer(const Napi::Value& v, const std::string& what) {
  bool ok = v.IsNumber();
  double d = ok ? v.As<Napi::Number>().DoubleValue() : 0;
  if (!ok || !std::isfinite(d) || std::trunc(d) != d || d < INT32_MIN || d > INT32_MAX) {
    std::string got = v.IsString()   ? "'" + v.ToString().Utf8Value() + "'"
                      : v.IsObject() ? std::string(v.IsArray() ? "an array" : "an object")
                                     : v.ToString().Utf8Value();
    throw Error(what + " must be an integer, got " + got);
  }
  return static_cast<int32_t>(d);
}

int32_t intOr(const Napi::Object& o, const char* key, int32_t fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  return integer(v, std::string("'") + key + "'");
}

class JsMapper final : public Mapper {
 public:
  JsMapper(Napi::Env env, MapperId id, std::string name, uint32_t overrides, Napi::Function dispatch, Mapper& fallback,
           const RegionForest& forest)
      : env_(env), id_(id), name_(std::move(name)), overrides_(overrides), fallback_(fallback), forest_(forest) {
    dispatch_ = Napi::Persistent(dispatch);
  }

  std::string name() const override { return name_; }
  bool mapsEachPoint() const override { return overridden(kMapTask); }
  void beginPlacement() override { placing_.emplace_back(); }
  void endPlacement() override {
    if (!placing_.empty()) placing_.pop_back();
  }

  void selectTaskOptions(const MappableTask& t, const Machine& m, TaskOptions& out) override {
    if (!overridden(kSelectTaskOptions)) return fallback_.selectTaskOptions(t, m, out);
    Napi::Value r = call(kSelectTaskOptions, t);
    out = TaskOptions{};
    if (r.IsUndefined() || r.IsNull()) return;
    Napi::Object o = object(r, "an object {targetProcessor?, inline?, replicate?, mapLocally?}");
    out.targetProcessor = intOr(o, "targetProcessor", kAnyProcessor);
    out.inlineTask = o.Get("inline").ToBoolean().Value();
    out.replicate = o.Get("replicate").ToBoolean().Value();
    if (o.Has("mapLocally") && !o.Get("mapLocally").IsUndefined()) {
      if (!o.Get("mapLocally").IsBoolean())
        throw Error("mapLocally must be a boolean, got " + typeName(o.Get("mapLocally")));
      out.mapLocally = o.Get("mapLocally").As<Napi::Boolean>().Value();
    }
  }

  void sliceTask(const MappableTask& t, const Domain& domain, const Machine& m, std::vector<TaskSlice>& out) override {
    if (!overridden(kSliceTask)) return fallback_.sliceTask(t, domain, m, out);
    Napi::Value r = call(kSliceTask, t);
    if (!r.IsArray()) throw Error("expected an array of slices {domain: {lo, hi}, processor}, got " + typeName(r));
    Napi::Array a = r.As<Napi::Array>();
    out.clear();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      Napi::Object s = object(a.Get(i), "a slice {domain: {lo, hi}, processor}");
      Napi::Value d = s.Get("domain");
      if (!d.IsObject()) throw Error("slice " + std::to_string(i) + " has no domain {lo, hi}");
      Napi::Object dom = d.As<Napi::Object>();
      out.push_back(
          TaskSlice{rectFrom(dom.Get("lo"), dom.Get("hi"), "slice domain"), intOr(s, "processor", kAnyProcessor)});
    }
  }

  void mapTask(const MappableTask& t, const Machine& m, MapTaskOutput& out) override {
    if (!overridden(kMapTask)) return fallback_.mapTask(t, m, out);
    parseMapTask(call(kMapTask, t), out);
  }

  void mapPoints(const MappableTask& t, const std::vector<Point>& points, const Machine& m,
                 std::vector<MapTaskOutput>& out) override {
    if (!overridden(kMapTask)) return Mapper::mapPoints(t, points, m, out);
    Napi::Array pts = Napi::Array::New(env_, points.size());
    for (size_t i = 0; i < points.size(); ++i) pts.Set(static_cast<uint32_t>(i), arrayFrom(env_, points[i]));
    Napi::Value r = dispatch(kMapPoints, t, pts);
    if (!r.IsArray()) throw Error("expected one answer per point");
    Napi::Array answers = r.As<Napi::Array>();
    out.assign(answers.Length(), MapTaskOutput{});
    for (uint32_t i = 0; i < answers.Length(); ++i) {
      try {
        parseMapTask(answers.Get(i), out[i]);
      } catch (const Error& e) {
        throw Error("at point " + points[i].toString() + ": " + e.what());
      }
    }
  }

  void selectShardingFunctor(const MappableTask& t, const Machine& m, ShardingOutput& out) override {
    if (!overridden(kSelectShardingFunctor)) return fallback_.selectShardingFunctor(t, m, out);
    Napi::Value r = call(kSelectShardingFunctor, t);
    if (!r.IsNumber()) throw Error("expected a sharding functor id (a number), got " + typeName(r));
    int64_t id = r.As<Napi::Number>().Int64Value();
    if (id < 0) throw Error("sharding functor id must be >= 0, got " + std::to_string(id));
    out.functor = static_cast<ShardingId>(id);
  }

  void replicateTask(const MappableTask& t, const Machine& m, ReplicateTaskOutput& out) override {
    if (!overridden(kReplicateTask)) return fallback_.replicateTask(t, m, out);
    Napi::Value r = call(kReplicateTask, t);
    Napi::Object o = object(r, "an object {shardRanks: number[]}");
    Napi::Value ranks = o.Get("shardRanks");
    if (!ranks.IsArray()) throw Error("shardRanks must be an array of rank numbers");
    Napi::Array a = ranks.As<Napi::Array>();
    out.shardRanks.clear();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      int64_t rank = a.Get(i).As<Napi::Number>().Int64Value();
      if (rank < 0) throw Error("rank " + std::to_string(rank) + " is negative");
      out.shardRanks.push_back(static_cast<uint32_t>(rank));
    }
  }

 private:
  bool overridden(Callback c) const { return (overrides_ & bitOf(c)) != 0; }

  // dispatch(mapperId, callback, task, point | points | undefined): the
  // point of mapTask, or every point for mapPoints.
  Napi::Value call(Callback c, const MappableTask& t) {
    return dispatch(c, t, t.hasPoint ? Napi::Value(arrayFrom(env_, t.point)) : env_.Undefined());
  }
  Napi::Value dispatch(Callback c, const MappableTask& t, Napi::Value arg) {
    try {
      Napi::Object task = taskObject(t);
      return dispatch_.Call(
          {Napi::Number::New(env_, id_), Napi::Number::New(env_, static_cast<uint32_t>(c)), task, arg});
    } catch (const Napi::Error& e) {
      throw Error(e.Message());
    }
  }

  // The launch's JS MappableTask: built on the first callback of a
  // placement, reused by the others (points are passed beside it).
  Napi::Object taskObject(const MappableTask& t) {
    if (placing_.empty()) return sameOrBuilt(t);  // a call outside placement.cc
    Napi::ObjectReference& cached = placing_.back();
    if (cached.IsEmpty()) cached = Napi::Persistent(sameOrBuilt(t));
    return cached.Value();
  }

  // What a task object was built from. A launch like the previous one (a
  // loop issuing the same launch) gets the same object: it is frozen, deep,
  // so no mapper can change what the next one sees.
  struct BuiltFrom {
    TaskId task = 0;
    bool index = false;
    Domain domain;
    uint32_t tag = 0;
    std::vector<MappableRequirement> regions;
    std::vector<std::string> fieldNames;  // a tree id may come back with other fields
    std::vector<uint8_t> mapperArg;
  };
  std::vector<std::string> fieldNamesOf(const std::vector<MappableRequirement>& regions) const {
    std::vector<std::string> names;
    for (const auto& r : regions) {
      const FieldSpace& fs = forest_.fieldSpace(r.tree);
      for (FieldId f : r.fields) names.push_back(fs.field(f).name);
    }
    return names;
  }
  static bool sameRequirement(const MappableRequirement& a, const MappableRequirement& b) {
    return a.partition == b.partition && a.tree == b.tree && a.node == b.node && a.fields == b.fields &&
           a.privilege == b.privilege && a.redop == b.redop && a.coherence == b.coherence;
  }
  bool sameAsLast(const MappableTask& t) const {
    if (lastBuilt_.IsEmpty() || lastFrom_.task != t.task->id || lastFrom_.index != t.isIndexLaunch ||
        lastFrom_.tag != t.tag || (t.isIndexLaunch && !(lastFrom_.domain == t.launchDomain)))
      return false;
    static const std::vector<MappableRequirement> kNoRegions;
    static const std::vector<uint8_t> kNoArg;
    const auto& regions = t.input ? t.input->regions : kNoRegions;
    const auto& arg = t.input ? t.input->mapperArg : kNoArg;
    if (regions.size() != lastFrom_.regions.size() || arg != lastFrom_.mapperArg) return false;
    for (size_t i = 0; i < regions.size(); ++i)
      if (!sameRequirement(regions[i], lastFrom_.regions[i])) return false;
    size_t k = 0;  // the same field names, compared in place
    for (const auto& r : regions) {
      const FieldSpace& fs = forest_.fieldSpace(r.tree);
      for (FieldId f : r.fields)
        if (k >= lastFrom_.fieldNames.size() || fs.field(f).name != lastFrom_.fieldNames[k++]) return false;
    }
    return k == lastFrom_.fieldNames.size();
  }
  Napi::Object sameOrBuilt(const MappableTask& t) {
    if (sameAsLast(t)) return lastBuilt_.Value();
    Napi::Object o = buildTask(t);
    lastBuilt_ = Napi::Persistent(o);
    lastFrom_.task = t.task->id;
    lastFrom_.index = t.isIndexLaunch;
    lastFrom_.domain = t.launchDomain;
    lastFrom_.tag = t.tag;
    lastFrom_.regions = t.input ? t.input->regions : std::vector<MappableRequirement>{};
    lastFrom_.fieldNames = fieldNamesOf(lastFrom_.regions);
    lastFrom_.mapperArg = t.input ? t.input->mapperArg : std::vector<uint8_t>{};
    return o;
  }

  // Deeply frozen (see BuiltFrom).
  Napi::Object buildTask(const MappableTask& t) const {
    Napi::Env env = env_;
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", t.task->name);
    o.Set("id", t.task->id);
    o.Set("isIndexLaunch", t.isIndexLaunch);
    if (t.isIndexLaunch) {
      Napi::Object d = Napi::Object::New(env);
      d.Set("lo", frozen(arrayFrom(env, t.launchDomain.lo)));
      d.Set("hi", frozen(arrayFrom(env, t.launchDomain.hi)));
      o.Set("launchDomain", frozen(d));
    }
    o.Set("tag", t.tag);
    const size_t nreq = t.input ? t.input->regions.size() : 0;
    Napi::Array regions = Napi::Array::New(env, nreq);
    for (size_t i = 0; i < nreq; ++i) regions.Set(static_cast<uint32_t>(i), requirementObject(t.input->regions[i]));
    o.Set("regions", frozen(regions));
    if (t.input && !t.input->mapperArg.empty()) {
      const auto& bytes = t.input->mapperArg;
      o.Set("mapperArg", deepFrozen(jsFromValue(env, Value::decode(bytes.data(), bytes.size()))));
    } else {
      o.Set("mapperArg", env.Undefined());
    }
    Napi::Array variants = Napi::Array::New(env);
    if (t.task->cpp) variants.Set(variants.Length(), "cpp");
    if (t.task->js) variants.Set(variants.Length(), "ts");
    o.Set("variants", frozen(variants));
    return frozen(o);
  }

  template <typename T>
  static T frozen(T o) {
    o.Freeze();
    return o;
  }
  // A decoded mapper argument: objects and arrays all the way down.
  static Napi::Value deepFrozen(Napi::Value v) {
    if (!v.IsObject()) return v;
    Napi::Object o = v.As<Napi::Object>();
    Napi::Array keys = o.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); ++i) deepFrozen(o.Get(keys.Get(i)));
    o.Freeze();
    return o;
  }

  Napi::Object requirementObject(const MappableRequirement& r) const {
    Napi::Env env = env_;
    Napi::Object o = Napi::Object::New(env);
    o.Set("kind", r.partition ? "partition" : "region");
    o.Set("tree", r.tree);
    o.Set("node", r.node);
    const FieldSpace& fs = forest_.fieldSpace(r.tree);
    Napi::Array fields = Napi::Array::New(env, r.fields.size());
    for (size_t i = 0; i < r.fields.size(); ++i) fields.Set(static_cast<uint32_t>(i), fs.field(r.fields[i]).name);
    o.Set("fields", frozen(fields));
    o.Set("privilege", privilegeName(r.privilege));
    return frozen(o);
  }

  void parseMapTask(const Napi::Value& r, MapTaskOutput& out) const {
    out = MapTaskOutput{};
    if (r.IsUndefined() || r.IsNull()) return;
    Napi::Object o = object(r, "an object {variant?, targetProcessors?, priority?}");
    Napi::Value v = o.Get("variant");
    if (v.IsString()) {
      std::string name = v.As<Napi::String>().Utf8Value();
      if (name == "cpp")
        out.variant = static_cast<int>(VariantKind::Cpp);
      else if (name == "ts")
        out.variant = static_cast<int>(VariantKind::Js);
      else
        throw Error("variant must be 'cpp' or 'ts', got '" + name + "'");
    } else if (!v.IsUndefined()) {
      throw Error("variant must be 'cpp' or 'ts', got " + typeName(v));
    }
    Napi::Value tp = o.Get("targetProcessors");
    if (tp.IsArray()) {
      Napi::Array a = tp.As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); ++i)
        out.targetProcessors.push_back(
            integer(a.Get(i), "targetProcessors[" + std::to_string(i) + "] (a processor id)"));
    } else if (!tp.IsUndefined()) {
      throw Error("targetProcessors must be an array of processor ids");
    }
    out.priority = intOr(o, "priority", 0);
  }

  static std::string typeName(const Napi::Value& v) {
    if (v.IsUndefined()) return "undefined";
    if (v.IsNull()) return "null";
    if (v.IsArray()) return "an array";
    if (v.IsString()) return "a string";
    if (v.IsNumber()) return "a number";
    if (v.IsBoolean()) return "a boolean";
    return "an object";
  }
  static Napi::Object object(const Napi::Value& v, const char* expected) {
    if (!v.IsObject() || v.IsArray()) throw Error(std::string("expected ") + expected + ", got " + typeName(v));
    return v.As<Napi::Object>();
  }

  Napi::Env env_;
  MapperId id_;
  std::string name_;
  uint32_t overrides_;
  Napi::FunctionReference dispatch_;
  Mapper& fallback_;
  const RegionForest& forest_;
  std::vector<Napi::ObjectReference> placing_;  // per placement being made (they may nest)
  Napi::ObjectReference lastBuilt_;             // the last task object built, from lastFrom_
  BuiltFrom lastFrom_;
};

class JsShardingFunctor final : public ShardingFunctor {
 public:
  JsShardingFunctor(Napi::Env env, ShardingId id, std::string name, Napi::Function dispatch)
      : env_(env), id_(id), name_(std::move(name)) {
    dispatch_ = Napi::Persistent(dispatch);
  }
  std::string name() const override { return name_; }
  int64_t shard(const Point& p, const Domain& d, uint32_t total) override {
    Napi::Value r;
    try {
      r = dispatch_.Call({Napi::Number::New(env_, id_), arrayFrom(env_, p), arrayFrom(env_, d.lo),
                          arrayFrom(env_, d.hi), Napi::Number::New(env_, total)});
    } catch (const Napi::Error& e) {
      throw Error(e.Message());
    }
    if (!r.IsNumber()) throw Error("shard() must return a number");
    double v = r.As<Napi::Number>().DoubleValue();
    if (v != static_cast<double>(static_cast<int64_t>(v)))
      throw Error("shard() returned " + std::to_string(v) + ", not an integer");
    return static_cast<int64_t>(v);
  }

 private:
  Napi::Env env_;
  ShardingId id_;
  std::string name_;
  Napi::FunctionReference dispatch_;
};

// addMapper(id, name, overridesMask, dispatch, replaceDefault)
Napi::Value AddMapper(const Napi::CallbackInfo& info) {
  Runtime& rt = runtime(info.Env());
  MapperId id = u32(info[0], "mapper id");
  std::string name = info[1].As<Napi::String>().Utf8Value();
  auto mapper = std::make_shared<JsMapper>(info.Env(), id, name, u32(info[2], "overrides"),
                                           info[3].As<Napi::Function>(), rt.mappers().builtinDefault(), rt.forest());
  if (info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value())
    rt.mappers().replaceDefault(mapper);
  else
    rt.mappers().add(id, mapper);
  return info.Env().Undefined();
}

// registerShardingFunctor(id, name, dispatch)
Napi::Value RegisterShardingFunctor(const Napi::CallbackInfo& info) {
  Runtime& rt = runtime(info.Env());
  ShardingId id = u32(info[0], "sharding functor id");
  rt.sharding().add(id, std::make_shared<JsShardingFunctor>(info.Env(), id, info[1].As<Napi::String>().Utf8Value(),
                                                            info[2].As<Napi::Function>()));
  return info.Env().Undefined();
}

// An integer in [lo, hi], or a RangeError naming the argument and the bounds.
double integerIn(const Napi::Value& v, double lo, double hi, const char* what) {
  double x = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : std::nan("");
  if (!(x >= lo && x <= hi) || std::floor(x) != x)
    throw Napi::RangeError::New(v.Env(), std::string("shardPoints: ") + what + " must be an integer from " +
                                             std::to_string(static_cast<uint64_t>(lo)) + " to " +
                                             std::to_string(static_cast<uint64_t>(hi)) + ", got " +
                                             v.ToString().Utf8Value());
  return x;
}

// shardPoints(functorId, lo, hi, totalShards) -> points per shard. The
// answer has one array per shard and one per point: both are bounded
// (sharding.h) so a bad count is a RangeError, not an allocation failure.
Napi::Value ShardPoints(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = runtime(env);
  auto id = static_cast<ShardingId>(integerIn(info[0], 0, 4294967295.0, "functorId"));
  auto total = static_cast<uint32_t>(integerIn(info[3], 1, kMaxShardsQueried, "totalShards"));
  Rect domain = rectFrom(info[1], info[2], "domain");
  uint64_t points = 0;
  try {
    points = domain.volume();
  } catch (const Error&) {
    points = kMaxShardQueryPoints + 1;
  }
  if (points > kMaxShardQueryPoints)
    throw Napi::RangeError::New(env, "shardPoints: the domain " + domain.toString() + " has more than " +
                                         std::to_string(kMaxShardQueryPoints) +
                                         " points (the answer lists every point)");
  auto shards = rt.sharding().shardPoints(id, domain, total);
  Napi::Array out = Napi::Array::New(env, shards.size());
  for (size_t s = 0; s < shards.size(); ++s) {
    Napi::Array pts = Napi::Array::New(env, shards[s].size());
    for (size_t i = 0; i < shards[s].size(); ++i) pts.Set(static_cast<uint32_t>(i), arrayFrom(env, shards[s][i]));
    out.Set(static_cast<uint32_t>(s), pts);
  }
  return out;
}

// machine() -> {processors: [{id, kind, rank}], ranks}
Napi::Value MachineInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Machine m = runtime(env).machineOfAllRanks();
  Napi::Array procs = Napi::Array::New(env, m.processors.size());
  for (size_t i = 0; i < m.processors.size(); ++i) {
    Napi::Object p = Napi::Object::New(env);
    p.Set("id", m.processors[i].id);
    p.Set("kind", m.processors[i].kind == ProcessorKind::Cpu ? "cpu" : "js");
    p.Set("rank", m.processors[i].rank);
    procs.Set(static_cast<uint32_t>(i), p);
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("processors", procs);
  o.Set("ranks", m.ranks);
  o.Set("rank", m.localRank);
  return o;
}

}  // namespace

void initMappingBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("addMapper", Napi::Function::New(env, AddMapper));
  exports.Set("registerShardingFunctor", Napi::Function::New(env, RegisterShardingFunctor));
  exports.Set("shardPoints", Napi::Function::New(env, ShardPoints));
  exports.Set("maxShardsQueried", Napi::Number::New(env, kMaxShardsQueried));
  exports.Set("maxShardQueryPoints", Napi::Number::New(env, static_cast<double>(kMaxShardQueryPoints)));
  exports.Set("machine", Napi::Function::New(env, MachineInfo));
  // The callback ids (mapping/mapper_callbacks.h): the facade's only source.
  Napi::Object callbacks = Napi::Object::New(env);
  for (const MapperCallbackEntry& c : kMapperCallbacks) callbacks.Set(c.name, static_cast<uint32_t>(c.id));
  callbacks.Freeze();
  exports.Set("mapperCallbacks", callbacks);
}

}  // namespace cohort::napi
