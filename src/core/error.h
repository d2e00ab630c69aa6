// One error found in an input: where (a JSON Pointer, RFC 6901) and what.
#ifndef RELANCE_CORE_ERROR_H_
#define RELANCE_CORE_ERROR_H_

#include <string>
#include <vector>

#include "core/json.h"

namespace relance {

struct PathError {
  std::string path;     // JSON Pointer into the input, "" for the whole document: "/properties/quantity"
  std::string message;  // for a person: "must be a positive integer"
};

using PathErrors = std::vector<PathError>;

// Appends one reference token to a JSON Pointer, escaping '~' and '/'.
std::string pointerAppend(const std::string& pointer, const std::string& token);
std::string pointerAppend(const std::string& pointer, std::size_t index);

// [{"path": ..., "message": ...}, ...]
Json toJson(const PathErrors& errors);

}  // namespace relance

#endif  // RELANCE_CORE_ERROR_H_
