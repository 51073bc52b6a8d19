// The transport: bytes to other ranks, by message kind. Any thread may
// send; a message is appended to its destination's batch, and the one
// communication thread sends each batch as one wire message, receives,
// splits batches back into messages and calls the handler of each kind (on
// the communication thread: handlers hand work on, they do not run it).
// Messages between two ranks arrive in the order they were sent.
//
// The communication thread owns the wire: it initializes it (so MPI needs
// no more than FUNNELED), makes every call into it and finalizes it when
// the runtime shuts down: after every batch was sent, and after a barrier
// with every rank, so that no rank finalizes while another may still send
// to it.
//
// Counters (messages and bytes, sent and received, per peer and kind, plus
// wire batches) are kept for `rt.transportCounters()` and tests that count
// what moved.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "transport/message_kind.h"
#include "transport/wire_abi.h"

namespace cohort {

struct TransportCounters {
  struct PerKind {
    uint64_t messages = 0;
    uint64_t bytes = 0;  // payload bytes
  };
  struct Peer {
    PerKind sent[static_cast<size_t>(MessageKind::kCount)];
    PerKind received[static_cast<size_t>(MessageKind::kCount)];
    uint64_t batchesSent = 0;
    uint64_t batchesReceived = 0;
    uint64_t wireBytesSent = 0;  // batches, with their framing
    uint64_t wireBytesReceived = 0;
  };
  std::vector<Peer> peers;  // by rank; this rank's own entry stays zero
};

class Transport {
 public:
  // A handler gets the source rank and the message's payload (valid during the call).
  using Handler = std::function<void(uint32_t source, const uint8_t* data, size_t size)>;
  // Called on the communication thread when the wire fails (a peer died,
  // MPI reported an error): the text names what failed.
  using FailureHandler = std::function<void(const std::string& what)>;

  // Starts the communication thread and initializes the wire on it; throws
  // an Error naming the failure (the wire's own text) if that fails.
  explicit Transport(const cohort_wire* wire);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  uint32_t rank() const { return rank_; }
  uint32_t ranks() const { return ranks_; }
  int threadLevel() const { return threadLevel_; }
  const std::string& library() const { return library_; }

  // Before any message can arrive for it (set them right after construction).
  void setHandler(MessageKind kind, Handler h);
  void setFailureHandler(FailureHandler h);
  // Handlers are all set: the communication thread starts receiving (it
  // sends from the start). Before this, arriving messages wait in MPI.
  void open();

  // Any thread: queues a message to `dest` (never this rank).
  void send(uint32_t dest, MessageKind kind, const uint8_t* data, size_t size);
  void send(uint32_t dest, MessageKind kind, const std::vector<uint8_t>& bytes) {
    send(dest, kind, bytes.data(), bytes.size());
  }

  TransportCounters counters() const;

  // Sends what is queued, waits for every rank to get here too (a barrier
  // that keeps receiving meanwhile), then finalizes the wire and joins the
  // thread. Call once, when this rank will send nothing more. Destroying
  // an unfinished transport stops its thread without barrier or finalize.
  void finish();

 private:
  struct Outbox {
    std::mutex mutex;
    std::vector<uint8_t> pending;  // framed messages not yet handed to the wire
  };
  struct InFlight {
    std::vector<uint8_t> bytes;
    void* request = nullptr;
  };
  void run();
  bool pump();  // one round: send batches, complete sends, receive; true if anything happened
  void deliver(uint32_t source, const std::vector<uint8_t>& batch);
  void fail(const std::string& what);
  void wakeThread();

  const cohort_wire* wire_;
  uint32_t rank_ = 0;
  uint32_t ranks_ = 1;
  int threadLevel_ = 0;
  std::string library_;
  std::vector<std::unique_ptr<Outbox>> outboxes_;
  std::vector<InFlight> inFlight_;  // communication thread only
  Handler handlers_[static_cast<size_t>(MessageKind::kCount)];
  FailureHandler onFailure_;

  mutable std::mutex countersMutex_;
  TransportCounters counters_;

  std::mutex wakeMutex_;
  std::condition_variable wakeCv_;
  bool wakeFlag_ = false;
  std::atomic<bool> sleeping_{false};
  std::atomic<bool> finishing_{false};
  std::atomic<bool> failed_{false};
  std::atomic<bool> open_{false};  // handlers set: receiving may start

  // Start-up handshake between the constructor and the thread.
  std::mutex initMutex_;
  std::condition_variable initCv_;
  bool initDone_ = false;
  std::string initError_;

  std::thread thread_;
};

}  // namespace cohort
