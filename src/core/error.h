// The one exception type thrown below the front ends. The CLI prints `message` and exits non-zero;
// the server maps `code` to an HTTP status (see server/).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace boxloop {

enum class ErrorCode {
  kInvalidArgument,  // bad input from the user: wrong JSON, bad box, unknown category name
  kNotFound,         // no such project, image, model, job
  kAlreadyExists,    // creating something that exists (project, user, duplicate image)
  kConflict,         // optimistic-version mismatch, lease held by someone else
  kCorrupt,          // a file that does not decode: image, checkpoint, annotation file
  kTooLarge,         // over a configured limit (pixels, bytes)
  kUnauthenticated,  // no or wrong credentials
  kForbidden,        // authenticated but not allowed
  kIo,               // the file system or network failed
  kUnsupported,      // valid but not implemented here (e.g. CUDA on a CPU build)
  kCancelled,        // a job was cancelled
  kBusy,             // the database stayed locked by another writer past the wait: try again soon
  kInternal,         // a bug
};

std::string_view to_string(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace boxloop
