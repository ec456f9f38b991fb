#include "server/settings_request.h"

#include "loop/state/settings_change.h"
#include "server/job_request.h"

namespace boxloop::server {

ProjectSettings change_settings(Store& store, const std::function<void(ProjectSettings&)>& change) {
  return loop::change_settings(
      store, change, [&](const ProjectSettings& before, const ProjectSettings& after) {
        if (after.train == before.train) return;  // stored values are not checked again
        check_client_train_options(store, loop::read_train_settings(after), "train");
      });
}

}  // namespace boxloop::server
