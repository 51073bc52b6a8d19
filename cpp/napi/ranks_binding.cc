// Bindings for many ranks: entering the top-level function, loading a
// library on every rank, this rank's storage of region data, and the
// transport's counters.
#include "napi/addon_state.h"
#include "napi/marshal.h"
#include "runtime/rank_service.h"

namespace cohort::napi {
namespace {

RankService* ranksOf(Napi::Env env) { return runtime(env).ranks(); }

// enterMain(replicated): rank 0 waits for every rank's hello; the others
// serve, or, replicated, wait for rank 0's welcome and run the program too.
Napi::Value EnterMain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  runtime(env).enterMain(info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value());
  refWhileBusy(env);
  return env.Undefined();
}

// loadEverywhere(path) -> token of the librariesLoaded event, or 0 when no
// message was needed (one rank, or every rank has it).
Napi::Value LoadEverywhere(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RankService* r = ranksOf(env);
  // Replicated, every shard makes the same call itself: nothing to send.
  if (!r || r->rank() != 0 || !r->inMain() || r->replicated()) return Napi::Number::New(env, 0);
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "loadEverywhere: the path must be a string");
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  auto lib = runtime(env).loadLibrary(path);  // loaded already: found
  const uint64_t token = r->loadEverywhere(*lib, path);
  refWhileBusy(env);
  return Napi::Number::New(env, static_cast<double>(token));
}

// runCallback(path, name, payload) -> token of the librariesLoaded event
// (0: nothing was sent). Runs the library's registration callback here
// first (a failure throws, naming it), then on every other rank.
Napi::Value RunCallback(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsString())
    throw Napi::TypeError::New(env, "runCallback: expected (library path, callback name, payload)");
  auto lib = runtime(env).loadLibrary(info[0].As<Napi::String>().Utf8Value());  // loaded already: found
  const std::string name = info[1].As<Napi::String>().Utf8Value();
  ByteView bytes = bytesViewOf(info[2], "the callback payload");
  const std::vector<uint8_t> payload(bytes.data, bytes.data + bytes.size);
  lib->runCallback(name, payload);
  RankService* r = ranksOf(env);
  if (!r || r->rank() != 0 || !r->inMain() || r->replicated()) return Napi::Number::New(env, 0);
  const uint64_t token = r->runEverywhere(*lib, name, payload);
  refWhileBusy(env);
  return Napi::Number::New(env, static_cast<double>(token));
}

// rankStorageBuffer(tree, field) -> an ArrayBuffer over this rank's storage
// of a tree of rank 0 (zero copy), kept alive while JS holds it.
Napi::Value RankStorageBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RankService* r = ranksOf(env);
  const uint32_t tree = u32(info[0], "tree"), field = u32(info[1], "field");
  std::shared_ptr<FieldStorage> storage = r ? r->findRankStorage(tree, field) : nullptr;
  if (!storage)
    throw Napi::Error::New(env, "rankStorageBuffer: this rank holds no data of field " + std::to_string(field) +
                                    " of tree " + std::to_string(tree));
  return storageArrayBuffer(env, std::move(storage));
}

// transportCounters() -> {rank, ranks, library, threadLevel, peers: [{rank,
// batchesSent, ..., sent: {kind: {messages, bytes}}, received: {...}}]}
Napi::Value ReadTransportCounters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = runtime(env);
  Napi::Object out = Napi::Object::New(env);
  out.Set("rank", rt.rank());
  out.Set("ranks", rt.rankCount());
  Napi::Array peers = Napi::Array::New(env);
  RankService* r = rt.ranks();
  if (r) {
    out.Set("library", r->transport().library());
    out.Set("threadLevel", r->transport().threadLevel());
    const TransportCounters c = r->transport().counters();
    auto kinds = [&](const TransportCounters::PerKind* perKind) {
      Napi::Object o = Napi::Object::New(env);
      for (size_t k = 1; k < static_cast<size_t>(MessageKind::kCount); ++k) {
        if (perKind[k].messages == 0) continue;
        Napi::Object e = Napi::Object::New(env);
        e.Set("messages", static_cast<double>(perKind[k].messages));
        e.Set("bytes", static_cast<double>(perKind[k].bytes));
        o.Set(messageKindName(static_cast<MessageKind>(k)), e);
      }
      return o;
    };
    uint32_t n = 0;
    for (uint32_t p = 0; p < c.peers.size(); ++p) {
      if (p == rt.rank()) continue;
      const auto& peer = c.peers[p];
      Napi::Object o = Napi::Object::New(env);
      o.Set("rank", p);
      o.Set("batchesSent", static_cast<double>(peer.batchesSent));
      o.Set("batchesReceived", static_cast<double>(peer.batchesReceived));
      o.Set("wireBytesSent", static_cast<double>(peer.wireBytesSent));
      o.Set("wireBytesReceived", static_cast<double>(peer.wireBytesReceived));
      o.Set("regionBytesSent", static_cast<double>(r->regionBytesSent(p)));
      o.Set("regionBytesReceived", static_cast<double>(r->regionBytesReceived(p)));
      o.Set("sent", kinds(peer.sent));
      o.Set("received", kinds(peer.received));
      peers.Set(n++, o);
    }
  }
  out.Set("peers", peers);
  return out;
}

}  // namespace

void initRanksBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("enterMain", Napi::Function::New(env, EnterMain));
  exports.Set("loadEverywhere", Napi::Function::New(env, LoadEverywhere));
  exports.Set("transportCounters", Napi::Function::New(env, ReadTransportCounters));
  exports.Set("rankStorageBuffer", Napi::Function::New(env, RankStorageBuffer));
  exports.Set("runCallback", Napi::Function::New(env, RunCallback));
}

}  // namespace cohort::napi
