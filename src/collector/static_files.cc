#include "collector/static_files.h"

#include <sys/stat.h>

#include <cctype>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace relance::collector {
namespace {

bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

std::string canonical(const std::string& path) {
  char buffer[PATH_MAX];
  if (!realpath(path.c_str(), buffer)) return "";
  return buffer;
}

bool regularFile(const std::string& path, struct stat* st) {
  return stat(path.c_str(), st) == 0 && S_ISREG(st->st_mode);
}

bool readFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return true;
}

// True when the Accept-Encoding header lists `coding` without q=0.
bool accepts(std::string_view header, std::string_view coding) {
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    std::size_t semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name != coding) continue;
    if (semi == std::string_view::npos) return true;
    std::string_view params = item.substr(semi + 1);
    std::size_t q = params.find("q=");
    if (q == std::string_view::npos) return true;
    return std::atof(std::string(params.substr(q + 2)).c_str()) > 0;
  }
  return false;
}

// A decoded path segment as it may appear in a URL path again.
std::string percentEncode(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : segment) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || std::string_view("-._~!$&'()*+,;=:@").find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

StaticAnswer refuse(int status, std::string reason) {
  StaticAnswer answer;
  answer.status = status;
  answer.body = std::move(reason);
  answer.content_type = "text/plain; charset=utf-8";
  answer.cache_control = "no-store";
  return answer;
}

}  // namespace

StaticFiles::StaticFiles(std::string root) : root_(root.empty() ? "" : canonical(root)) {}

bool StaticFiles::percentDecode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size() || !isHex(in[i + 1]) || !isHex(in[i + 2])) return false;
    out.push_back(static_cast<char>(hexValue(in[i + 1]) * 16 + hexValue(in[i + 2])));
    i += 2;
  }
  return true;
}

bool StaticFiles::isContentHashed(std::string_view name) {
  std::size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  std::size_t ext = name.rfind('.');
  if (ext == std::string_view::npos || ext == 0) return false;
  std::size_t dot = name.rfind('.', ext - 1);
  if (dot == std::string_view::npos) return false;
  std::string_view hash = name.substr(dot + 1, ext - dot - 1);
  if (hash.size() < 8) return false;
  for (char c : hash) {
    if (!isHex(c)) return false;
  }
  return true;
}

std::string StaticFiles::contentType(std::string_view name) {
  std::size_t dot = name.rfind('.');
  std::string ext = dot == std::string_view::npos ? "" : std::string(name.substr(dot + 1));
  if (ext == "html" || ext == "htm") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "wasm") return "application/wasm";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "webp") return "image/webp";
  if (ext == "gif") return "image/gif";
  if (ext == "ico") return "image/x-icon";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "pdf") return "application/pdf";
  if (ext == "woff2") return "font/woff2";
  if (ext == "woff") return "font/woff";
  return "application/octet-stream";
}

StaticAnswer StaticFiles::serve(std::string_view target, std::string_view accept_encoding,
                                std::string_view if_none_match) const {
  if (root_.empty()) return refuse(404, "not found\n");
  std::string_view raw_path = target.substr(0, target.find_first_of("?#"));
  if (raw_path.empty() || raw_path.front() != '/') return refuse(400, "bad path\n");
  std::string path;
  if (!percentDecode(raw_path, path)) return refuse(400, "bad percent-encoding in the path\n");
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos)
    return refuse(400, "bad character in the path\n");

  std::vector<std::string> segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string segment = path.substr(start, end - start);
    if (segment == "." || segment == "..") return refuse(403, "forbidden\n");
    if (!segment.empty() && segment.front() == '.') return refuse(404, "not found\n");
    if (!segment.empty()) segments.push_back(segment);
    start = end + 1;
  }
  std::string file = root_;
  for (const auto& segment : segments) file += "/" + segment;

  struct stat st {};
  if (stat(file.c_str(), &st) != 0) return refuse(404, "not found\n");
  if (S_ISDIR(st.st_mode)) {
    if (path.back() != '/') {
      StaticAnswer answer = refuse(301, "moved\n");
      // Built from the segments, not from the path as sent: "//assets" would
      // redirect to "//assets/", which a browser reads as the host "assets".
      answer.location = "/";
      for (const auto& segment : segments) answer.location += percentEncode(segment) + "/";
      return answer;
    }
    file += "/index.html";
    if (!regularFile(file, &st)) return refuse(404, "not found\n");
  } else if (!S_ISREG(st.st_mode)) {
    return refuse(404, "not found\n");
  }
  // A symbolic link may point anywhere: the resolved name must stay inside.
  std::string resolved = canonical(file);
  if (resolved.size() <= root_.size() || resolved.compare(0, root_.size(), root_) != 0 ||
      resolved[root_.size()] != '/')
    return refuse(403, "forbidden\n");

  StaticAnswer answer;
  answer.status = 200;
  answer.content_type = contentType(file);
  answer.cache_control = isContentHashed(file) ? "public, max-age=31536000, immutable" : "no-cache";

  std::string chosen = resolved;
  struct stat variant {};
  bool has_br = regularFile(resolved + ".br", &variant);
  bool has_gz = regularFile(resolved + ".gz", &variant);
  answer.vary_encoding = has_br || has_gz;
  if (has_br && accepts(accept_encoding, "br")) {
    chosen = resolved + ".br";
    answer.content_encoding = "br";
  } else if (has_gz && accepts(accept_encoding, "gzip")) {
    chosen = resolved + ".gz";
    answer.content_encoding = "gzip";
  }
  struct stat chosen_stat {};
  if (!regularFile(chosen, &chosen_stat)) return refuse(404, "not found\n");
  answer.etag = "\"" + std::to_string(chosen_stat.st_size) + "-" + std::to_string(chosen_stat.st_mtime) +
                (answer.content_encoding.empty() ? "" : "-" + answer.content_encoding) + "\"";
  if (!if_none_match.empty() && if_none_match.find(answer.etag) != std::string_view::npos) {
    answer.status = 304;
    return answer;
  }
  if (!readFile(chosen, answer.body)) return refuse(404, "not found\n");
  return answer;
}

}  // namespace relance::collector
