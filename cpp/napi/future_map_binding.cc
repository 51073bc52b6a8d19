// FutureMaps: an index launch's futures as one native slot. JS asks for a
// point's future, a point's small value, the first failed point or a
// future of the whole map only when the program uses them.
#include "napi/addon_state.h"

namespace cohort::napi {

namespace {
// Per point, what a map holds natively (the future, its event and their
// control blocks), as told to V8 so that dropped maps get collected.
constexpr int64_t kPointBytes = 512;
}  // namespace

uint32_t FutureMapTable::add(Napi::Env env, FutureTable& futures, std::vector<FuturePtr> points) {
  futures.noteMade(points.size());
  futures.account(env, kPointBytes * static_cast<int64_t>(points.size()));
  if (!free_.empty()) {
    uint32_t slot = free_.back();
    free_.pop_back();
    slots_[slot] = Slot{true, std::move(points)};
    return slot;
  }
  slots_.push_back(Slot{true, std::move(points)});
  return static_cast<uint32_t>(slots_.size() - 1);
}

const std::vector<FuturePtr>& FutureMapTable::get(Napi::Env env, uint32_t slot, const char* what) const {
  if (slot >= slots_.size() || !slots_[slot].used)
    throw Napi::TypeError::New(env, std::string("cohort: ") + what + " must be a FutureMap");
  return slots_[slot].points;
}

void FutureMapTable::release(Napi::Env env, FutureTable& futures, uint32_t slot) {
  if (slot >= slots_.size() || !slots_[slot].used) return;
  futures.account(env, -kPointBytes * static_cast<int64_t>(slots_[slot].points.size()));
  slots_[slot] = Slot{};
  free_.push_back(slot);
}

namespace {

const std::vector<FuturePtr>& mapArg(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "cohort: expected a FutureMap");
  return state(info.Env()).futureMaps.get(info.Env(), info[0].As<Napi::Number>().Uint32Value(), "map");
}

const FuturePtr& pointArg(const Napi::CallbackInfo& info) {
  const auto& points = mapArg(info);
  const uint32_t i = info[1].As<Napi::Number>().Uint32Value();
  if (i >= points.size())
    throw Napi::RangeError::New(info.Env(), "cohort: point index " + std::to_string(i) + " is outside the FutureMap");
  return points[i];
}

// futureMapPoint(map, i) -> the future of point i (row-major)
Napi::Value FutureMapPoint(const Napi::CallbackInfo& info) { return wrapFuture(info.Env(), pointArg(info)); }

// futureMapValueInto(map, i, scratch) -> byte length of point i's value, or
// -1 when it does not fit (then use futureMapPoint). Point i must be ready.
Napi::Value FutureMapValueInto(const Napi::CallbackInfo& info) {
  return readyValueInto(info.Env(), *pointArg(info), info[2]);
}

// futureMapSettled(map) -> a future that resolves (to undefined) once every
// point has finished, failed or not.
Napi::Value FutureMapSettled(const Napi::CallbackInfo& info) {
  const auto& points = mapArg(info);
  std::vector<Event> events;
  events.reserve(points.size());
  for (const auto& f : points) events.push_back(f->ready());
  auto settled = std::make_shared<FutureImpl>("every point of an index launch");
  // Not Event::merge: a failed point must not end the wait early.
  Event::settled(events).subscribe(makeWaiter([settled](const FailurePtr&) { settled->resolveUndefined(); }));
  return wrapFuture(info.Env(), std::move(settled));
}

// futureMapFirstFailed(map) -> the row-major index of the first failed
// point, or -1 (points still running count as not failed).
Napi::Value FutureMapFirstFailed(const Napi::CallbackInfo& info) {
  const auto& points = mapArg(info);
  for (size_t i = 0; i < points.size(); ++i)
    if (points[i]->ready().isPoisoned()) return Napi::Number::New(info.Env(), static_cast<double>(i));
  return Napi::Number::New(info.Env(), -1);
}

Napi::Value ReleaseFutureMap(const Napi::CallbackInfo& info) {
  AddonState& s = state(info.Env());
  s.futureMaps.release(info.Env(), s.futures, info[0].As<Napi::Number>().Uint32Value());
  return info.Env().Undefined();
}

}  // namespace

void initFutureMapBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("futureMapPoint", Napi::Function::New(env, FutureMapPoint));
  exports.Set("futureMapValueInto", Napi::Function::New(env, FutureMapValueInto));
  exports.Set("futureMapSettled", Napi::Function::New(env, FutureMapSettled));
  exports.Set("futureMapFirstFailed", Napi::Function::New(env, FutureMapFirstFailed));
  exports.Set("releaseFutureMap", Napi::Function::New(env, ReleaseFutureMap));
}

}  // namespace cohort::napi
