// AWS API errors are values (style.md): AwsError, and Result<T> = a T or an AwsError.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace deploysim::sim {

struct AwsError {
  std::string code;     // the wire code AWS sends: "NoSuchBucket", "ValidationError", "404"
  std::string message;  // AWS's message text
  int http_status = 400;
  // "Sender" or "Receiver" (query protocol's <Type>): 5xx errors are the receiver's.
  bool operator==(const AwsError&) const = default;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(AwsError error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const AwsError& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, AwsError> v_;
};

// For operations whose success carries nothing.
struct Ok {};

}  // namespace deploysim::sim
