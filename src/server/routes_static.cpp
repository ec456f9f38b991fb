#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "imageio/image_file.h"
#include "server/http_errors.h"
#include "server/route_context.h"

namespace boxloop::server {

namespace {

std::string content_type_for(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [known, type] : kTypes) {
    if (ext == known) return type;
  }
  return "application/octet-stream";
}

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
