// Launches: single and index tasks, fill, fence, future reduction, and the
// issue window.
#include <cmath>

#include "napi/addon_state.h"
#include "napi/index_launch_encoding.h"
#include "napi/marshal.h"
#include "ops/issuer.h"

namespace cohort::napi {
namespace {

std::vector<FuturePtr> futuresFrom(const Napi::Value& v) {
  std::vector<FuturePtr> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), "launch: futures must be an array of Futures");
  Napi::Array a = v.As<Napi::Array>();
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(unwrapFuture(a.Get(i), "each entry of futures"));
  return out;
}

// A launch's encoded arguments, shared with a recent launch's if equal.
SharedBytes argsFrom(Runtime& rt, const Napi::Value& v) {
  const ByteView b = bytesViewOf(v, "args");
  return rt.recentArgs().intern(b.data, b.size);
}

// A reduction of futures; inside a traced body it is replayed with the body.
FuturePtr reduceRecorded(Runtime& rt, const std::vector<FuturePtr>& fs, RedopId redop, const std::string& label) {
  FuturePtr out = reduceFutures(fs, redop, label);
  const AnalysisContextPtr& top = rt.context(0);
  if (top->recording()) top->recording()->recordReduction(fs, redop, label, out);
  return out;
}

// The encoded mapper argument, for the mapper (undefined: none). The
// requirements it sees are filled while they are read.
void mapperArgFrom(const Napi::Value& mapperArg, MapperInput& out) {
  if (!mapperArg.IsUndefined()) out.mapperArg = bytesFrom(mapperArg, "mapperArg");
}

// A scalar the facade wrote into launchScalars (validated there), as an
// integer; what is not a finite number in range reads as `fallback`.
int64_t scalarOr(double v, int64_t fallback) {
  return std::isfinite(v) && std::fabs(v) < 9.007199254740992e15 ? static_cast<int64_t>(v) : fallback;
}

// launch(taskId, args, futures?, regions?, mapperArg?) -> future; the
// scalar options are in launchScalars (read first: a TS mapper called while
// issuing may launch and overwrite them).
Napi::Value Launch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonState& s = state(env);
  Runtime& rt = runtime(env);
  const double* scalars = s.launchScalars;
  SingleLaunch l;
  l.options.variant = static_cast<int>(scalarOr(scalars[kLaunchVariant], -1));
  l.options.pinnedWorker = static_cast<int>(scalarOr(scalars[kLaunchWorker], -1));
  l.parent = static_cast<OpId>(scalarOr(scalars[kLaunchParent], 0));
  l.options.background = scalars[kLaunchBackground] != 0;
  l.mapper = static_cast<uint32_t>(scalarOr(scalars[kLaunchMapper], 0));
  l.tag = static_cast<uint32_t>(scalarOr(scalars[kLaunchTag], 0));
  l.task = u32(info[0], "task id");
  l.args = argsFrom(rt, info[1]);
  l.futures = futuresFrom(info[2]);
  if (info[3].IsArray()) {
    Napi::Array rs = info[3].As<Napi::Array>();
    const uint32_t n = rs.Length();
    l.regions.reserve(n);
    l.mapping.regions.resize(n);
    for (uint32_t i = 0; i < n; ++i)
      l.regions.push_back(requirementFrom(rs.Get(i).As<Napi::Object>(), &l.mapping.regions[i]));
  }
  mapperArgFrom(info[4], l.mapping);
  FuturePtr f = issueTask(rt, std::move(l));
  refWhileBusy(env);
  return wrapFuture(env, std::move(f));
}

// indexLaunch(encoded, args, futures?, extras?) -> future map handle, or
// with extras.reduce the reduced future. `encoded` holds the scalars and
// requirements (napi/index_launch_encoding.h); extras, only when the launch
// has any: {pointArgs?, projections?, mapperArg?, reduce?: {redop, label}}.
Napi::Value IndexLaunchFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = runtime(env);
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(env, "cohort: indexLaunch expects the encoded launch as a Float64Array");
  const bool hasExtras = info[3].IsObject();
  const Napi::Object extras = hasExtras ? info[3].As<Napi::Object>() : Napi::Object();
  IndexLaunch l;
  // Read whole before anything can run JS (a TS mapper may launch and reuse the buffer).
  decodeIndexLaunch(rt.forest(), info[0].As<Napi::Float64Array>(),
                    hasExtras ? extras.Get("projections") : env.Undefined(), l);
  l.args = argsFrom(rt, info[1]);
  l.futures = futuresFrom(info[2]);
  Napi::Value reduce = env.Undefined();
  if (hasExtras) {
    const Napi::Value pointArgs = extras.Get("pointArgs");
    if (pointArgs.IsArray()) {
      Napi::Array pa = pointArgs.As<Napi::Array>();
      for (uint32_t i = 0; i < pa.Length(); ++i) l.pointArgs.push_back(bytesFrom(pa.Get(i), "point args"));
    }
    mapperArgFrom(extras.Get("mapperArg"), l.mapping);
    reduce = extras.Get("reduce");
  }
  // The reduction, if asked for, is checked before anything is launched.
  RedopId redop = kNoRedop;
  std::string reduceLabel;
  if (!reduce.IsUndefined()) {
    redop = static_cast<RedopId>(u32(reduce.As<Napi::Object>().Get("redop"), "redop"));
    reduceLabel = reduce.As<Napi::Object>().Get("label").As<Napi::String>().Utf8Value();
    if (redop < kRedopSum || redop > kRedopMax)
      throw Napi::RangeError::New(env, reduceLabel + ": reduction operator #" + std::to_string(redop) +
                                           " is not a built-in (sum, product, min, max)");
  }
  std::vector<FuturePtr> futures = issueIndexLaunch(rt, std::move(l));
  refWhileBusy(env);
  if (redop != kNoRedop) return wrapFuture(env, reduceRecorded(rt, futures, redop, reduceLabel));
  AddonState& s = state(env);
  return Napi::Number::New(env, s.futureMaps.add(env, s.futures, std::move(futures)));
}

// reduceFutures(futures, redop, label) -> future
Napi::Value ReduceFutures(const Napi::CallbackInfo& info) {
  auto fs = futuresFrom(info[0]);
  std::string label = info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "reduction";
  const auto redop = static_cast<RedopId>(u32(info[1], "redop"));
  return wrapFuture(info.Env(), reduceRecorded(runtime(info.Env()), fs, redop, label));
}

// fence(parent) -> future
Napi::Value Fence(const Napi::CallbackInfo& info) {
  Runtime& rt = runtime(info.Env());
  OpId parent = info[0].IsNumber() ? static_cast<OpId>(info[0].As<Napi::Number>().Int64Value()) : 0;
  return wrapFuture(info.Env(), issueFence(rt, parent));
}

// recordPlan(on): starts (clearing) or stops the plan's debug log.
Napi::Value RecordPlan(const Napi::CallbackInfo& info) {
  runtime(info.Env()).planLog().setEnabled(info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}

// planLines() -> the logged entries, one line each, ordered by name.
Napi::Value PlanLines(const Napi::CallbackInfo& info) {
  std::vector<std::string> lines = runtime(info.Env()).planLog().lines();
  Napi::Array out = Napi::Array::New(info.Env(), lines.size());
  for (size_t i = 0; i < lines.size(); ++i) out.Set(static_cast<uint32_t>(i), lines[i]);
  return out;
}

// armWindow(n) -> true if the JS side must wait for a window item
Napi::Value ArmWindow(const Napi::CallbackInfo& info) {
  Runtime& rt = runtime(info.Env());
  bool armed = rt.jsProcessor().armWindow(static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value()));
  if (armed) refWhileBusy(info.Env());
  return Napi::Boolean::New(info.Env(), armed);
}

OpId parentArg(const Napi::Value& v) { return v.IsNumber() ? static_cast<OpId>(v.As<Napi::Number>().Int64Value()) : 0; }

// beginTrace(parent)
Napi::Value BeginTrace(const Napi::CallbackInfo& info) {
  beginTrace(runtime(info.Env()), parentArg(info[0]));
  return info.Env().Undefined();
}

// endTrace(parent) -> trace handle
Napi::Value EndTrace(const Napi::CallbackInfo& info) {
  AddonState& s = state(info.Env());
  TracePtr t = endTrace(runtime(info.Env()), parentArg(info[0]));
  s.traces.push_back(std::move(t));
  return Napi::Number::New(info.Env(), static_cast<double>(s.traces.size() - 1));
}

TracePtr traceArg(const Napi::CallbackInfo& info) {
  AddonState& s = state(info.Env());
  uint32_t h = u32(info[0], "trace");
  if (h >= s.traces.size() || !s.traces[h]) throw Napi::Error::New(info.Env(), "cohort: unknown or released trace");
  return s.traces[h];
}

// replayTrace(handle, times, parent, window) -> future of every iteration;
// with a window, continueTrace issues the deferred iterations.
Napi::Value ReplayTrace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = runtime(env);
  rt.checkRunning("trace.replay");
  TracePtr t = traceArg(info);
  const AnalysisContextPtr& ctx = rt.context(parentArg(info[2]));
  if (ctx->recording()) throw Napi::Error::New(env, "trace.replay: cannot replay while a trace is being recorded");
  const uint64_t window = info[3].IsNumber() ? static_cast<uint64_t>(info[3].As<Napi::Number>().Int64Value()) : 0;
  FuturePtr f = t->replay(rt, ctx, u32(info[1], "times"), window);
  refWhileBusy(env);
  return wrapFuture(env, std::move(f));
}

// continueTrace(handle, window) -> a future to wait for before calling again,
// or null once every deferred iteration is issued.
Napi::Value ContinueTrace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = runtime(env);
  TracePtr t = traceArg(info);
  FuturePtr resume;
  const bool more = t->continueDeferred(rt, static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value()), resume);
  refWhileBusy(env);  // it may have started C++ tasks
  if (!more) return env.Null();
  return wrapFuture(env, std::move(resume));
}

Napi::Value TraceInfo(const Napi::CallbackInfo& info) {
  TracePtr t = traceArg(info);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("launches", static_cast<double>(t->launches()));
  o.Set("steady", t->steady());
  o.Set("analyzedIterations", t->analyzedIterations());
  o.Set("replayedIterations", t->replayedIterations());
  o.Set("graphIterations", t->graphIterations());
  return o;
}

}  // namespace

void initLaunchBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("recordPlan", Napi::Function::New(env, RecordPlan));
  exports.Set("planLines", Napi::Function::New(env, PlanLines));
  exports.Set("beginTrace", Napi::Function::New(env, BeginTrace));
  exports.Set("endTrace", Napi::Function::New(env, EndTrace));
  exports.Set("replayTrace", Napi::Function::New(env, ReplayTrace));
  exports.Set("traceInfo", Napi::Function::New(env, TraceInfo));
  exports.Set("continueTrace", Napi::Function::New(env, ContinueTrace));
  exports.Set("launch", Napi::Function::New(env, Launch));
  exports.Set("indexLaunch", Napi::Function::New(env, IndexLaunchFn));
  exports.Set("reduceFutures", Napi::Function::New(env, ReduceFutures));
  exports.Set("fence", Napi::Function::New(env, Fence));
  exports.Set("armWindow", Napi::Function::New(env, ArmWindow));
}

}  // namespace cohort::napi
