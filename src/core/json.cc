#include "core/json.h"

#include <string>

#include "core/json_dom_reader.h"
#include "core/utf8.h"

namespace relance {
namespace {

// A SAX handler that builds the DOM like nlohmann's own, but records where a
// syntax error happened instead of throwing, and bounds the nesting depth.
class BoundedDomBuilder {
 public:
  BoundedDomBuilder(Json& root, int max_depth) : dom_(root, false), max_depth_(max_depth) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const std::string& s) { return dom_.number_float(v, s); }
  bool string(std::string& v) { return dom_.string(v); }
  bool binary(Json::binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) { return enter() && dom_.start_object(n); }
  bool key(std::string& k) { return dom_.key(k); }
  bool end_object() { --depth_; return dom_.end_object(); }
  bool start_array(std::size_t n) { return enter() && dom_.start_array(n); }
  bool end_array() { --depth_; return dom_.end_array(); }

  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) {
    failed_ = true;
    offset_ = position == 0 ? 0 : position - 1;
    std::string what = ex.what();
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 1, column 5: ...".
    auto colon = what.find("parse error");
    // The message quotes raw input, which may cut a UTF-8 character in half:
    // make it safe to put in JSON output.
    message_ = toValidUtf8(colon == std::string::npos ? what : what.substr(colon));
    (void)last_token;
    return false;
  }

  bool depth_exceeded() const { return depth_exceeded_; }
  bool failed() const { return failed_; }
  std::size_t offset() const { return offset_; }
  const std::string& message() const { return message_; }

 private:
  bool enter() {
    if (++depth_ > max_depth_) {
      depth_exceeded_ = true;
      return false;
    }
    return true;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  int max_depth_;
  int depth_ = 0;
  bool depth_exceeded_ = false;
  bool failed_ = false;
  std::size_t offset_ = 0;
  std::string message_;
};

}  // namespace

Json object(std::initializer_list<std::pair<const char*, Json>> members) {
  Json out = Json::object();
  for (const auto& m : members) out.emplace(m.first, m.second);
  return out;
}

void setMember(Json& object, const char* key, Json value) { object[key] = std::move(value); }

std::string decimalText(std::int64_t n) {
  char digits[20];  // 2^63 has 19 digits, and the sign
  char* end = digits + sizeof digits;
  char* p = end;
  // The magnitude as unsigned: -2^63 has no signed opposite.
  std::uint64_t u = n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (n < 0) *--p = '-';
  return std::string(p, end);
}

ParsedJson parseJson(std::string_view text, int max_depth) {
#ifdef RELANCE_JSON_DOM_READER
  // The browser tag: the same documents and values without nlohmann's lexer
  // and parser (core/json_dom_reader.h; only the messages differ).
  return readJsonDom(text, max_depth);
#else
  ParsedJson out;
  BoundedDomBuilder builder(out.value, max_depth);
  bool ok = Json::sax_parse(text.begin(), text.end(), &builder,
                            nlohmann::detail::input_format_t::json, /*strict=*/true);
  if (ok && !builder.failed() && !builder.depth_exceeded()) {
    out.ok = true;
    return out;
  }
  out.value = Json();
  if (builder.depth_exceeded()) {
    out.message = "nesting deeper than " + decimalText(max_depth) + " levels";
  } else {
    out.offset = builder.offset();
    out.message = builder.message().empty() ? "invalid JSON" : builder.message();
  }
  return out;
#endif
}

}  // namespace relance
