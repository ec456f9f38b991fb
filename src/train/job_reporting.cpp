#include "train/job_reporting.h"

#include <memory>

namespace boxloop {

CancelFn job_cancel_poller(Store& store, Id job_id, std::chrono::milliseconds poll_every,
                           CancelFn also) {
  struct State {
    std::chrono::steady_clock::time_point last_poll{};
    bool cancel_seen = false;
  };
  auto state = std::make_shared<State>();
  return [&store, job_id, poll_every, also = std::move(also), state] {
    if (also && also()) return true;
    const auto now = std::chrono::steady_clock::now();
    if (!state->cancel_seen && now - state->last_poll > poll_every) {
      state->last_poll = now;
      const auto job = store.job(job_id);
      // A job handed to another worker (this one missed its heartbeats) stops here too.
      state->cancel_seen = job && (job->cancel_requested || !store.owns_job(*job));
    }
    return state->cancel_seen;
  };
}

ProgressFn job_progress_writer(Store& store, Id job_id, ProgressFn forward,
                               std::function<bool(const std::string&)> write_now) {
  auto last_write = std::make_shared<std::chrono::steady_clock::time_point>();
  return [&store, job_id, forward = std::move(forward), write_now = std::move(write_now),
          last_write](double fraction, const std::string& message) {
    if (forward) forward(fraction, message);
    const auto now = std::chrono::steady_clock::now();
    if (now - *last_write > std::chrono::milliseconds(500) || (write_now && write_now(message))) {
      *last_write = now;
      store.update_job_progress(job_id, fraction, message);
    }
  };
}

}  // namespace boxloop
