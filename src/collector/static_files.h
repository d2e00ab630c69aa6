// Static files from the --static folder: the tag, the wasm, the demo pages.
// Serves precompressed .br / .gz variants when the client accepts them, gives
// content-hashed names (name.<8+ hex digits>.ext) a year of immutable caching,
// and never answers for anything outside the folder.
#ifndef RELANCE_COLLECTOR_STATIC_FILES_H_
#define RELANCE_COLLECTOR_STATIC_FILES_H_

#include <string>
#include <string_view>

namespace relance::collector {

struct StaticAnswer {
  int status = 404;              // 200, 301, 304, 400, 403, 404
  std::string body;              // file content (200) or a short reason
  std::string content_type;      // "text/html; charset=utf-8", "application/wasm", ...
  std::string content_encoding;  // "br", "gzip" or ""
  std::string cache_control;
  std::string etag;
  std::string location;          // for 301 (a folder asked without its '/')
  bool vary_encoding = false;    // a compressed variant exists: add Vary
};

class StaticFiles {
 public:
  // `root` "" serves nothing (every answer 404).
  explicit StaticFiles(std::string root);

  // Answers `target` (the request target: path and query). The path is
  // percent-decoded once; "." / ".." segments, backslashes, NUL and names that
  // resolve (symbolic links included) outside the root are refused; folders
  // serve their index.html; names starting with '.' are not served.
  StaticAnswer serve(std::string_view target, std::string_view accept_encoding,
                     std::string_view if_none_match) const;

  // True for a content-hashed name: "relance.3f9a1c2b.js".
  static bool isContentHashed(std::string_view name);

  // The media type for a file name by its extension.
  static std::string contentType(std::string_view name);

  // Percent-decodes a URL path. Returns false on a malformed escape.
  static bool percentDecode(std::string_view in, std::string& out);

 private:
  std::string root_;  // canonical (realpath) or ""
};

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_STATIC_FILES_H_
