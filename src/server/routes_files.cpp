#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "imageio/image_file.h"
#include "server/content_type.h"
#include "server/request_json.h"
#include "server/route_context.h"

namespace boxloop::server {

namespace {

// `relative` as a client sent it; resolve_inside refuses "..", absolute paths and symlinks that
// lead out of the image folder.
//
// The Content-Type is that of the bytes' image format, never one taken from the name: a file in
// the image folder that claims to be a page (or is no image at all) must not run as one in the
// browser. nosniff stops the browser from guessing otherwise, and the sandbox policy keeps
// anything opened directly from scripting the page's origin.
void send_image_file(Store& store, std::string_view relative, httplib::Response& res) {
  const std::filesystem::path file = resolve_inside(store.image_dir(), relative);
  std::string bytes = read_file_bytes(file);
  const std::string type = image_content_type(sniff_image_format(bytes));
  res.set_content(std::move(bytes), type);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Content-Security-Policy", "default-src 'none'; sandbox");
  // Stored images never change under a path (a new upload gets a new name).
  res.set_header("Cache-Control", "private, max-age=86400");
}

}  // namespace

void add_file_routes(httplib::Server& server, RouteContext& ctx) {
  server.Get(R"(/api/images/(\d+)/file)",
             with_auth(ctx, Access::kUser,
                       [&ctx](const httplib::Request& req, httplib::Response& res, const User&) {
                         const Id id = parse_id(req.matches[1], "the image id");
                         auto image = ctx.store.image(id);
                         if (!image) {
                           throw Error(ErrorCode::kNotFound,
                                       "no image with id " + std::to_string(id));
                         }
                         send_image_file(ctx.store, image->path, res);
                       }));

  server.Get(R"(/api/files/(.*))",
             with_auth(ctx, Access::kUser,
                       [&ctx](const httplib::Request& req, httplib::Response& res, const User&) {
                         // httplib decodes %2F to '/' before routing; an encoded separator in the
                         // raw target is never a real file name, only a trick.
                         std::string target = req.target;
                         std::transform(
                             target.begin(), target.end(), target.begin(),
                             [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                         if (target.find("%2f") != std::string::npos ||
                             target.find("%5c") != std::string::npos) {
                           throw Error(ErrorCode::kInvalidArgument,
                                       "encoded path separators are not allowed in file paths");
                         }
                         send_image_file(ctx.store, std::string(req.matches[1]), res);
                       }));
}

}  // namespace boxloop::server
