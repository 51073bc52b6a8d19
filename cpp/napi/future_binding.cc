// Futures: state, value bytes, failure, and a watch that wakes a JS promise.
#include <cstring>
#include <memory>

#include "napi/addon_state.h"

namespace cohort::napi {

namespace {
// What a slot holds natively, as told to V8: a future with its event, value
// and control blocks (measured: ~450 bytes), or a value kept alone (the
// JS-side registry cell is counted in too).
constexpr int64_t kFutureBytes = 512;
constexpr int64_t kValueBytes = 64;
constexpr int64_t kReportEvery = 1 << 20;
}  // namespace

Napi::Value readyValueInto(Napi::Env env, const FutureImpl& f, const Napi::Value& scratch) {
  if (!f.ready().hasFired() || f.ready().isPoisoned())
    throw Napi::Error::New(env, "cohort: future value read before it was ready");
  auto out = scratch.As<Napi::Uint8Array>();
  const auto& b = f.bytes();
  if (b.size() > out.ByteLength()) return Napi::Number::New(env, -1);
  std::memcpy(out.Data(), b.data(), b.size());
  return Napi::Number::New(env, static_cast<double>(b.size()));
}

void FutureTable::account(Napi::Env env, int64_t bytes) {
  unreported_ += bytes;
  if (unreported_ >= kReportEvery || unreported_ <= -kReportEvery) {
    Napi::MemoryManagement::AdjustExternalMemory(env, unreported_);
    unreported_ = 0;
  }
}

void FutureTable::compactOne() {
  if (slots_.empty()) return;
  if (hand_ >= slots_.size()) hand_ = 0;
  Slot& s = slots_[hand_++];
  // use_count 1: the op retired and only this table holds the future; only
  // this (JS) thread hands out copies, so none can appear meanwhile.
  if (!s.future || s.future.use_count() != 1) return;
  const Event& e = s.future->ready();
  if (!e.hasFired() || e.isPoisoned() || s.future->bytes().size() > kSmallValue) return;
  const auto& b = s.future->bytes();
  std::memcpy(s.small, b.data(), b.size());
  s.smallLength = static_cast<int8_t>(b.size());
  s.future.reset();
  unreported_ -= kFutureBytes - kValueBytes;  // reported with the next add's account()
}

uint32_t FutureTable::add(Napi::Env env, FuturePtr f) {
  ++made_;
  compactOne();
  account(env, kFutureBytes);
  if (!free_.empty()) {
    uint32_t slot = free_.back();
    free_.pop_back();
    slots_[slot].future = std::move(f);
    slots_[slot].smallLength = -1;
    return slot;
  }
  slots_.push_back(Slot{std::move(f), -1, {}});
  return static_cast<uint32_t>(slots_.size() - 1);
}

const FuturePtr& FutureTable::get(Napi::Env env, uint32_t slot) {
  static const FuturePtr kNone;  // immutable
  if (slot >= slots_.size()) return kNone;
  Slot& s = slots_[slot];
  if (!s.future && s.smallLength >= 0) {
    account(env, kFutureBytes - kValueBytes);
    s.future = FutureImpl::fromBytes(std::vector<uint8_t>(s.small, s.small + s.smallLength));
    s.smallLength = -1;
  }
  return s.future;
}

const uint8_t* FutureTable::smallValue(uint32_t slot, size_t& length) const {
  if (slot >= slots_.size() || slots_[slot].smallLength < 0) return nullptr;
  length = static_cast<size_t>(slots_[slot].smallLength);
  return slots_[slot].small;
}

void FutureTable::release(Napi::Env env, uint32_t slot) {
  if (slot >= slots_.size()) return;
  Slot& s = slots_[slot];
  if (!s.future && s.smallLength < 0) return;  // already free
  account(env, s.future ? -kFutureBytes : -kValueBytes);
  s.future.reset();
  s.smallLength = -1;
  free_.push_back(slot);
}

Napi::Value wrapFuture(Napi::Env env, FuturePtr f) {
  return Napi::Number::New(env, state(env).futures.add(env, std::move(f)));
}

FuturePtr unwrapFuture(Napi::Value v, const char* what) {
  if (v.IsNumber()) {
    const FuturePtr& f = state(v.Env()).futures.get(v.Env(), v.As<Napi::Number>().Uint32Value());
    if (f) return f;
  }
  throw Napi::TypeError::New(v.Env(), std::string("cohort: ") + what + " must be a Future");
}

namespace {

// A future kept as its small value (see FutureTable): ready, with these bytes.
const uint8_t* smallValueOf(const Napi::CallbackInfo& info, size_t& length) {
  if (!info[0].IsNumber()) return nullptr;
  return state(info.Env()).futures.smallValue(info[0].As<Napi::Number>().Uint32Value(), length);
}

// 0 pending, 1 ready, 2 failed.
Napi::Value FutureState(const Napi::CallbackInfo& info) {
  size_t n = 0;
  if (smallValueOf(info, n)) return Napi::Number::New(info.Env(), 1);
  FuturePtr f = unwrapFuture(info[0], "future");
  const Event& e = f->ready();
  int s = !e.hasFired() ? 0 : (e.isPoisoned() ? 2 : 1);
  return Napi::Number::New(info.Env(), s);
}

Napi::Value FutureValue(const Napi::CallbackInfo& info) {
  FuturePtr f = unwrapFuture(info[0], "future");
  if (!f->ready().hasFired() || f->ready().isPoisoned())
    throw Napi::Error::New(info.Env(), "cohort: future value read before it was ready");
  const auto& b = f->bytes();
  return Napi::Buffer<uint8_t>::Copy(info.Env(), b.data(), b.size());
}

// Subscribes a waiter that posts `id` to the JS thread once `f` is settled.
void armWatch(Napi::Env env, const FuturePtr& f, uint64_t id) {
  runtime(env);  // throws if not started
  std::weak_ptr<Runtime> weak = state(env).runtime;
  f->ready().subscribe(makeWaiter([weak, id](const FailurePtr&) {
    if (auto r = weak.lock()) r->jsProcessor().postWatch(id);
  }));
  refWhileBusy(env);  // after: a future that is ready posted just now
}

// Results of futureRead besides a byte length.
constexpr double kReadTooLarge = -1, kReadFailed = -2, kReadPending = -3;

// futureRead(future, scratch, watchId) -> what a Future's get() needs in one
// crossing: the value's byte length (copied into scratch), -1 when it does
// not fit (futureValue then), -2 when failed (futureFailure then), or -3 when
// pending, and then, with a watchId > 0, a watch is armed that posts it.
Napi::Value FutureRead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t n = 0;
  auto scratch = info[1].As<Napi::Uint8Array>();
  if (const uint8_t* small = smallValueOf(info, n)) {
    if (n > scratch.ByteLength()) return Napi::Number::New(env, kReadTooLarge);
    std::memcpy(scratch.Data(), small, n);
    return Napi::Number::New(env, static_cast<double>(n));
  }
  // The table's own pointer: no reference count is taken for a read.
  const FuturePtr& f = state(env).futures.get(env, info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : ~0u);
  if (!f) throw Napi::TypeError::New(env, "cohort: future must be a Future");
  const Event& e = f->ready();
  if (!e.hasFired()) {
    const auto id = static_cast<uint64_t>(info[2].IsNumber() ? info[2].As<Napi::Number>().Int64Value() : 0);
    if (id > 0) armWatch(env, f, id);
    return Napi::Number::New(env, kReadPending);
  }
  if (e.isPoisoned()) return Napi::Number::New(env, kReadFailed);
  const auto& b = f->bytes();
  if (b.size() > scratch.ByteLength()) return Napi::Number::New(env, kReadTooLarge);
  std::memcpy(scratch.Data(), b.data(), b.size());
  return Napi::Number::New(env, static_cast<double>(b.size()));
}

Napi::Value FutureFailure(const Napi::CallbackInfo& info) {
  FuturePtr f = unwrapFuture(info[0], "future");
  FailurePtr fail = f->ready().failure();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("message", fail ? fail->message : std::string("unknown failure"));
  o.Set("stack", fail ? fail->rootFailure().stack : std::string());
  o.Set("origin", fail ? fail->origin : std::string());
  o.Set("producer", f->producer());
  // The failure that started a chain of dependents (the failure itself for the thrower).
  o.Set("rootOrigin", fail ? fail->rootFailure().origin : std::string());
  o.Set("rootMessage", fail ? fail->rootFailure().message : std::string("unknown failure"));
  return o;
}

Napi::Value ReleaseFuture(const Napi::CallbackInfo& info) {
  state(info.Env()).futures.release(info.Env(), info[0].As<Napi::Number>().Uint32Value());
  return info.Env().Undefined();
}

Napi::Value FuturesMade(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(state(info.Env()).futures.made()));
}

Napi::Value FutureFromValue(const Napi::CallbackInfo& info) {
  return wrapFuture(info.Env(), FutureImpl::fromBytes(bytesFrom(info[0], "value")));
}

}  // namespace

void initFutureBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("futureState", Napi::Function::New(env, FutureState));
  exports.Set("futureValue", Napi::Function::New(env, FutureValue));
  exports.Set("futureFailure", Napi::Function::New(env, FutureFailure));
  exports.Set("futureRead", Napi::Function::New(env, FutureRead));
  exports.Set("futureFromValue", Napi::Function::New(env, FutureFromValue));
  exports.Set("releaseFuture", Napi::Function::New(env, ReleaseFuture));
  exports.Set("futuresMade", Napi::Function::New(env, FuturesMade));
}

}  // namespace cohort::napi
