// Control replication's traffic between shards (one shard per rank). Every
// shard runs the same top-level function, so it issues the same operations
// in the same order, derives the same plan and keeps the same record of
// which shard holds valid bytes (runtime/valid_copies.h). An operation is
// identified on every shard by its position in the top-level context.
//
// - A task this shard owns runs here. Once ready it waits for the bytes its
//   sources push (ShardCopy): they are kept aside until then, because they
//   must not land in storage an earlier task here still reads. When it
//   finishes, its result (or its own failure) goes to every other shard
//   (ShardResult); a failure because a predecessor failed is not sent, as
//   every shard derives it from the same predecessor.
// - A task another shard owns is its shadow here: a remote TaskOp with the
//   same preconditions. Once ready it pushes the pieces this shard is the
//   source of to the owner and finishes when the owner's result arrives, so
//   later tasks here are ordered after it exactly as in one process.
// - A task every shard runs (a fill, an inline mapping) pushes what its
//   copies elsewhere need from this shard and waits for what it needs.
//
// Handlers run on the communication thread; the other calls come from any
// thread (a task becomes ready wherever its last precondition fired).
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ops/task_op.h"
#include "runtime/region_messages.h"
#include "runtime/remote_messages.h"
#include "transport/transport.h"

namespace cohort {

class Runtime;

class ShardExchange {
 public:
  // `sent` / `received`: region bytes per peer, the rank service's counters.
  ShardExchange(Runtime& rt, Transport& transport, std::atomic<uint64_t>* sent, std::atomic<uint64_t>* received);

  // A shadow is ready: push, then wait for the owner's result.
  void shadowReady(const TaskOpPtr& op);
  // A task that runs here is ready and has pieces to push or to receive.
  void fetch(const TaskOpPtr& op);
  // Issuing thread: `op` runs here and the other shards wait for its outcome.
  void publish(const TaskOpPtr& op);
  // The wire failed: every task waiting for another shard fails with `error`.
  void fail(const std::string& error);
  // Results not yet sent, or shadows or tasks waiting for another shard.
  bool busy() const;

  void onCopy(uint32_t source, const uint8_t* data, size_t size);
  void onResult(uint32_t source, const uint8_t* data, size_t size);

 private:
  struct Incoming {
    TaskOpPtr op;           // null until the task is ready here
    uint32_t expected = 0;  // sources it waits for
    std::vector<std::pair<uint32_t, CopyDataMsg>> arrived;
  };
  void unpackAll(const TaskOp& op, std::vector<std::pair<uint32_t, CopyDataMsg>>& arrived);
  void push(const TaskOp& op, const std::vector<std::pair<uint32_t, RegionPiece>>& pieces);
  static void finishShadow(const TaskOpPtr& op, TaskReplyMsg& m);

  Runtime& rt_;
  Transport& transport_;
  std::atomic<uint64_t>* sent_;
  std::atomic<uint64_t>* received_;
  uint32_t rank_;

  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, TaskOpPtr> shadows_;          // by position: waiting for the owner's result
  std::unordered_map<uint64_t, TaskReplyMsg> earlyResults_;  // results that came before their shadow was ready
  std::unordered_map<uint64_t, Incoming> incoming_;          // by position: pushes for tasks that run here
  std::string wireError_;
  std::atomic<uint64_t> unsent_{0};   // published results not sent yet
  std::atomic<uint64_t> waiting_{0};  // shadows and tasks waiting for another shard
};

}  // namespace cohort
