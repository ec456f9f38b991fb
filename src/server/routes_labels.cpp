#include <set>

#include "core/error.h"
#include "server/http_errors.h"
#include "server/json_shapes.h"
#include "server/label_request.h"
#include "server/request_json.h"
#include "server/route_context.h"

namespace boxloop::server {

namespace {

constexpr int kHistoryLimit = 10'000;  // label events of one labeler read for "previous"

std::vector<Id> parse_id_list(const std::string& text) {
  std::vector<Id> ids;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    ids.push_back(parse_id(text.substr(start, comma - start), "each 'exclude' entry"));
    start = comma + 1;
  }
  return ids;
}

Image image_or_404(Store& store, const httplib::Request& req) {
  const Id id = parse_id(req.matches[1], "the image id");
  auto image = store.image(id);
  if (!image) throw Error(ErrorCode::kNotFound, "no image with id " + std::to_string(id));
  return *image;
}

// The caller's saved images in the order they first saved them, oldest first, so "back" walks a
// stable history even after re-saving an older image.
std::vector<Id> saved_history(Store& store, const std::string& labeler) {
  auto events = store.label_events_by(labeler, kHistoryLimit);  // newest first
  std::vector<Id> history;
  std::set<Id> seen;
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    if (seen.insert(it->image_id).second) history.push_back(it->image_id);
  }
  return history;
}

// Saves and tells every open page; a stale version answers 409 with what is stored now.
void save_and_answer(RouteContext& ctx, httplib::Response& res, const LabelSave& save,
                     bool with_annotations) {
  LabelEvent event;
  try {
    event = ctx.store.save_labels(save);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kConflict) throw;
    auto current = ctx.store.image(save.image_id);
    Json body = error_json(e.code(), e.what());
    if (current) body["current"] = image_with_annotations(ctx.store, *current);
    send_json(res, body, http_status(e.code()));
    return;
  }
  Json answer;
  ctx.store.read_together([&] {
    const auto image = ctx.store.image(save.image_id);
    if (!image) throw Error(ErrorCode::kNotFound, "the image was removed while saving");
    answer = Json{{"image", *image}, {"event", label_event_json(event)}};
    if (with_annotations) answer["annotations"] = ctx.store.annotations(image->id);
  });
  send_json(res, answer);
  ctx.labels_changed();
}

}  // namespace

void add_label_routes(httplib::Server& server, RouteContext& ctx) {
  server.Get(
      "/api/next",
      with_auth(ctx, Access::kUser,
                [&ctx](const httplib::Request& req, httplib::Response& res, const User& caller) {
                  const auto exclude = req.has_param("exclude")
                                           ? parse_id_list(req.get_param_value("exclude"))
                                           : std::vector<Id>{};
                  const auto image = ctx.store.next_image(
                      caller.name, ctx.store.settings().lease_seconds, exclude);
                  Json answer = no_image_json();
                  answer["query"] = nullptr;
                  if (image) {
                    // One snapshot for the reads of the answer (boxes, proposals, queue place).
                    ctx.store.read_together([&] {
                      answer = image_with_annotations(ctx.store, *image);
                      // Where the image sits in the queue's order and on the halting scale.
                      answer["query"] = ctx.queue_cache.get(ctx.store)->query_json(image->id);
                    });
                  }
                  send_json(res, answer);
                }));

  server.Get(
      "/api/previous",
      with_auth(ctx, Access::kUser,
                [&ctx](const httplib::Request& req, httplib::Response& res, const User& caller) {
                  const auto history = saved_history(ctx.store, caller.name);
                  std::optional<Id> previous;
                  if (req.has_param("before")) {
                    const Id before = parse_id(req.get_param_value("before"), "'before'");
                    const auto it = std::find(history.begin(), history.end(), before);
                    if (it == history.end()) {
                      if (!history.empty())
                        previous = history.back();  // from a new image: the last saved
                    } else if (it != history.begin()) {
                      previous = *(it - 1);
                    }
                  } else if (!history.empty()) {
                    previous = history.back();
                  }
                  const auto image = previous ? ctx.store.image(*previous) : std::nullopt;
                  send_json(res,
                            image ? image_with_annotations(ctx.store, *image) : no_image_json());
                }));

  server.Get(R"(/api/images/(\d+))",
             with_auth(ctx, Access::kUser,
                       [&ctx](const httplib::Request& req, httplib::Response& res, const User&) {
                         const Image image = image_or_404(ctx.store, req);
                         Json answer = image_with_annotations(ctx.store, image);
                         Json events = Json::array();
                         for (const auto& event : ctx.store.label_events(image.id)) {
                           events.push_back(label_event_json(event));
                         }
                         answer["events"] = events;
                         send_json(res, answer);
                       }));

  server.Put(R"(/api/images/(\d+)/labels)",
             json_route(ctx, Access::kUser,
                        [&ctx](const httplib::Request& req, httplib::Response& res,
                               const User& caller, const Json& body) {
                          const Image image = image_or_404(ctx.store, req);
                          const LabelSave save =
                              parse_label_save(body, image, ctx.store.categories(), caller.name);
                          save_and_answer(ctx, res, save, true);
                        }));

  server.Post(R"(/api/images/(\d+)/skip)",
              json_route(ctx, Access::kUser,
                         [&ctx](const httplib::Request& req, httplib::Response& res,
                                const User& caller, const Json& body) {
                           const Image image = image_or_404(ctx.store, req);
                           save_and_answer(ctx, res, parse_skip(body, image, caller.name), false);
                         }));
}

}  // namespace boxloop::server
