// The runtime object's bindings: start/shutdown, task registration,
// libraries, launches, and the JS processor's drain protocol.
#include <cstring>
#include <string>
#include <vector>

#include "napi/addon_state.h"

namespace cohort::napi {
namespace {

uint32_t toU32(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string("cohort: ") + what + " must be a number");
  return v.As<Napi::Number>().Uint32Value();
}

// start(workers|undefined, drain, checks) -> {workers, jsProcessor, ...}
Napi::Value Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonState& s = state(env);
  RuntimeOptions opts;
  bool requested = info[0].IsNumber();
  if (requested) opts.workers = info[0].As<Napi::Number>().Uint32Value();
  opts.checks = info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value();
  if (info[3].IsArray()) {
    Napi::Array dirs = info[3].As<Napi::Array>();
    for (uint32_t i = 0; i < dirs.Length(); ++i)
      if (dirs.Get(i).IsString()) opts.pluginDirs.push_back(dirs.Get(i).As<Napi::String>().Utf8Value());
  }
  if (!info[1].IsFunction()) throw Napi::TypeError::New(env, "cohort: start needs the drain callback");
  auto rt = Runtime::start(opts, requested);
  if (s.runtime != rt) {
    s.runtime = rt;
    s.wake = Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(), "cohort-wake", 0, 1);
    s.wake.Unref(env);
    s.wakeRefed = false;
    Napi::ThreadSafeFunction tsfn = s.wake;
    rt->jsProcessor().setNotifier([tsfn]() mutable { tsfn.NonBlockingCall(); });
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("workers", rt->workerCount());
  out.Set("jsProcessor", rt->jsProcessor().firstId());
  out.Set("checks", rt->checksEnabled());
  out.Set("inlineMapTask", rt->inlineMapTask());
  out.Set("fillTask", rt->fillTask());
  out.Set("rank", rt->rank());
  out.Set("ranks", rt->rankCount());
  return out;
}

Napi::Value Outstanding(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(runtime(info.Env()).outstanding()));
}

// Called once the facade saw outstanding() == 0: joins the workers and
// releases the wake function so the process can exit.
Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonState& s = state(env);
  if (!s.runtime) return env.Undefined();
  if (s.runtime->outstanding() != 0) throw Napi::Error::New(env, "cohort: shutdown while operations are outstanding");
  s.runtime->jsProcessor().setNotifier(nullptr);
  s.runtime->shutdown();
  if (s.wake) {
    s.wake.Release();
    s.wake = Napi::ThreadSafeFunction();
  }
  s.wakeRefed = false;
  s.runtime.reset();
  return env.Undefined();
}

Napi::Value RegisterTask(const Napi::CallbackInfo& info) {
  Runtime& rt = runtime(info.Env());
  rt.checkRunning("registerTask");
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "registerTask: the task name must be a string");
  uint32_t flags = info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 0;
  TaskId id = rt.tasks().registerJs(info[0].As<Napi::String>().Utf8Value(), propsFromFlags(flags));
  return Napi::Number::New(info.Env(), id);
}

// taskVariants(id) -> ['cpp'?, 'ts'?]
Napi::Value TaskVariants(const Napi::CallbackInfo& info) {
  const TaskInfo& t = runtime(info.Env()).tasks().get(toU32(info[0], "task id"));
  Napi::Array out = Napi::Array::New(info.Env());
  uint32_t n = 0;
  if (t.cpp) out.Set(n++, "cpp");
  if (t.js) out.Set(n++, "ts");
  return out;
}

Napi::Value LoadLibrary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "loadLibrary: the path must be a string");
  auto lib = runtime(env).loadLibrary(info[0].As<Napi::String>().Utf8Value());
  Napi::Object out = Napi::Object::New(env);
  out.Set("path", lib->path());
  char hash[17];
  snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(lib->contentHash()));
  out.Set("hash", std::string(hash));
  Napi::Array tasks = Napi::Array::New(env, lib->tasks().size());
  for (size_t i = 0; i < lib->tasks().size(); ++i) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, lib->tasks()[i].first);
    pair.Set(1u, lib->tasks()[i].second);
    tasks.Set(static_cast<uint32_t>(i), pair);
  }
  out.Set("tasks", tasks);
  Napi::Array reds = Napi::Array::New(env, lib->reductions().size());
  for (size_t i = 0; i < lib->reductions().size(); ++i) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, lib->reductions()[i].first);
    pair.Set(1u, lib->reductions()[i].second);
    reds.Set(static_cast<uint32_t>(i), pair);
  }
  out.Set("reductions", reds);
  const std::vector<std::string> callbacks = lib->callbackNames();
  Napi::Array cbs = Napi::Array::New(env, callbacks.size());
  for (size_t i = 0; i < callbacks.size(); ++i) cbs.Set(static_cast<uint32_t>(i), callbacks[i]);
  out.Set("callbacks", cbs);
  return out;
}

// An ArrayBuffer over a checking-mode copy; keeps it alive while JS holds it.
Napi::ArrayBuffer copyBuffer(Napi::Env env, const std::shared_ptr<std::vector<uint8_t>>& copy) {
  using Holder = std::shared_ptr<std::vector<uint8_t>>;
  auto holder = std::make_unique<Holder>(copy);
  auto buf = Napi::ArrayBuffer::New(
      env, copy->data(), copy->size(), [](Napi::Env, void*, Holder* h) { std::unique_ptr<Holder> adopt(h); },
      holder.get());
  holder.release();  // owned by the ArrayBuffer's finalizer now
  return buf;
}

// The region requirements of a TS task: views, exact rects, privileges.
Napi::Array describeRegions(Napi::Env env, const TaskRegionArgs& regions) {
  Napi::Array rs = Napi::Array::New(env, regions.size());
  for (size_t r = 0; r < regions.size(); ++r) {
    const TaskRegionArg& arg = regions[r];
    Napi::Object ro = Napi::Object::New(env);
    ro.Set("tree", arg.tree);
    ro.Set("node", arg.regionNode);
    ro.Set("privilege", static_cast<uint32_t>(arg.privilege));
    if (arg.rankStore) ro.Set("rankStore", static_cast<double>(arg.rankStore));
    Napi::Array fs = Napi::Array::New(env, arg.fields.size());
    for (size_t f = 0; f < arg.fields.size(); ++f) {
      const cohort_field_view& v = arg.fields[f];
      Napi::Object fo = Napi::Object::New(env);
      fo.Set("id", arg.fieldIds[f]);
      fo.Set("name", arg.names[f]);
      fo.Set("type", v.field_type);
      fo.Set("offset", static_cast<double>(arg.offsets[f]));
      if (f < arg.shadows.size() && arg.shadows[f]) {
        // Checking mode: the task sees a private copy of its window.
        fo.Set("offset", static_cast<double>(arg.shadowOffsets[f]));
        fo.Set("shadow", copyBuffer(env, arg.shadows[f]));
      }
      Napi::Array lo = Napi::Array::New(env, v.dim), hi = Napi::Array::New(env, v.dim),
                  st = Napi::Array::New(env, v.dim);
      for (int d = 0; d < v.dim; ++d) {
        lo.Set(static_cast<uint32_t>(d), static_cast<double>(v.lo[d]));
        hi.Set(static_cast<uint32_t>(d), static_cast<double>(v.hi[d]));
        st.Set(static_cast<uint32_t>(d), static_cast<double>(v.strides[d]));
      }
      fo.Set("lo", lo);
      fo.Set("hi", hi);
      fo.Set("strides", st);
      fs.Set(static_cast<uint32_t>(f), fo);
    }
    ro.Set("fields", fs);
    Napi::Array rects = Napi::Array::New(env, arg.rects.size());
    for (size_t k = 0; k < arg.rects.size(); ++k) {
      int dim = arg.fields.empty() ? 1 : arg.fields[0].dim;
      Napi::Array lo = Napi::Array::New(env, dim), hi = Napi::Array::New(env, dim);
      for (int d = 0; d < dim; ++d) {
        lo.Set(static_cast<uint32_t>(d), static_cast<double>(arg.rects[k][static_cast<size_t>(d)]));
        hi.Set(static_cast<uint32_t>(d), static_cast<double>(arg.rects[k][static_cast<size_t>(d + 3)]));
      }
      Napi::Array pair = Napi::Array::New(env, 2);
      pair.Set(0u, lo);
      pair.Set(1u, hi);
      rects.Set(static_cast<uint32_t>(k), pair);
    }
    ro.Set("rects", rects);
    rs.Set(static_cast<uint32_t>(r), ro);
  }
  return rs;
}

// A drain's TS tasks, packed so that a task costs the JS thread no object
// of its own unless it has futures or regions: kTaskFields numbers per task
// in one Float64Array (op, task id, processor, start and end of its
// arguments in the shared bytes, index into extras or -1, point dimension,
// point coordinates), every task's arguments in one Uint8Array (each
// starting 8-aligned, as the encoding's typed-array padding assumes), and
// [futures|undefined, regions|undefined] per task that has either.
constexpr size_t kTaskFields = 10;

struct PackedTasks {
  Napi::Value header, bytes, extras;
};

PackedTasks packJsTasks(Napi::Env env, const std::vector<ProcessorTaskPtr>& tasks) {
  std::vector<const TaskOp*> ops;
  ops.reserve(tasks.size());
  size_t byteCount = 0;
  for (const auto& task : tasks)
    if (auto* op = dynamic_cast<const TaskOp*>(task.get())) {
      ops.push_back(op);
      byteCount = ((byteCount + 7) & ~size_t{7}) + op->args().size();
    }
  if (ops.empty()) return {env.Undefined(), env.Undefined(), env.Undefined()};
  auto header = Napi::Float64Array::New(env, ops.size() * kTaskFields);
  auto bytes = Napi::Uint8Array::New(env, byteCount);
  Napi::Array extras = Napi::Array::New(env);
  uint32_t extraCount = 0;
  size_t at = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    const TaskOp& op = *ops[i];
    double* h = header.Data() + i * kTaskFields;
    at = (at + 7) & ~size_t{7};
    if (!op.args().empty()) std::memcpy(bytes.Data() + at, op.args().data(), op.args().size());
    h[0] = static_cast<double>(op.id());
    h[1] = op.task().id;
    h[2] = op.processor();
    h[3] = static_cast<double>(at);
    at += op.args().size();
    h[4] = static_cast<double>(at);
    h[5] = -1;
    const TaskPoint& p = op.point();
    h[6] = p.dim;
    for (int d = 0; d < 3; ++d) h[7 + d] = d < p.dim ? static_cast<double>(p.point[d]) : 0;
    if (op.futures().empty() && op.regions().empty()) continue;
    Napi::Array extra = Napi::Array::New(env, 2);
    if (!op.futures().empty()) {
      Napi::Array fs = Napi::Array::New(env, op.futures().size());
      for (size_t k = 0; k < op.futures().size(); ++k) {
        const auto& b = op.futures()[k]->bytes();
        fs.Set(static_cast<uint32_t>(k), Napi::Buffer<uint8_t>::Copy(env, b.data(), b.size()));
      }
      extra.Set(0u, fs);
    }
    if (!op.regions().empty()) extra.Set(1u, describeRegions(env, op.regions()));
    h[5] = extraCount;
    extras.Set(extraCount++, extra);
  }
  return {header, bytes, extras};
}

// What arrived from other ranks for the JS side: {ready, error, shutdown,
// libraries: [[token, [errors]]], transportError}.
Napi::Object describeRankEvents(Napi::Env env, const RankService::Events& ev) {
  Napi::Object r = Napi::Object::New(env);
  if (ev.ranksReady) r.Set("ready", true);
  if (!ev.ranksError.empty()) r.Set("error", ev.ranksError);
  if (ev.shutdownRequested) r.Set("shutdown", true);
  if (!ev.transportError.empty()) r.Set("transportError", ev.transportError);
  Napi::Array libs = Napi::Array::New(env, ev.librariesLoaded.size());
  for (size_t i = 0; i < ev.librariesLoaded.size(); ++i) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, static_cast<double>(ev.librariesLoaded[i].first));
    Napi::Array errors = Napi::Array::New(env, ev.librariesLoaded[i].second.size());
    for (size_t j = 0; j < ev.librariesLoaded[i].second.size(); ++j)
      errors.Set(static_cast<uint32_t>(j), ev.librariesLoaded[i].second[j]);
    pair.Set(1u, errors);
    libs.Set(static_cast<uint32_t>(i), pair);
  }
  r.Set("libraries", libs);
  return r;
}

// takeWork() -> what the JS processor hands the JS thread, in the order it
// is to be handled: [tasks header, task bytes, task extras] (undefined when
// no task; see packJsTasks), watch ids (Float64Array or undefined), what
// arrived from other ranks (or undefined), and the idle/window notice (or
// undefined). Unrefs the loop when nothing but JS work is left.
Napi::Value TakeWork(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonState& s = state(env);
  Napi::Array out = Napi::Array::New(env, 6);
  if (!s.runtime) return out;
  JsProcessor::Batch batch = s.runtime->jsProcessor().takeReady();
  PackedTasks tasks = packJsTasks(env, batch.tasks);
  out.Set(0u, tasks.header);
  out.Set(1u, tasks.bytes);
  out.Set(2u, tasks.extras);
  if (!batch.watches.empty()) {
    auto watches = Napi::Float64Array::New(env, batch.watches.size());
    for (size_t i = 0; i < batch.watches.size(); ++i) watches[i] = static_cast<double>(batch.watches[i]);
    out.Set(3u, watches);
  }
  if (RankService* ranks = s.runtime->ranks()) {
    RankService::Events ev = ranks->serve();
    if (ev.ranksReady || !ev.ranksError.empty() || ev.shutdownRequested || !ev.librariesLoaded.empty() ||
        !ev.transportError.empty())
      out.Set(4u, describeRankEvents(env, ev));
  }
  if (batch.idle || batch.windowOpen) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("idle", batch.idle);
    o.Set("window", batch.windowOpen);
    out.Set(5u, o);
  }
  refWhileBusy(env);  // after takeReady: lets the loop go when only JS work is left
  return out;
}

TaskOpPtr takeJsTask(const Napi::CallbackInfo& info) {
  Runtime& rt = runtime(info.Env());
  auto id = static_cast<OpId>(info[0].As<Napi::Number>().Int64Value());
  TaskOpPtr op = rt.endJsTask(id);
  if (!op) throw Napi::Error::New(info.Env(), "cohort: no running TS task with op id " + std::to_string(id));
  return op;
}

// Completing a TS task may start C++ successors or post work: refWhileBusy.
Napi::Value CompleteTask(const Napi::CallbackInfo& info) {
  std::vector<uint8_t> result = bytesFrom(info[1], "task result");
  takeJsTask(info)->completeJs(std::move(result));
  refWhileBusy(info.Env());
  return info.Env().Undefined();
}

// completeTasks(ops: Float64Array, results?): the TS tasks whose bodies
// returned in one drain, completed in one crossing; a missing results array
// or a null entry is `undefined`. Every op is completed even if one is
// unknown (that one is reported after).
Napi::Value CompleteTasks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = runtime(env);
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(env, "cohort: completeTasks expects the op ids as a Float64Array");
  // A copy: completing a task may run JS (a mapper) that could touch the array.
  auto idArray = info[0].As<Napi::Float64Array>();
  const std::vector<double> ids(idArray.Data(), idArray.Data() + idArray.ElementLength());
  const bool withResults = info[1].IsArray();
  Napi::Array results = withResults ? info[1].As<Napi::Array>() : Napi::Array();
  std::string unknown;
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto id = static_cast<OpId>(ids[i]);
    std::vector<uint8_t> bytes;
    if (withResults) {
      Napi::Value r = results.Get(static_cast<uint32_t>(i));
      if (!r.IsNull() && !r.IsUndefined()) bytes = bytesFrom(r, "task result");
    }
    if (TaskOpPtr op = rt.endJsTask(id))
      op->completeJs(std::move(bytes));
    else if (unknown.empty())
      unknown = "cohort: no running TS task with op id " + std::to_string(id);
  }
  refWhileBusy(env);
  if (!unknown.empty()) throw Napi::Error::New(env, unknown);
  return env.Undefined();
}

Napi::Value FailTask(const Napi::CallbackInfo& info) {
  std::string message = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "TS task failed";
  std::string stack = info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "";
  takeJsTask(info)->failJs(message, stack);
  refWhileBusy(info.Env());
  return info.Env().Undefined();
}

const char* phaseName(TaskOp::Phase p) {
  switch (p) {
    case TaskOp::Phase::Waiting: return "waiting";
    case TaskOp::Phase::Queued: return "queued";
    case TaskOp::Phase::Running: return "running";
    default: return "done";
  }
}

// pendingTasks() -> [{op, name, task, variant, state, processor, ms, background}]
// for every task started and not finished, in launch order.
Napi::Value PendingTasks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonState& s = state(env);
  Napi::Array out = Napi::Array::New(env);
  if (!s.runtime) return out;
  Runtime& rt = *s.runtime;
  rt.drainRetired();
  uint32_t n = 0;
  rt.unfinished().forEach([&](const TaskOp& op) {
    TaskOp::Status st = op.status();
    if (st.phase == TaskOp::Phase::Done) return;
    Napi::Object o = Napi::Object::New(env);
    o.Set("op", static_cast<double>(op.id()));
    o.Set("name", op.name());
    o.Set("task", op.task().name);
    o.Set("variant", op.variant() == VariantKind::Cpp ? "cpp" : "ts");
    o.Set("state", phaseName(st.phase));
    if (st.phase == TaskOp::Phase::Running) o.Set("processor", st.processor);
    o.Set("ms", static_cast<double>(st.msInPhase));
    o.Set("background", !op.counted());
    out.Set(n++, o);
  });
  return out;
}

}  // namespace

void initRuntimeBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("start", Napi::Function::New(env, Start));
  exports.Set("outstanding", Napi::Function::New(env, Outstanding));
  exports.Set("shutdown", Napi::Function::New(env, Shutdown));
  exports.Set("registerTask", Napi::Function::New(env, RegisterTask));
  exports.Set("loadLibrary", Napi::Function::New(env, LoadLibrary));
  exports.Set("taskVariants", Napi::Function::New(env, TaskVariants));
  exports.Set("takeWork", Napi::Function::New(env, TakeWork));
  exports.Set("completeTask", Napi::Function::New(env, CompleteTask));
  exports.Set("completeTasks", Napi::Function::New(env, CompleteTasks));
  exports.Set("failTask", Napi::Function::New(env, FailTask));
  exports.Set("pendingTasks", Napi::Function::New(env, PendingTasks));
}

}  // namespace cohort::napi
