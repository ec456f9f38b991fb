// News of label saves committed by other processes on the same PostgreSQL database, so a server
// can tell its open pages about saves made through another server (issue 16: several servers on
// one database). A save sends NOTIFY on the database's channel inside its transaction (delivered
// at commit, never for a rolled-back save); a ChangeFeed holds a connection of its own that
// LISTENs and calls back on a thread of its own. SQLite has no such channel: there a store has no
// feed, and other processes' changes are found by polling (server/store_watcher.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace boxloop {

// The channel a project's database announces its changes on; the payload says what changed.
inline constexpr const char* kChangeChannel = "boxloop_changes";
inline constexpr const char* kLabelsChanged = "labels";

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;  // stops listening and joins its thread
};

// Listens on the database at `url`; `on_change` gets each payload, on the feed's thread, and
// must not throw. A lost connection is retried every second, logged once per failure.
std::unique_ptr<ChangeFeed> listen_for_changes(const std::string& url,
                                               std::function<void(const std::string&)> on_change);

}  // namespace boxloop
