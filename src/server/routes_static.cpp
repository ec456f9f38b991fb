#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "imageio/image_file.h"
#include "server/content_type.h"
#include "server/http_errors.h"
#include "server/route_context.h"

namespace boxloop::server {

namespace {

std::optional<std::filesystem::path> existing_file(const std::filesystem::path& root,
                                                   const std::string& relative) {
  try {
    auto file = resolve_inside(root, relative);
    if (std::filesystem::is_regular_file(file)) return file;
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kNotFound && e.code() != ErrorCode::kInvalidArgument) throw;
  }
  return std::nullopt;
}

}  // namespace

void add_static_routes(httplib::Server& server, const std::filesystem::path& web_root) {
  server.Get(R"(/(.*))", [web_root](const httplib::Request& req, httplib::Response& res) {
    const std::string relative = req.matches[1];
    if (relative.starts_with("api/") || relative == "api") {
      throw Error(ErrorCode::kNotFound, "no such route: " + req.method + " " + req.path);
    }
    auto file = relative.empty() ? std::nullopt : existing_file(web_root, relative);
    if (!file) {
      // Paths of the single-page app fall back to index.html; a missing asset is a plain 404.
      const bool looks_like_asset =
          relative.rfind('.') != std::string::npos && relative.rfind('.') > relative.rfind('/') + 1;
      if (looks_like_asset && !relative.ends_with(".html")) {
        throw Error(ErrorCode::kNotFound, "no such file: /" + relative);
      }
      file = existing_file(web_root, "index.html");
      if (!file) {
        throw Error(ErrorCode::kNotFound, "the page is not built (no index.html in " +
                                              web_root.string() + "): run `make web`");
      }
    }
    // Vite puts a content hash in the names under assets/; everything else is revalidated.
    const bool hashed = relative.starts_with("assets/") && file->filename() != "index.html";
    res.set_header("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
    res.set_content(read_file_bytes(*file), content_type_for(*file));
  });
}

}  // namespace boxloop::server
