// Per-environment state of the binding: the runtime it drives and the one
// thread-safe function through which runtime threads wake the JS thread.
#pragma once
#include <napi.h>

#include <memory>

#include "ops/future.h"
#include "ops/trace.h"
#include "runtime/runtime.h"

namespace cohort::napi {

// Futures held by JS, by slot number. A JS Future holds its slot; a
// FinalizationRegistry releases it when the Future is collected (cheaper
// than one N-API finalizer per future). JS thread only.
// JS futures are slots in this table, released when their JS object is
// collected, which may be long after the task finished: a program that
// drops millions of futures allocates little JS heap, so the collector
// seldom runs. A finished future nothing else holds is therefore kept as
// its value alone when that is small (a few bytes: most task results), and
// becomes a future again only if JS uses it once more. A clock hand looks at
// one slot per new future (each look is a few cache misses, a good part of
// a launch's cost), so dropped futures cost a few bytes each, not
// the future, its event and their control blocks. V8 is told what the slots
// hold (external memory), or it would seldom collect the JS futures that
// keep them.
class FutureTable {
 public:
  static constexpr size_t kSmallValue = 14;

  uint32_t add(Napi::Env env, FuturePtr f);
  // The future (made again from its value if it was kept as one); nullptr
  // if free or out of range.
  const FuturePtr& get(Napi::Env env, uint32_t slot);
  // A small ready value without making the future again (nullptr if the
  // slot holds a future).
  const uint8_t* smallValue(uint32_t slot, size_t& length) const;
  void release(Napi::Env env, uint32_t slot);
  uint64_t made() const { return made_; }
  // Futures made and held elsewhere (an index launch's, in its FutureMap).
  void noteMade(uint64_t n) { made_ += n; }
  // Native memory held for JS (reported to V8 per MiB): bytes > 0 held, < 0 let go.
  void account(Napi::Env env, int64_t bytes);

 private:
  struct Slot {
    FuturePtr future;
    int8_t smallLength = -1;  // >= 0: only the value, in `small`
    uint8_t small[kSmallValue];
  };
  void compactOne();

  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  size_t hand_ = 0;
  uint64_t made_ = 0;
  int64_t unreported_ = 0;  // external memory not yet reported to V8 (reported per MiB)
};

// The futures of index launches, one slot per launch (a JS FutureMap holds
// it), so a launch crosses to JS as one number whatever its size; a point's
// own future slot is made only when JS asks for that point. JS thread only.
class FutureMapTable {
 public:
  uint32_t add(Napi::Env env, FutureTable& futures, std::vector<FuturePtr> points);
  // The points' futures; throws a TypeError naming `what` if the slot is free.
  const std::vector<FuturePtr>& get(Napi::Env env, uint32_t slot, const char* what) const;
  void release(Napi::Env env, FutureTable& futures, uint32_t slot);

 private:
  struct Slot {
    bool used = false;
    std::vector<FuturePtr> points;
  };
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
};

// The scalar options of a single launch, written by JS into one shared
// Float64Array before it calls launch(): reading them is a memory load
// instead of an N-API conversion each, and the call keeps few enough
// arguments that N-API needs no heap array for them.
enum LaunchScalar : size_t {
  kLaunchVariant,     // -1: the mapper's choice
  kLaunchWorker,      // -1: any worker
  kLaunchParent,      // the parent op id (0: top level)
  kLaunchBackground,  // 1: does not keep the process alive
  kLaunchMapper,      // mapper id (0: default)
  kLaunchTag,         // the mapper tag
  kLaunchScalarCount,
};

struct AddonState {
  std::shared_ptr<Runtime> runtime;
  double* launchScalars = nullptr;  // kLaunchScalarCount values, in launchScalarsRef
  Napi::Reference<Napi::Float64Array> launchScalarsRef;
  FutureTable futures;
  FutureMapTable futureMaps;
  std::vector<std::shared_ptr<class Trace>> traces;  // by handle (JS thread only)
  Napi::ThreadSafeFunction wake;                     // calls the facade's drain function
  bool wakeRefed = false;                            // JS-thread-only view of the TSFN's ref state
};

AddonState& state(Napi::Env env);
Runtime& runtime(Napi::Env env);  // throws if not started

// Keeps the event loop alive while runtime threads will post to the JS
// thread (C++ tasks queued or running, items not yet taken) and lets it go
// otherwise: what is left then waits on JS only (TS task promises, inline
// mappings), and if nothing else keeps the loop alive the facade reports
// the tasks that can never finish (lib/runtime.ts, beforeExit). Call it
// after every JS-side call that may start work or post to the JS queue.
void refWhileBusy(Napi::Env env);

// Futures cross to JS as slot numbers in the FutureTable.
Napi::Value wrapFuture(Napi::Env env, FuturePtr f);
FuturePtr unwrapFuture(Napi::Value v, const char* what);
// Copies a ready future's value into a Uint8Array: its length, or -1 if it
// does not fit; throws if the future is not ready or failed.
Napi::Value readyValueInto(Napi::Env env, const FutureImpl& f, const Napi::Value& scratch);

// The bytes of a Uint8Array or Buffer: a view valid during the call, or a copy.
struct ByteView {
  const uint8_t* data;
  size_t size;
};
ByteView bytesViewOf(Napi::Value v, const char* what);
// An ArrayBuffer over field storage (zero copy) that keeps it alive while JS holds it.
Napi::ArrayBuffer storageArrayBuffer(Napi::Env env, std::shared_ptr<FieldStorage> storage);
std::vector<uint8_t> bytesFrom(Napi::Value v, const char* what);

void initRuntimeBinding(Napi::Env env, Napi::Object exports);
void initFutureBinding(Napi::Env env, Napi::Object exports);
void initFutureMapBinding(Napi::Env env, Napi::Object exports);
void initRegionBinding(Napi::Env env, Napi::Object exports);
void initLaunchBinding(Napi::Env env, Napi::Object exports);
void initMappingBinding(Napi::Env env, Napi::Object exports);
void initRanksBinding(Napi::Env env, Napi::Object exports);

}  // namespace cohort::napi
