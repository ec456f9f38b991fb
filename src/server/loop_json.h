// The JSON shape of the loop's state (GET/PUT /api/loop and the `loop` event, docs/api.md).
#pragma once

#include "core/json.h"
#include "loop/state/rounds.h"

namespace boxloop::server {

// {enabled, every, strategy, strategies, labels_since_round, next_round_in, state, job, models}
Json loop_status_json(const loop::LoopStatus& status);

}  // namespace boxloop::server
