// The runtime's side of many ranks (single controller): rank 0 runs the
// top-level function and sends tasks placed on other ranks as messages;
// every other rank serves what arrives until rank 0 shuts down.
//
// Region data (rank_regions.cc): rank 0 records which ranks hold valid
// copies (ValidCopies); a task is sent with the bytes it reads that rank 0
// holds, and the other holders are asked to send theirs straight to its rank
// (copy-out, copy data), which runs it once they are in. Every other rank
// keeps its copy of a tree in storage of its own, made on first use.
//
// Threads: handlers run on the transport's communication thread. A task
// reply finishes its op there (finishing is thread-safe). Everything that
// touches the registries, the forest or starts ops (task requests, library
// loads, hello/welcome, shutdown) is queued and handled on the JS thread by
// serve(), which the binding calls when the JS processor wakes it: the JS
// thread is each rank's issuing thread, on every rank.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "data/instance.h"
#include "ops/task_op.h"
#include "runtime/remote_messages.h"
#include "runtime/shard_exchange.h"
#include "runtime/valid_copies.h"
#include "transport/transport.h"

namespace cohort {

class Runtime;
class Library;

class RankService {
 public:
  RankService(Runtime& rt, std::unique_ptr<Transport> transport);
  ~RankService();

  uint32_t rank() const { return transport_->rank(); }
  uint32_t ranks() const { return transport_->ranks(); }
  const Transport& transport() const { return *transport_; }
  // Workers of every rank, once known (rank 0: all hellos arrived; others: welcome).
  const std::vector<uint32_t>& workersPerRank() const { return workersPerRank_; }

  // Any thread: a task placed on another rank is ready; sends it (with
  // the region data it reads that is not valid there, or requests for it).
  void sendTask(const TaskOpPtr& op);

  // Rank 0, issuing thread: which ranks hold valid copies of region data.
  ValidCopies& validCopies() { return validCopies_; }
  // Rank 0, any thread: a ready local task reads pieces other ranks hold;
  // asks them for the bytes and lets the task go on once all are in.
  void fetchRegions(const TaskOpPtr& op);
  // Rank 0, issuing thread: the tree was destroyed; other ranks drop theirs.
  void dropTree(TreeId tree);
  // Ranks > 0, any thread: this rank's storage of (tree, field), null when
  // no task here used it.
  std::shared_ptr<FieldStorage> findRankStorage(TreeId tree, FieldId field);
  // Bytes of region data (elements only) sent to / received from `peer`.
  uint64_t regionBytesSent(uint32_t peer) const { return regionSent_[peer].load(std::memory_order_relaxed); }
  uint64_t regionBytesReceived(uint32_t peer) const { return regionReceived_[peer].load(std::memory_order_relaxed); }
  // The JS thread must stay awake: remote tasks or library loads in flight,
  // ranks not yet ready, or (ranks > 0) serving until shutdown.
  bool busy() const;

  // What serve() tells the JS side.
  struct Events {
    bool ranksReady = false;         // rank 0: every rank said hello and registered alike
    std::string ranksError;          // rank 0: a rank registered differently
    bool shutdownRequested = false;  // ranks > 0: rank 0 shut down
    std::vector<std::pair<uint64_t, std::vector<std::string>>> librariesLoaded;  // token, errors by rank
    std::string transportError;                                                  // the wire failed
  };
  // JS thread: handles what arrived for it.
  Events serve();

  // JS thread. Rank 0: waits for hellos (ranksReady comes from serve());
  // other ranks: say hello and serve until shutdown, or, when `replicated`
  // (control replication: every rank runs the top-level function), wait
  // for rank 0's welcome (ranksReady) and run it too. Every rank must
  // agree on `replicated`: rank 0 refuses to start otherwise.
  void enterMain(bool replicated);
  bool inMain() const { return inMain_; }
  // Control replication is on: every rank issues the program, each runs
  // the tasks it owns (runtime/shard_exchange.h).
  bool replicated() const { return replicated_; }
  ShardExchange& shards() { return *shards_; }
  // Rank 0, JS thread: makes every other rank load `lib` unless it has it
  // already; returns the token its librariesLoaded event will carry, or 0
  // when nothing was sent.
  // `path` is the path as the program gave it: each rank resolves it itself.
  uint64_t loadEverywhere(const Library& lib, const std::string& path);
  // Rank 0, JS thread: makes every other rank run callback `name` of `lib`
  // with `payload` (each rank runs it once per payload); returns the token
  // of the librariesLoaded event carrying the errors by rank (0: one rank).
  uint64_t runEverywhere(const Library& lib, const std::string& name, const std::vector<uint8_t>& payload);
  // JS thread, once nothing is outstanding here: rank 0 tells every rank to
  // shut down; every rank then drains its transport, meets the others at a
  // barrier and finalizes MPI.
  void finish();

 private:
  struct Inbound {
    MessageKind kind;
    uint32_t source;
    std::vector<uint8_t> bytes;
    bool copiesIn = false;  // a task request whose copy data has all arrived
  };
  void queueForJs(MessageKind kind, uint32_t source, const uint8_t* data, size_t size);
  void onTaskReply(uint32_t source, const uint8_t* data, size_t size);
  void onWireFailure(const std::string& what);
  void runRequest(uint32_t source, const std::vector<uint8_t>& bytes, bool copiesIn);
  // rank_regions.cc
  void onCopyOut(uint32_t source, const uint8_t* data, size_t size);
  void onCopyData(uint32_t source, const uint8_t* data, size_t size);
  void fetchArrived(uint32_t source, CopyDataMsg& m);        // rank 0: for a local task's fetch
  void requestDataArrived(uint32_t source, CopyDataMsg& m);  // ranks > 0: for a task request
  void onDropTree(const uint8_t* data, size_t size);
  // Rank 0: the requirements, the bytes rank 0 holds, and the copy-out
  // requests for the other holders (encoded, by holder).
  void addRegionsTo(TaskRequestMsg& m, const TaskOp& op,
                    std::vector<std::pair<uint32_t, std::vector<uint8_t>>>& copyOuts);
  // Ranks > 0: false (and the request kept) until its copy data is all in.
  bool copiesArrived(uint32_t source, const std::vector<uint8_t>& bytes, uint64_t request, uint32_t expected);
  TaskRegionArgs bindRankRegions(TaskRequestMsg& m);
  // This rank's storage for `spec` (made on first use); `generation` gets its tree's.
  std::shared_ptr<FieldStorage> rankStorage(const PieceSpec& spec, uint64_t* generation = nullptr);
  void failFetches(const std::string& error);
  void noteHello(uint32_t source, const std::vector<uint8_t>& bytes, Events& ev);
  void loadRequested(uint32_t source, const std::vector<uint8_t>& bytes);
  void callbackRequested(uint32_t source, const std::vector<uint8_t>& bytes);
  // Ranks > 0: a request to be mapped here: this rank's mapper picks its
  // variant (unless forced), worker and priority. Throws its refusal.
  void mapHere(const TaskInfo& info, TaskRequestMsg& m);
  std::vector<std::string> registrations() const;
  // Rank 0: every hello is in and rank 0 entered main: do all agree on replication?
  void checkReplication();

  Runtime& rt_;
  std::unique_ptr<Transport> transport_;

  std::mutex inboundMutex_;
  std::vector<Inbound> inbound_;

  // Rank 0: remote tasks awaiting their reply, by op id.
  mutable std::mutex remoteMutex_;
  std::unordered_map<uint64_t, TaskOpPtr> remote_;
  std::atomic<uint64_t> remoteCount_{0};
  std::string wireError_;  // under remoteMutex_

  std::unique_ptr<ShardExchange> shards_;

  // JS thread only.
  bool inMain_ = false;
  bool replicated_ = false;
  std::vector<int> helloReplicated_;  // rank 0: each rank's answer (-1: no hello yet)
  bool finished_ = false;
  std::atomic<bool> serving_{false};
  std::atomic<bool> awaitingRanks_{false};
  std::vector<uint32_t> workersPerRank_;
  std::vector<bool> helloFrom_;
  uint32_t hellos_ = 0;
  std::string ranksError_;
  std::set<uint64_t> everywhere_;           // content hashes of libraries every rank has
  std::set<uint64_t> callbacksEverywhere_;  // (library, name, payload) hashes every rank ran
  uint64_t nextToken_ = 0;
  struct PendingLoad {
    uint64_t contentHash = 0;  // 0: a callback run
    uint32_t replies = 0;
    std::vector<std::string> errors;
    uint64_t callbackKey = 0;  // a callback run: its (library, name, payload) hash
  };
  std::unordered_map<uint64_t, PendingLoad> loads_;
  std::atomic<uint64_t> loadsInFlight_{0};

  // Region data.
  ValidCopies validCopies_;
  std::unique_ptr<std::atomic<uint64_t>[]> regionSent_, regionReceived_;  // per peer
  struct Fetch {
    TaskOpPtr op;
    uint32_t remaining = 0;  // holders whose copy data has not arrived
  };
  std::mutex fetchMutex_;
  std::unordered_map<uint64_t, Fetch> fetches_;  // rank 0, by op id
  struct Arrivals {
    uint32_t arrived = 0;
    uint32_t expected = 0;
    bool parked = false;  // the request came first and waits
    uint32_t source = 0;
    std::vector<uint8_t> request;
  };
  std::mutex arrivalsMutex_;
  std::unordered_map<uint64_t, Arrivals> arrivals_;  // ranks > 0, by request
  struct RankTree {
    Rect root;
    uint64_t generation = 0;
    std::unique_ptr<TreeStorage> storage;
  };
  std::mutex storeMutex_;
  std::unordered_map<TreeId, RankTree> store_;
  uint64_t nextGeneration_ = 0;
};

}  // namespace cohort
