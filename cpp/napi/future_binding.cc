// Futures: state, value bytes, failure, and a watch that wakes a JS promise.
#include <memory>

#include "napi/addon_state.h"

namespace cohort::napi {

Napi::Value wrapFuture(Napi::Env env, FuturePtr f) {
  auto owned = std::make_unique<FuturePtr>(std::move(f));
  auto ext = Napi::External<FuturePtr>::New(env, owned.get(), [](Napi::Env, FuturePtr* p) {
    std::unique_ptr<FuturePtr> adopt(p);  // the JS object owned it
  });
  owned.release();
  return ext;
}

FuturePtr unwrapFuture(Napi::Value v, const char* what) {
  if (!v.IsExternal())
    throw Napi::TypeError::New(v.Env(), std::string("cohort: ") + what + " must be a Future");
  return *v.As<Napi::External<FuturePtr>>().Data();
}

namespace {

// 0 pending, 1 ready, 2 failed.
Napi::Value FutureState(const Napi::CallbackInfo& info) {
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

Napi::Value FutureFailure(const Napi::CallbackInfo& info) {
  FuturePtr f = unwrapFuture(info[0], "future");
  FailurePtr fail = f->ready().failure();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("message", fail ? fail->message : std::string("unknown failure"));
  o.Set("stack", fail ? fail->stack : std::string());
  o.Set("origin", fail ? fail->origin : std::string());
  o.Set("producer", f->producer());
  return o;
}

// Posts {watch: id} to the JS thread when the future is ready.
Napi::Value WatchFuture(const Napi::CallbackInfo& info) {
  FuturePtr f = unwrapFuture(info[0], "future");
  uint64_t id = static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value());
  Runtime& rt = runtime(info.Env());
  refWhileBusy(info.Env());
  std::weak_ptr<Runtime> weak = state(info.Env()).runtime;
  f->ready().subscribe(makeWaiter([weak, id](const FailurePtr&) {
    if (auto r = weak.lock()) r->jsQueue().post(JsWorkItem{nullptr, id, false});
  }));
  (void)rt;
  return info.Env().Undefined();
}

Napi::Value FutureFromValue(const Napi::CallbackInfo& info) {
  return wrapFuture(info.Env(), FutureImpl::fromBytes(bytesFrom(info[0], "value")));
}

}  // namespace

void initFutureBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("futureState", Napi::Function::New(env, FutureState));
  exports.Set("futureValue", Napi::Function::New(env, FutureValue));
  exports.Set("futureFailure", Napi::Function::New(env, FutureFailure));
  exports.Set("watchFuture", Napi::Function::New(env, WatchFuture));
  exports.Set("futureFromValue", Napi::Function::New(env, FutureFromValue));
}

}  // namespace cohort::napi
