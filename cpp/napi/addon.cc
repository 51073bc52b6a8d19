// Module entry: creates the per-environment state and registers the
// bindings. Tear-down joins the worker threads when the environment exits.
#include <napi.h>

#include "napi/addon_state.h"

namespace cohort::napi {

AddonState& state(Napi::Env env) { return *env.GetInstanceData<AddonState>(); }

Runtime& runtime(Napi::Env env) {
  AddonState& s = state(env);
  if (!s.runtime) throw Napi::Error::New(env, "cohort: the runtime is not started; call Runtime.start() first");
  return *s.runtime;
}

void refWhileBusy(Napi::Env env) {
  AddonState& s = state(env);
  if (!s.wake || !s.runtime) return;
  // Only C++ tasks (and items already posted) wake the JS thread by
  // themselves, and they can only start from the JS thread: deciding here,
  // after each JS-side call that may start them, is exact.
  bool busy = s.runtime->hasNativeWork();
  if (busy && !s.wakeRefed) {
    s.wake.Ref(env);
    s.wakeRefed = true;
  } else if (!busy && s.wakeRefed) {
    s.wake.Unref(env);
    s.wakeRefed = false;
  }
}

Napi::ArrayBuffer storageArrayBuffer(Napi::Env env, std::shared_ptr<FieldStorage> storage) {
  void* data = storage->data();
  const size_t bytes = static_cast<size_t>(storage->byteSize());
  auto holder = std::make_unique<std::shared_ptr<FieldStorage>>(std::move(storage));
  auto buf = Napi::ArrayBuffer::New(
      env, data, bytes,
      [](Napi::Env, void*, std::shared_ptr<FieldStorage>* h) {
        std::unique_ptr<std::shared_ptr<FieldStorage>> adopt(h);
      },
      holder.get());
  holder.release();  // owned by the ArrayBuffer's finalizer now
  return buf;
}

ByteView bytesViewOf(Napi::Value v, const char* what) {
  // One query for the common case, a Uint8Array (or Buffer): launches read
  // their arguments this way.
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(v.Env(), v, &type, &length, &data, nullptr, nullptr) == napi_ok) {
    if (type == napi_uint8_array) return {static_cast<const uint8_t*>(data), length};
    auto t = v.As<Napi::TypedArray>();
    return {static_cast<const uint8_t*>(data), t.ByteLength()};
  }
  throw Napi::TypeError::New(v.Env(), std::string("cohort: ") + what + " must be a Uint8Array");
}

std::vector<uint8_t> bytesFrom(Napi::Value v, const char* what) {
  const ByteView b = bytesViewOf(v, what);
  return std::vector<uint8_t>(b.data, b.data + b.size);
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* s = new AddonState();
  env.SetInstanceData<AddonState>(s);  // owned and deleted by the environment
  // A launch's scalar options cross through this shared array rather than
  // as call arguments (see AddonState::launchScalars).
  auto scalars = Napi::Float64Array::New(env, kLaunchScalarCount);
  s->launchScalars = scalars.Data();
  s->launchScalarsRef = Napi::Persistent(scalars);
  exports.Set("launchScalars", scalars);
  initRuntimeBinding(env, exports);
  initFutureBinding(env, exports);
  initFutureMapBinding(env, exports);
  initRegionBinding(env, exports);
  initLaunchBinding(env, exports);
  initMappingBinding(env, exports);
  initRanksBinding(env, exports);
  return exports;
}

}  // namespace cohort::napi

static Napi::Object InitCohort(Napi::Env env, Napi::Object exports) { return cohort::napi::Init(env, exports); }

NODE_API_MODULE(cohort, InitCohort)
