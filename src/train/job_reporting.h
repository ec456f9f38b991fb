// Ties a long run (training, scoring) to its row in the job table: progress is written to the row
// at most twice a second, and the row's cancel request is read back at most every `poll_every`,
// so fast steps do not turn into a database write or read each.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/progress.h"
#include "store/store.h"

namespace boxloop {

// True once the job's row asks for a cancel, or the job is no longer this store's worker's (or
// `also` returns true, checked every call).
CancelFn job_cancel_poller(Store& store, Id job_id, std::chrono::milliseconds poll_every,
                           CancelFn also = nullptr);

// Forwards to `forward` every call and writes the job's progress row at most every 500 ms, or at
// once when `write_now(message)` says so (e.g. a message worth not losing).
ProgressFn job_progress_writer(Store& store, Id job_id, ProgressFn forward,
                               std::function<bool(const std::string&)> write_now = nullptr);

}  // namespace boxloop
