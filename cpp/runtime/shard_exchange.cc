#include "runtime/shard_exchange.h"

#include <map>
#include <set>

#include "data/rect_bytes.h"
#include "ops/region_args.h"
#include "runtime/runtime.h"
#include "util/error.h"
#include "util/failure.h"

namespace cohort {

namespace {
uint64_t positionOf(const TaskOp& op) { return op.result()->position(); }
}  // namespace

ShardExchange::ShardExchange(Runtime& rt, Transport& transport, std::atomic<uint64_t>* sent,
                             std::atomic<uint64_t>* received)
    : rt_(rt), transport_(transport), sent_(sent), received_(received), rank_(transport.rank()) {}

bool ShardExchange::busy() const {
  return unsent_.load(std::memory_order_acquire) != 0 || waiting_.load(std::memory_order_acquire) != 0;
}

void ShardExchange::push(const TaskOp& op, const std::vector<std::pair<uint32_t, RegionPiece>>& pieces) {
  if (pieces.empty()) return;
  std::map<uint32_t, CopyDataMsg> out;
  for (const auto& [dest, p] : pieces) {
    std::shared_ptr<FieldStorage> storage = storageOf(op, p.tree, p.field);
    PieceData d{PieceSpec{p.tree, p.field, storage->type(), storage->bounds(), p.rect}, {}};
    packRect(*storage, p.rect, d.bytes);
    sent_[dest].fetch_add(d.bytes.size(), std::memory_order_relaxed);
    CopyDataMsg& m = out[dest];
    m.copy = positionOf(op);
    m.pieces.push_back(std::move(d));
  }
  for (auto& [dest, m] : out) transport_.send(dest, MessageKind::ShardCopy, encode(m));
}

void ShardExchange::unpackAll(const TaskOp& op, std::vector<std::pair<uint32_t, CopyDataMsg>>& arrived) {
  for (auto& [source, m] : arrived)
    for (PieceData& p : m.pieces) {
      unpackRect(*storageOf(op, p.spec.tree, p.spec.field), p.spec.rect, p.bytes.data(), p.bytes.size());
      received_[source].fetch_add(p.bytes.size(), std::memory_order_relaxed);
    }
}

void ShardExchange::finishShadow(const TaskOpPtr& op, TaskReplyMsg& m) {
  if (m.ok)
    op->finishRemote(nullptr, std::move(m.result));
  else
    op->finishRemote(makeFailure(std::move(m.message), std::move(m.stack), std::move(m.origin)), {});
}

void ShardExchange::shadowReady(const TaskOpPtr& op) {
  // The owner waits for one push from each source its pieces name: this
  // shard's, if it is one (the owner's record names the same sources).
  std::vector<std::pair<uint32_t, RegionPiece>> mine;
  for (const RegionPiece& p : op->copiesIn())
    if (p.source == rank_) mine.emplace_back(op->remoteRank(), p);
  push(*op, mine);
  const uint64_t position = positionOf(*op);
  TaskReplyMsg early;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!wireError_.empty()) {
      early.ok = false;
      early.message = wireError_;
      early.origin = op->describe();
    } else if (auto it = earlyResults_.find(position); it != earlyResults_.end()) {
      early = std::move(it->second);
      earlyResults_.erase(it);
    } else {
      if (!shadows_.emplace(position, op).second)
        throw Error("internal: two shadows of position " + std::to_string(position) + " wait for their owner");
      waiting_.fetch_add(1, std::memory_order_acq_rel);
      return;
    }
  }
  finishShadow(op, early);
}

void ShardExchange::onResult(uint32_t source, const uint8_t* data, size_t size) {
  TaskReplyMsg m = decodeTaskReply(data, size);
  TaskOpPtr op;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = shadows_.find(m.request);
    if (it == shadows_.end()) {
      if (!earlyResults_.emplace(m.request, std::move(m)).second)
        throw Error("shard " + std::to_string(source) + " sent the result of position " + std::to_string(m.request) +
                    " twice");
      return;
    }
    op = std::move(it->second);
    shadows_.erase(it);
  }
  finishShadow(op, m);
  if (waiting_.fetch_sub(1, std::memory_order_acq_rel) == 1) rt_.jsProcessor().wake();
}

void ShardExchange::fetch(const TaskOpPtr& op) {
  push(*op, op->copiesOut());
  std::set<uint32_t> sources;
  for (const RegionPiece& p : op->copiesIn()) sources.insert(p.source);
  if (sources.empty()) {
    op->regionsFetched();
    return;
  }
  const uint64_t position = positionOf(*op);
  std::vector<std::pair<uint32_t, CopyDataMsg>> arrived;
  std::string error;
  {
    // One critical section with fail(): an op registered after it ran
    // would wait forever.
    std::lock_guard<std::mutex> lock(mutex_);
    error = wireError_;
    if (error.empty()) {
      Incoming& in = incoming_[position];
      if (in.op) throw Error("internal: two tasks at position " + std::to_string(position) + " wait for region data");
      if (in.arrived.size() < sources.size()) {
        in.op = op;
        in.expected = static_cast<uint32_t>(sources.size());
        waiting_.fetch_add(1, std::memory_order_acq_rel);
        return;
      }
      arrived = std::move(in.arrived);
      incoming_.erase(position);
    }
  }
  if (!error.empty()) {
    op->finishRemote(makeFailure(error, "", op->describe()), {});
    return;
  }
  unpackAll(*op, arrived);
  op->regionsFetched();
}

void ShardExchange::onCopy(uint32_t source, const uint8_t* data, size_t size) {
  CopyDataMsg m = decodeCopyData(data, size);
  const uint64_t position = m.copy;
  TaskOpPtr op;
  std::vector<std::pair<uint32_t, CopyDataMsg>> arrived;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Incoming& in = incoming_[position];
    in.arrived.emplace_back(source, std::move(m));
    if (!in.op || in.arrived.size() < in.expected) return;
    op = std::move(in.op);
    arrived = std::move(in.arrived);
    incoming_.erase(position);
  }
  unpackAll(*op, arrived);
  op->regionsFetched();
  if (waiting_.fetch_sub(1, std::memory_order_acq_rel) == 1) rt_.jsProcessor().wake();
}

void ShardExchange::publish(const TaskOpPtr& op) {
  unsent_.fetch_add(1, std::memory_order_acq_rel);
  FuturePtr result = op->result();
  result->ready().subscribe(makeWaiter([this, result](const FailurePtr& failure) {
    // A dependent's failure is derived on every shard from the same
    // predecessor; only a task's own outcome travels.
    if (!failure || !failure->root) {
      TaskReplyMsg m;
      m.request = result->position();
      m.ok = !failure;
      if (failure) {
        m.message = failure->message;
        m.stack = failure->stack;
        m.origin = failure->origin + " on rank " + std::to_string(rank_);
      } else {
        m.result = result->bytes();
      }
      const std::vector<uint8_t> bytes = encode(m);
      for (uint32_t r = 0; r < transport_.ranks(); ++r)
        if (r != rank_) transport_.send(r, MessageKind::ShardResult, bytes);
    }
    if (unsent_.fetch_sub(1, std::memory_order_acq_rel) == 1) rt_.jsProcessor().wake();
  }));
}

void ShardExchange::fail(const std::string& error) {
  std::vector<TaskOpPtr> lost;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wireError_ = error;
    for (auto& [position, op] : shadows_) lost.push_back(std::move(op));
    shadows_.clear();
    for (auto& [position, in] : incoming_)
      if (in.op) lost.push_back(std::move(in.op));
    incoming_.clear();
  }
  for (const TaskOpPtr& op : lost) {
    op->finishRemote(makeFailure(error, "", op->describe()), {});
    waiting_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace cohort
