// Value handles for region-tree nodes. A handle is (tree id, node index):
// plain integers assigned in program order, so every rank of a replicated
// program derives the same handles and they can be hashed and sent.
#pragma once
#include <cstdint>
#include <string>

namespace cohort {

using TreeId = uint32_t;  // 0 is never a valid tree

struct RegionHandle {
  TreeId tree = 0;
  uint32_t node = 0;  // index in the tree's region table; 0 is the root
  std::string toString() const { return "region " + std::to_string(node) + " of tree " + std::to_string(tree); }
};

struct PartitionHandle {
  TreeId tree = 0;
  uint32_t node = 0;  // index in the tree's partition table
  std::string toString() const { return "partition " + std::to_string(node) + " of tree " + std::to_string(tree); }
};

inline bool operator==(const RegionHandle& a, const RegionHandle& b) { return a.tree == b.tree && a.node == b.node; }
inline bool operator!=(const RegionHandle& a, const RegionHandle& b) { return !(a == b); }
inline bool operator==(const PartitionHandle& a, const PartitionHandle& b) {
  return a.tree == b.tree && a.node == b.node;
}
inline bool operator!=(const PartitionHandle& a, const PartitionHandle& b) { return !(a == b); }

}  // namespace cohort
