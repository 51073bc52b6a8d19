// The serializer: fixed-width little-endian integers and length-prefixed
// blobs, written to a growing buffer and read back from a span. Bytes are
// assembled by shifts, so the encoding is the same on every host whatever its
// byte order. Counts and lengths are u32.
//
// The reader never reads past its span and never trusts a length: every read
// checks the bytes left, and count() refuses a count whose items could not
// fit in what is left, so malformed input costs at most its own size in
// memory. Every failure is a cohort::Error naming the format (`what`), the
// field being read and the offset.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cohort {

class ByteWriter {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { putLE(v, 2); }
  void u32(uint32_t v) { putLE(v, 4); }
  void u64(uint64_t v) { putLE(v, 8); }
  void i32(int32_t v) { putLE(static_cast<uint32_t>(v), 4); }
  void i64(int64_t v) { putLE(static_cast<uint64_t>(v), 8); }
  // A u32 count of items that follow; throws if n does not fit in 32 bits.
  void count(size_t n, const char* field);
  // u32 length, then the bytes.
  void blob(const uint8_t* data, size_t n, const char* field);
  void blob(const std::vector<uint8_t>& b, const char* field) { blob(b.data(), b.size(), field); }
  void str(const std::string& s, const char* field);

  const std::vector<uint8_t>& bytes() const { return out_; }
  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  void putLE(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
};

class ByteReader {
 public:
  // `what` names the format in error messages ("launch description").
  ByteReader(const uint8_t* data, size_t size, const char* what) : data_(data), size_(size), what_(what) {}

  uint8_t u8(const char* field) { return static_cast<uint8_t>(getLE(1, field)); }
  uint16_t u16(const char* field) { return static_cast<uint16_t>(getLE(2, field)); }
  uint32_t u32(const char* field) { return static_cast<uint32_t>(getLE(4, field)); }
  uint64_t u64(const char* field) { return getLE(8, field); }
  int32_t i32(const char* field) { return static_cast<int32_t>(u32(field)); }
  int64_t i64(const char* field) { return static_cast<int64_t>(u64(field)); }
  // A u32 count of items of at least `minItemBytes` each (>= 1); throws if
  // that many items cannot fit in the bytes left, before anyone allocates.
  uint32_t count(const char* field, size_t minItemBytes);
  std::vector<uint8_t> blob(const char* field);
  std::string str(const char* field);

  size_t offset() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  // Throws if any bytes are left.
  void expectEnd() const;
  // Throws an Error "<what>: <message> (at byte <offset>)".
  [[noreturn]] void fail(const std::string& message) const;

 private:
  uint64_t getLE(int n, const char* field);
  void need(size_t n, const char* field) const;

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const char* what_;
};

}  // namespace cohort
