#include "server/loop_json.h"

#include "server/json_shapes.h"

namespace boxloop::server {

Json loop_status_json(const loop::LoopStatus& status) {
  return Json{{"enabled", status.settings.enabled},
              {"every", status.settings.every},
              {"strategy", status.settings.strategy},
              {"strategies", loop::suggested_strategies()},
              {"labels_since_round", status.labels_since_round},
              {"next_round_in", status.next_round_in},
              {"state", loop::to_string(status.state)},
              {"job", status.job ? job_json(*status.job) : Json(nullptr)},
              {"models", status.models}};
}

}  // namespace boxloop::server
