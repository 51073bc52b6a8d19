#include "transport/transport.h"

#include <chrono>

#include "util/error.h"

namespace cohort {

namespace {
// A batch is messages back to back, each framed as u16 kind, u32 length, payload.
constexpr size_t kFrameHeader = 6;
// A batch is handed to the wire once it is this big, even if more is queued.
constexpr size_t kBatchLimit = size_t{1} << 30;

void putFrame(std::vector<uint8_t>& out, MessageKind kind, const uint8_t* data, size_t size) {
  const auto k = static_cast<uint16_t>(kind);
  const auto n = static_cast<uint32_t>(size);
  const uint8_t header[kFrameHeader] = {static_cast<uint8_t>(k),       static_cast<uint8_t>(k >> 8),
                                        static_cast<uint8_t>(n),       static_cast<uint8_t>(n >> 8),
                                        static_cast<uint8_t>(n >> 16), static_cast<uint8_t>(n >> 24)};
  out.insert(out.end(), header, header + kFrameHeader);
  if (size) out.insert(out.end(), data, data + size);
}
}  // namespace

Transport::Transport(const cohort_wire* wire) : wire_(wire) {
  thread_ = std::thread([this] { run(); });
  std::unique_lock<std::mutex> lock(initMutex_);
  initCv_.wait(lock, [this] { return initDone_; });
  if (!initError_.empty()) {
    lock.unlock();
    thread_.join();
    throw Error(initError_);
  }
}

Transport::~Transport() {
  // Not finished (the runtime went away without shutting down, e.g. the
  // process is exiting on an error): stop the thread without the barrier,
  // which would wait for ranks that may never come. MPI is left
  // unfinalized, so the launcher reports this rank's exit.
  if (thread_.joinable()) {
    failed_.store(true);
    wakeThread();
    thread_.join();
  }
}

void Transport::setHandler(MessageKind kind, Handler h) {
  if (open_.load()) throw Error("internal: transport handlers are set before open()");
  handlers_[static_cast<size_t>(kind)] = std::move(h);
}

void Transport::open() { open_.store(true, std::memory_order_release); }
void Transport::setFailureHandler(FailureHandler h) { onFailure_ = std::move(h); }

void Transport::send(uint32_t dest, MessageKind kind, const uint8_t* data, size_t size) {
  if (dest >= ranks_ || dest == rank_)
    throw Error("transport: cannot send a " + std::string(messageKindName(kind)) + " message from rank " +
                std::to_string(rank_) + " to rank " + std::to_string(dest) + " (ranks 0.." +
                std::to_string(ranks_ - 1) + ", not itself)");
  if (size > UINT32_MAX) throw Error("transport: a message of " + std::to_string(size) + " bytes is too large");
  if (finishing_.load(std::memory_order_acquire) && kind != MessageKind::Shutdown)
    throw Error("transport: rank " + std::to_string(rank_) + " sends a " + messageKindName(kind) +
                " message after its transport finished");
  {
    std::lock_guard<std::mutex> lock(outboxes_[dest]->mutex);
    putFrame(outboxes_[dest]->pending, kind, data, size);
  }
  {
    std::lock_guard<std::mutex> lock(countersMutex_);
    auto& c = counters_.peers[dest].sent[static_cast<size_t>(kind)];
    c.messages += 1;
    c.bytes += size;
  }
  wakeThread();
}

void Transport::wakeThread() {
  if (!sleeping_.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> lock(wakeMutex_);
  wakeFlag_ = true;
  wakeCv_.notify_one();
}

TransportCounters Transport::counters() const {
  std::lock_guard<std::mutex> lock(countersMutex_);
  return counters_;
}

void Transport::fail(const std::string& what) {
  if (failed_.exchange(true)) return;
  if (onFailure_) onFailure_(what);
}

void Transport::run() {
  int rank = 0, size = 1, level = 0;
  {
    std::lock_guard<std::mutex> lock(initMutex_);
    if (wire_->init(&rank, &size, &level) != 0) {
      initError_ = std::string("cohort: could not start the MPI transport: ") + wire_->error();
    } else if (level < 1) {
      initError_ = std::string("cohort: MPI (") + wire_->library() +
                   ") gives only MPI_THREAD_SINGLE; cohort needs at least MPI_THREAD_FUNNELED (one "
                   "communication thread in a multi-threaded process)";
      wire_->finalize();
    } else {
      rank_ = static_cast<uint32_t>(rank);
      ranks_ = static_cast<uint32_t>(size);
      threadLevel_ = level;
      library_ = wire_->library();
      for (uint32_t i = 0; i < ranks_; ++i) outboxes_.push_back(std::make_unique<Outbox>());
      counters_.peers.resize(ranks_);
    }
    initDone_ = true;
  }
  initCv_.notify_all();
  if (!initError_.empty()) return;

  using namespace std::chrono;
  unsigned idleRounds = 0;
  auto drained = [this] {
    if (!inFlight_.empty()) return false;
    for (auto& box : outboxes_) {
      std::lock_guard<std::mutex> lock(box->mutex);
      if (!box->pending.empty()) return false;
    }
    return true;
  };
  // Idle: yield for up to 2 ms (a reply usually comes sooner, and a
  // yielding thread gives its core to whoever needs it), then sleep in short
  // steps (a local send wakes it at once; a message from another rank is
  // seen at the next poll, MPI has no wait a local thread can interrupt).
  steady_clock::time_point idleSince{};
  auto idle = [&] {
    if (idleRounds++ == 0) idleSince = steady_clock::now();
    if (steady_clock::now() - idleSince < milliseconds(2)) {
      std::this_thread::yield();
      return;
    }
    const auto wait = microseconds(50);
    std::unique_lock<std::mutex> lock(wakeMutex_);
    sleeping_.store(true, std::memory_order_release);
    // system_clock, not steady_clock: libstdc++ waits on a steady clock with
    // pthread_cond_clockwait (glibc 2.30), which the prebuilds may not need
    // (they load on glibc 2.28). A clock step only lengthens one short poll.
    wakeCv_.wait_until(lock, system_clock::now() + wait, [this] { return wakeFlag_; });
    wakeFlag_ = false;
    sleeping_.store(false, std::memory_order_release);
  };

  while (!failed_.load()) {
    if (pump())
      idleRounds = 0;
    else if (finishing_.load(std::memory_order_acquire) && drained())
      break;
    else
      idle();
  }
  if (failed_.load()) return;
  // Every rank gets here once it will send nothing more; until all have,
  // keep receiving (a late message is still delivered).
  void* barrier = nullptr;
  if (wire_->ibarrier(&barrier) != 0) {
    fail(std::string("the shutdown barrier: ") + wire_->error());
    return;
  }
  idleRounds = 0;
  for (;;) {
    int done = 0;
    if (wire_->test(barrier, &done) != 0) {
      fail(std::string("the shutdown barrier: ") + wire_->error());
      return;
    }
    if (done) break;
    if (pump())
      idleRounds = 0;
    else
      idle();
  }
  if (wire_->finalize() != 0) fail(std::string("finalizing: ") + wire_->error());
}

bool Transport::pump() {
  bool progress = false;
  for (uint32_t dest = 0; dest < ranks_; ++dest) {
    InFlight f;
    {
      std::lock_guard<std::mutex> lock(outboxes_[dest]->mutex);
      if (outboxes_[dest]->pending.empty()) continue;
      f.bytes.swap(outboxes_[dest]->pending);
    }
    if (f.bytes.size() > kBatchLimit) {
      fail("a batch of " + std::to_string(f.bytes.size()) + " bytes to rank " + std::to_string(dest) +
           " is larger than the 1 GiB a wire message may hold");
      return false;
    }
    if (wire_->isend(static_cast<int>(dest), f.bytes.data(), f.bytes.size(), &f.request) != 0) {
      fail("sending to rank " + std::to_string(dest) + ": " + wire_->error());
      return false;
    }
    {
      std::lock_guard<std::mutex> lock(countersMutex_);
      counters_.peers[dest].batchesSent += 1;
      counters_.peers[dest].wireBytesSent += f.bytes.size();
    }
    inFlight_.push_back(std::move(f));
    progress = true;
  }
  for (size_t i = 0; i < inFlight_.size();) {
    int done = 0;
    if (wire_->test(inFlight_[i].request, &done) != 0) {
      fail(std::string("completing a send: ") + wire_->error());
      return false;
    }
    if (done) {
      inFlight_[i] = std::move(inFlight_.back());
      inFlight_.pop_back();
      progress = true;
    } else {
      ++i;
    }
  }
  // Nothing is received before the handlers are all set (open()): a rank
  // that started sooner may already be sending.
  if (!open_.load(std::memory_order_acquire)) return progress;
  for (;;) {
    int source = 0;
    size_t len = 0;
    int got = wire_->probe(&source, &len);
    if (got < 0) {
      fail(std::string("receiving: ") + wire_->error());
      return false;
    }
    if (got == 0) break;
    std::vector<uint8_t> batch(len);
    if (wire_->recv(batch.data(), len) != 0) {
      fail("receiving from rank " + std::to_string(source) + ": " + wire_->error());
      return false;
    }
    deliver(static_cast<uint32_t>(source), batch);
    progress = true;
  }
  return progress;
}

void Transport::deliver(uint32_t source, const std::vector<uint8_t>& batch) {
  {
    std::lock_guard<std::mutex> lock(countersMutex_);
    counters_.peers[source].batchesReceived += 1;
    counters_.peers[source].wireBytesReceived += batch.size();
  }
  size_t pos = 0;
  while (pos < batch.size()) {
    if (batch.size() - pos < kFrameHeader) {
      fail("a malformed batch from rank " + std::to_string(source) + " (a frame header is cut off)");
      return;
    }
    const uint8_t* h = batch.data() + pos;
    const uint16_t kind = static_cast<uint16_t>(h[0] | (h[1] << 8));
    const uint32_t len = static_cast<uint32_t>(h[2]) | (static_cast<uint32_t>(h[3]) << 8) |
                         (static_cast<uint32_t>(h[4]) << 16) | (static_cast<uint32_t>(h[5]) << 24);
    pos += kFrameHeader;
    if (batch.size() - pos < len || kind == 0 || kind >= static_cast<uint16_t>(MessageKind::kCount)) {
      fail("a malformed batch from rank " + std::to_string(source) + " (message kind " + std::to_string(kind) + ", " +
           std::to_string(len) + " bytes)");
      return;
    }
    {
      std::lock_guard<std::mutex> lock(countersMutex_);
      auto& c = counters_.peers[source].received[kind];
      c.messages += 1;
      c.bytes += len;
    }
    const Handler& handler = handlers_[kind];
    if (!handler) {
      fail(std::string("a ") + messageKindName(static_cast<MessageKind>(kind)) + " message from rank " +
           std::to_string(source) + " has no handler on rank " + std::to_string(rank_));
      return;
    }
    try {
      handler(source, batch.data() + pos, len);
    } catch (const std::exception& e) {
      fail(std::string("a ") + messageKindName(static_cast<MessageKind>(kind)) + " message from rank " +
           std::to_string(source) + ": " + e.what());
      return;
    }
    pos += len;
  }
}

void Transport::finish() {
  finishing_.store(true, std::memory_order_release);
  wakeThread();
  if (thread_.joinable()) thread_.join();
}

}  // namespace cohort
