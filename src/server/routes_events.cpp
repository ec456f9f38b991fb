#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/route_context.h"

namespace boxloop::server {

namespace {

// How long one call of the content provider waits for events: short, so a stream notices a
// stopping server or a due ping soon.
constexpr std::chrono::milliseconds kWaitSlice{500};

struct StreamState {
  bool started = false;
  std::chrono::steady_clock::time_point last_write;
};

}  // namespace

void add_event_routes(httplib::Server& server, RouteContext& ctx) {
  server.Get("/api/events",
             with_auth(
                 ctx, Access::kUser,
                 [&ctx](const httplib::Request&, httplib::Response& res, const User& caller) {
                   auto subscriber = ctx.events.subscribe();
                   auto state = std::make_shared<StreamState>();
                   const auto ping = ctx.options.sse_ping_interval;
                   spdlog::debug("events: {} subscribed", caller.name);
                   res.set_header("Cache-Control", "no-cache");
                   res.set_header("X-Accel-Buffering", "no");
                   res.set_chunked_content_provider(
                       "text/event-stream",
                       [subscriber, state, ping](std::size_t, httplib::DataSink& sink) {
                         using Clock = std::chrono::steady_clock;
                         if (!state->started) {
                           // A first line at once so the client knows it is open.
                           state->started = true;
                           state->last_write = Clock::now();
                           const std::string hello = "retry: 3000\n: connected\n\n";
                           return sink.write(hello.data(), hello.size());
                         }
                         const auto events = subscriber->wait(std::min(kWaitSlice, ping));
                         if (subscriber->closed()) {
                           sink.done();  // the server is stopping
                           return true;
                         }
                         std::string out;
                         for (const auto& event : events) out += format_sse(event);
                         if (out.empty() && Clock::now() - state->last_write >= ping) {
                           out = ": ping\n\n";
                         }
                         if (out.empty()) return sink.is_writable();
                         state->last_write = Clock::now();
                         // A failed write means the client left: end the stream.
                         return sink.write(out.data(), out.size());
                       },
                       [&ctx, subscriber](bool) { ctx.events.unsubscribe(subscriber); });
                 },
                 /*allow_query_token=*/true));
}

}  // namespace boxloop::server
