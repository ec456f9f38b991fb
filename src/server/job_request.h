// What an HTTP client may ask a job to do. POST /api/jobs checks a job's params when the job is
// created, with the code the worker reads them with (train_options_from_json,
// score_options_from_json), so a bad value is a 400 at once instead of a job that fails when it
// runs. On top of that, a client may not point the worker at a file on the server: models are
// named only as "pretrained", "scratch", "last" or the id of one of the project's models.
#pragma once

#include <string>

#include "core/json.h"
#include "loop/state/score_options.h"
#include "store/store.h"
#include "train/options/train_options.h"

namespace boxloop::server {

struct JobRequest {
  JobKind kind = JobKind::kTrain;  // train or score
  Json params;                     // as sent (the worker reads them again), checked
};

// {kind: "train"|"score", params?: object}. Throws kInvalidArgument naming the field.
JobRequest parse_job_request(Store& store, const Json& body);

// Training options from a client (a train job's params), checked as above; `where` prefixes
// messages ("params").
TrainOptions client_train_options(Store& store, const Json& params, const std::string& where = "");
// The rules above that are a client's alone (no weights file, `from` a model reference), for
// options read elsewhere (the settings' "train" object, loop::read_train_settings). Throws
// kInvalidArgument prefixed with `where`.
void check_client_train_options(Store& store, const TrainOptions& options,
                                const std::string& where = "");
loop::ScoreOptions client_score_options(Store& store, const Json& params);

}  // namespace boxloop::server
