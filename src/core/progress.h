// How long-running work reports progress without knowing who listens: the CLI draws a bar, a job
// writes its row, a test records the calls.
#pragma once

#include <functional>
#include <string>

namespace boxloop {

// fraction in [0, 1]; message is a short human line ("epoch 3/20 loss 1.23").
using ProgressFn = std::function<void(double fraction, const std::string& message)>;

// Checked between units of work; returning true asks the work to stop with ErrorCode::kCancelled.
using CancelFn = std::function<bool()>;

}  // namespace boxloop
