#include "runtime/rank_service.h"

#include <algorithm>
#include <cstdio>

#include "mapping/placement.h"
#include "runtime/remote_messages.h"
#include "runtime/runtime.h"
#include "util/block_pool.h"
#include "util/error.h"
#include "util/hash.h"

namespace cohort {

namespace {
std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}
std::string opLabel(const std::string& task, const std::string& context, uint64_t position) {
  return "task '" + task + "' (op #" + (context.empty() ? "" : context + ".") + std::to_string(position) + ")";
}
}  // namespace

RankService::RankService(Runtime& rt, std::unique_ptr<Transport> transport)
    : rt_(rt), transport_(std::move(transport)), validCopies_(transport_->ranks()) {
  regionSent_ = std::make_unique<std::atomic<uint64_t>[]>(ranks());
  regionReceived_ = std::make_unique<std::atomic<uint64_t>[]>(ranks());
  auto forJs = [this](MessageKind kind) {
    return [this, kind](uint32_t source, const uint8_t* data, size_t size) { queueForJs(kind, source, data, size); };
  };
  for (MessageKind k :
       {MessageKind::Hello, MessageKind::Welcome, MessageKind::TaskRequest, MessageKind::LoadLibrary,
        MessageKind::LibraryLoaded, MessageKind::Shutdown, MessageKind::RunCallback, MessageKind::CallbackDone})
    transport_->setHandler(k, forJs(k));
  transport_->setHandler(MessageKind::TaskReply, [this](uint32_t source, const uint8_t* data, size_t size) {
    onTaskReply(source, data, size);
  });
  // Region data is read and written where it arrives: the bytes go to
  // storage no running task uses (see valid_copies.h).
  transport_->setHandler(MessageKind::CopyOut,
                         [this](uint32_t source, const uint8_t* data, size_t size) { onCopyOut(source, data, size); });
  transport_->setHandler(MessageKind::CopyData,
                         [this](uint32_t source, const uint8_t* data, size_t size) { onCopyData(source, data, size); });
  shards_ = std::make_unique<ShardExchange>(rt_, *transport_, regionSent_.get(), regionReceived_.get());
  transport_->setHandler(MessageKind::ShardCopy, [this](uint32_t source, const uint8_t* data, size_t size) {
    shards_->onCopy(source, data, size);
  });
  transport_->setHandler(MessageKind::ShardResult, [this](uint32_t source, const uint8_t* data, size_t size) {
    shards_->onResult(source, data, size);
  });
  transport_->setHandler(MessageKind::DropTree,
                         [this](uint32_t, const uint8_t* data, size_t size) { onDropTree(data, size); });
  transport_->setFailureHandler([this](const std::string& what) { onWireFailure(what); });
  helloFrom_.assign(ranks(), false);
  helloReplicated_.assign(ranks(), -1);
  if (rank() == 0) awaitingRanks_ = false;
  transport_->open();  // last: handlers use everything above
}

RankService::~RankService() {
  // First, while everything its handlers use is still here; an unfinished
  // transport stops without its barrier.
  transport_.reset();
}

bool RankService::busy() const {
  return remoteCount_.load(std::memory_order_acquire) != 0 || loadsInFlight_.load(std::memory_order_acquire) != 0 ||
         shards_->busy() || awaitingRanks_.load(std::memory_order_acquire) || serving_.load(std::memory_order_acquire);
}

void RankService::queueForJs(MessageKind kind, uint32_t source, const uint8_t* data, size_t size) {
  {
    std::lock_guard<std::mutex> lock(inboundMutex_);
    inbound_.push_back(Inbound{kind, source, std::vector<uint8_t>(data, data + size)});
  }
  rt_.jsProcessor().wake();
}

void RankService::onWireFailure(const std::string& what) {
  std::unordered_map<uint64_t, TaskOpPtr> lost;
  {
    std::lock_guard<std::mutex> lock(remoteMutex_);
    wireError_ = "cohort: rank " + std::to_string(rank()) + ": the MPI transport failed: " + what;
    lost.swap(remote_);
  }
  for (auto& [id, op] : lost) {
    op->finishRemote(makeFailure(wireError_, "", op->describe() + " on rank " + std::to_string(op->remoteRank())), {});
    remoteCount_.fetch_sub(1, std::memory_order_acq_rel);
  }
  failFetches(wireError_);
  shards_->fail(wireError_);
  serving_ = false;
  awaitingRanks_ = false;
  rt_.jsProcessor().wake();
}

void RankService::sendTask(const TaskOpPtr& op) {
  if (replicated_) {
    shards_->shadowReady(op);
    return;
  }
  TaskRequestMsg m;
  m.request = op->id();
  m.libraryHash = op->task().libraryHash;
  m.task = op->task().name;
  m.variant = op->variant();
  m.worker = op->pinnedWorker();
  m.priority = op->priority();
  if (const auto& ctx = op->result()->context()) m.context = *ctx;
  m.position = op->result()->position();
  m.point = op->point();
  m.args = op->args();
  const TaskOp::TargetMapping& tm = op->targetMapping();
  m.mapOnTarget = tm.enabled;
  m.variantForced = tm.variantForced;
  m.mapper = tm.mapper;
  m.tag = tm.tag;
  m.futures.reserve(op->futures().size());
  for (const auto& f : op->futures()) m.futures.push_back(f->bytes());
  std::string error;
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> copyOuts;  // to other holders, once it is registered
  try {
    addRegionsTo(m, *op, copyOuts);
  } catch (const std::exception& e) {
    error = std::string("cannot send its region data: ") + e.what();
  }
  if (error.empty()) {
    std::lock_guard<std::mutex> lock(remoteMutex_);
    if (!wireError_.empty()) {
      error = wireError_;
    } else {
      remote_.emplace(op->id(), op);
      remoteCount_.fetch_add(1, std::memory_order_acq_rel);
    }
  }
  if (!error.empty()) {
    op->finishRemote(makeFailure(error, "", op->describe() + " on rank " + std::to_string(op->remoteRank())), {});
    return;
  }
  for (auto& [holder, bytes] : copyOuts) transport_->send(holder, MessageKind::CopyOut, std::move(bytes));
  transport_->send(op->remoteRank(), MessageKind::TaskRequest, encode(m));
}

void RankService::onTaskReply(uint32_t source, const uint8_t* data, size_t size) {
  TaskReplyMsg m = decodeTaskReply(data, size);
  TaskOpPtr op;
  {
    std::lock_guard<std::mutex> lock(remoteMutex_);
    auto it = remote_.find(m.request);
    if (it == remote_.end())
      throw Error("a task reply from rank " + std::to_string(source) + " for op id " + std::to_string(m.request) +
                  ", which is not waiting for one");
    op = std::move(it->second);
    remote_.erase(it);
  }
  if (m.ok)
    op->finishRemote(nullptr, std::move(m.result));
  else
    op->finishRemote(makeFailure(std::move(m.message), std::move(m.stack), std::move(m.origin)), {});
  // The last reply: the JS thread re-decides whether the event loop must stay alive.
  if (remoteCount_.fetch_sub(1, std::memory_order_acq_rel) == 1) rt_.jsProcessor().wake();
}

std::vector<std::string> RankService::registrations() const {
  std::vector<std::string> out;
  const TaskRegistry& tasks = rt_.tasks();
  for (TaskId id = 0; id < tasks.size(); ++id) {
    const TaskInfo& t = tasks.get(id);
    if (t.internal) continue;
    if (t.js) out.push_back("ts '" + t.name + "'");
    if (t.cpp) out.push_back("cpp '" + t.name + "' (library " + hex(t.libraryHash) + ")");
  }
  std::sort(out.begin(), out.end());
  return out;
}

void RankService::enterMain(bool replicated) {
  if (inMain_) throw Error("rt.main: the top-level function is already running; call rt.main once per program");
  inMain_ = true;
  replicated_ = replicated;
  if (rank() == 0) {
    awaitingRanks_ = hellos_ + 1 < ranks();
    if (!awaitingRanks_) checkReplication();
    return;
  }
  // Replicated, this rank runs the top-level function once welcomed (the
  // JS side waits for ranksReady) instead of serving.
  serving_ = !replicated;
  awaitingRanks_ = replicated;
  HelloMsg hello;
  hello.workers = rt_.workerCount();
  hello.replicated = replicated;
  hello.registrations = registrations();
  transport_->send(0, MessageKind::Hello, encode(hello));
}

void RankService::noteHello(uint32_t source, const std::vector<uint8_t>& bytes, Events& ev) {
  HelloMsg m = decodeHello(bytes.data(), bytes.size());
  if (helloFrom_[source]) throw Error("rank " + std::to_string(source) + " said hello twice");
  helloFrom_[source] = true;
  if (workersPerRank_.empty()) {
    workersPerRank_.assign(ranks(), 0);
    workersPerRank_[0] = rt_.workerCount();
  }
  workersPerRank_[source] = m.workers;
  helloReplicated_[source] = m.replicated ? 1 : 0;
  // Registration happens before rt.main on every rank: the same names must
  // mean the same code everywhere.
  const std::vector<std::string> mine = registrations();
  if (m.registrations != mine && ranksError_.empty()) {
    std::vector<std::string> missing, extra;
    std::set_difference(mine.begin(), mine.end(), m.registrations.begin(), m.registrations.end(),
                        std::back_inserter(missing));
    std::set_difference(m.registrations.begin(), m.registrations.end(), mine.begin(), mine.end(),
                        std::back_inserter(extra));
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    ranksError_ = "rt.main: rank " + std::to_string(source) +
                  " registered other tasks than rank 0 before rt.main (register tasks and load libraries the "
                  "same way on every rank, before rt.main)";
    if (!missing.empty()) ranksError_ += "; rank " + std::to_string(source) + " lacks " + join(missing);
    if (!extra.empty()) ranksError_ += "; only rank " + std::to_string(source) + " has " + join(extra);
  }
  if (++hellos_ + 1 < ranks()) return;
  awaitingRanks_ = false;
  if (inMain_ && ranksError_.empty()) {
    try {
      checkReplication();
    } catch (const std::exception& e) {
      ranksError_ = e.what();
    }
  }
  if (!ranksError_.empty()) {
    ev.ranksError = ranksError_;
    return;
  }
  rt_.extendMachine(workersPerRank_);
  for (uint64_t h : rt_.libraryHashes()) everywhere_.insert(h);
  WelcomeMsg w;
  w.workers = workersPerRank_;
  const std::vector<uint8_t> welcome = encode(w);
  for (uint32_t r = 1; r < ranks(); ++r) transport_->send(r, MessageKind::Welcome, welcome);
  ev.ranksReady = true;
}

void RankService::checkReplication() {
  for (uint32_t r = 1; r < ranks(); ++r) {
    if (helloReplicated_[r] < 0 || (helloReplicated_[r] == 1) == replicated_) continue;
    const auto says = [](bool on) {
      return on ? std::string("{ replicable: true }") : std::string("without replicable");
    };
    throw Error("rt.main: rank 0 called rt.main " + says(replicated_) + " but rank " + std::to_string(r) +
                " called it " + says(helloReplicated_[r] == 1) +
                "; every rank must run the same program (control replication needs every rank to replicate)");
  }
}

void RankService::runRequest(uint32_t source, const std::vector<uint8_t>& bytes, bool copiesIn) {
  TaskRequestMsg m = decodeTaskRequest(bytes.data(), bytes.size());
  if (m.copiesExpected > 0 && !copiesIn && !copiesArrived(source, bytes, m.request, m.copiesExpected)) return;
  const std::string here = " on rank " + std::to_string(rank());
  auto refuse = [&](const std::string& message) {
    TaskReplyMsg r;
    r.request = m.request;
    r.ok = false;
    r.message = message;
    r.origin = opLabel(m.task, m.context, m.position) + here;
    transport_->send(source, MessageKind::TaskReply, encode(r));
  };
  const TaskInfo* info = rt_.tasks().findByIdentity(m.libraryHash, m.task);
  if (!info) {
    refuse("task '" + m.task + "'" + (m.libraryHash ? " from library " + hex(m.libraryHash) : std::string()) +
           " is not registered" + here + " (register every task, and load every library, before rt.main)");
    return;
  }
  if (m.mapOnTarget) {
    try {
      mapHere(*info, m);
    } catch (const std::exception& e) {
      refuse(std::string("mapping it here failed: ") + e.what());
      return;
    }
  }
  if ((m.variant == VariantKind::Cpp && !info->cpp) || (m.variant == VariantKind::Js && !info->js)) {
    refuse("task '" + m.task + "' has no " + (m.variant == VariantKind::Cpp ? "C++" : "TS") + " variant" + here);
    return;
  }
  if (m.variant == VariantKind::Cpp && m.worker >= static_cast<int32_t>(rt_.workerCount())) {
    refuse("worker " + std::to_string(m.worker) + " does not exist" + here);
    return;
  }
  std::vector<FuturePtr> futures;
  futures.reserve(m.futures.size());
  for (auto& f : m.futures) futures.push_back(FutureImpl::fromBytes(std::move(f)));
  auto context = m.context.empty() ? nullptr : std::make_shared<const std::string>(m.context);
  auto op = makePooled<TaskOp>(rt_, rt_.nextOpId(), *info, m.variant,
                               std::make_shared<const std::vector<uint8_t>>(std::move(m.args)), std::move(futures),
                               std::move(context), m.position);
  if (m.point.dim > 0) op->setPoint(m.point);
  if (!m.regions.empty()) {
    try {
      op->setRegions(bindRankRegions(m));
    } catch (const std::exception& e) {
      refuse(std::string("its region data could not be placed: ") + e.what());
      return;
    }
  }
  if (m.variant == VariantKind::Cpp) op->setPinnedWorker(m.worker);
  op->setPriority(m.priority);
  // The reply goes from the thread that completes the task.
  const uint64_t request = m.request;
  FuturePtr result = op->result();
  std::string here2 = here;
  op->completion().subscribe(makeWaiter([this, source, request, result, here2](const FailurePtr& failure) {
    TaskReplyMsg r;
    r.request = request;
    if (failure) {
      r.ok = false;
      r.message = failure->rootFailure().message;
      r.stack = failure->rootFailure().stack;
      r.origin = failure->origin + here2;
    } else {
      r.result = result->bytes();
    }
    transport_->send(source, MessageKind::TaskReply, encode(r));
  }));
  rt_.start(op);
}

void RankService::mapHere(const TaskInfo& info, TaskRequestMsg& m) {
  MappableTask t;
  t.task = &info;
  t.launchId = m.position;
  t.tag = m.tag;
  if (m.point.dim > 0) {
    t.isIndexLaunch = true;
    t.hasPoint = true;
    Point p = Point::filled(m.point.dim, 0), lo = p, hi = p;
    for (int d = 0; d < m.point.dim; ++d) {
      p[d] = m.point.point[d];
      lo[d] = m.point.lo[d];
      hi[d] = m.point.hi[d];
    }
    t.point = p;
    t.launchDomain = Rect(lo, hi);
  }
  // This rank's mapper instance, over this rank's processors.
  MappingContext mc{rt_.mappers().get(m.mapper), m.mapper, rt_.machine(), rt_.sharding(), false};
  const PointPlacement placed = placeSingle(mc, t);
  if (placed.rank != rank())
    throw Error("mapper " + std::to_string(m.mapper) + " chose a processor of rank " + std::to_string(placed.rank) +
                "; a task mapped on its rank runs there");
  if (!m.variantForced) m.variant = placed.variant;
  m.worker = m.variant == VariantKind::Cpp ? placed.worker : -1;
  m.priority = placed.priority;
}

void RankService::loadRequested(uint32_t source, const std::vector<uint8_t>& bytes) {
  LoadLibraryMsg m = decodeLoadLibrary(bytes.data(), bytes.size());
  LibraryLoadedMsg reply;
  reply.token = m.token;
  const std::string who = "rank " + std::to_string(rank());
  try {
    auto lib = rt_.loadLibrary(m.path);
    if (lib->contentHash() != m.contentHash)
      reply.error = who + ": " + m.path + " has content hash " + hex(lib->contentHash()) + " here but " +
                    hex(m.contentHash) + " on rank " + std::to_string(source) +
                    " (the files differ: install the same build on every node)";
  } catch (const std::exception& e) {
    reply.error = who + ": " + e.what();
  }
  transport_->send(source, MessageKind::LibraryLoaded, encode(reply));
}

uint64_t RankService::loadEverywhere(const Library& lib, const std::string& path) {
  if (ranks() < 2 || everywhere_.count(lib.contentHash())) return 0;
  everywhere_.insert(lib.contentHash());
  const uint64_t token = ++nextToken_;
  loads_[token] = PendingLoad{lib.contentHash(), 0, {}};
  loadsInFlight_.fetch_add(1, std::memory_order_acq_rel);
  LoadLibraryMsg m;
  m.token = token;
  m.path = path;
  m.contentHash = lib.contentHash();
  const std::vector<uint8_t> bytes = encode(m);
  for (uint32_t r = 1; r < ranks(); ++r) transport_->send(r, MessageKind::LoadLibrary, bytes);
  return token;
}

uint64_t RankService::runEverywhere(const Library& lib, const std::string& name, const std::vector<uint8_t>& payload) {
  if (ranks() < 2) return 0;
  Fnv1a h;
  const uint64_t libraryHash = lib.contentHash();
  h.add(&libraryHash, sizeof libraryHash);
  h.add(name.data(), name.size() + 1);
  h.add(payload.data(), payload.size());
  const uint64_t key = h.value();
  if (!callbacksEverywhere_.insert(key).second) return 0;  // every rank ran it
  const uint64_t token = ++nextToken_;
  loads_[token] = PendingLoad{0, 0, {}, key};
  loadsInFlight_.fetch_add(1, std::memory_order_acq_rel);
  RunCallbackMsg m;
  m.token = token;
  m.libraryHash = lib.contentHash();
  m.name = name;
  m.payload = payload;
  const std::vector<uint8_t> bytes = encode(m);
  for (uint32_t r = 1; r < ranks(); ++r) transport_->send(r, MessageKind::RunCallback, bytes);
  return token;
}

void RankService::callbackRequested(uint32_t source, const std::vector<uint8_t>& bytes) {
  RunCallbackMsg m = decodeRunCallback(bytes.data(), bytes.size());
  LibraryLoadedMsg reply;
  reply.token = m.token;
  const std::string who = "rank " + std::to_string(rank());
  try {
    std::shared_ptr<Library> lib = rt_.libraryByHash(m.libraryHash);
    if (!lib)
      throw Error("no library with content hash " + hex(m.libraryHash) +
                  " is loaded here (load it on every rank before running its callbacks)");
    lib->runCallback(m.name, m.payload);
  } catch (const std::exception& e) {
    reply.error = who + ": " + e.what();
  }
  transport_->send(source, MessageKind::CallbackDone, encode(reply));
}

RankService::Events RankService::serve() {
  std::vector<Inbound> work;
  {
    std::lock_guard<std::mutex> lock(inboundMutex_);
    work.swap(inbound_);
  }
  Events ev;
  for (Inbound& in : work) {
    try {
      switch (in.kind) {
        case MessageKind::Hello: noteHello(in.source, in.bytes, ev); break;
        case MessageKind::Welcome:
          workersPerRank_ = decodeWelcome(in.bytes.data(), in.bytes.size()).workers;
          if (replicated_) {
            // Every shard maps with the whole machine, numbered as on rank 0.
            rt_.adoptMachineOfAllRanks(workersPerRank_);
            awaitingRanks_ = false;
            ev.ranksReady = true;
          }
          break;
        case MessageKind::TaskRequest: runRequest(in.source, in.bytes, in.copiesIn); break;
        case MessageKind::LoadLibrary: loadRequested(in.source, in.bytes); break;
        case MessageKind::RunCallback: callbackRequested(in.source, in.bytes); break;
        case MessageKind::CallbackDone:
        case MessageKind::LibraryLoaded: {
          LibraryLoadedMsg m = decodeLibraryLoaded(in.bytes.data(), in.bytes.size());
          auto it = loads_.find(m.token);
          if (it == loads_.end()) break;
          if (!m.error.empty()) it->second.errors.push_back(m.error);
          if (++it->second.replies + 1 < ranks()) break;
          // A rank that could not load it may try again on the next call.
          if (!it->second.errors.empty() && it->second.contentHash) everywhere_.erase(it->second.contentHash);
          if (!it->second.errors.empty() && it->second.callbackKey) callbacksEverywhere_.erase(it->second.callbackKey);
          ev.librariesLoaded.emplace_back(m.token, std::move(it->second.errors));
          loads_.erase(it);
          loadsInFlight_.fetch_sub(1, std::memory_order_acq_rel);
          break;
        }
        case MessageKind::Shutdown:
          ev.shutdownRequested = true;
          serving_ = false;
          break;
        default: break;
      }
    } catch (const std::exception& e) {
      ev.transportError = "cohort: rank " + std::to_string(rank()) + ": a " + messageKindName(in.kind) +
                          " message from rank " + std::to_string(in.source) + " could not be handled: " + e.what();
    }
  }
  {
    std::lock_guard<std::mutex> lock(remoteMutex_);
    if (ev.transportError.empty() && !wireError_.empty()) ev.transportError = wireError_;
  }
  return ev;
}

void RankService::finish() {
  if (finished_) return;
  finished_ = true;
  serving_ = false;
  // Replicated, every rank ends its own program; the transport's barrier
  // keeps any from finalizing while another may still send to it.
  if (rank() == 0 && !replicated_) {
    for (uint32_t r = 1; r < ranks(); ++r) transport_->send(r, MessageKind::Shutdown, nullptr, 0);
  }
  transport_->finish();
}

}  // namespace cohort
