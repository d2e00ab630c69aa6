#include "collector/log.h"

#include <cstdio>
#include <mutex>

#include "collector/clock.h"

namespace relance::collector {

void logLine(const std::string& level, const std::string& msg, const Json& fields) {
  static std::mutex mutex;
  Json line = Json::object();
  line["ts"] = wallClockMs();
  line["level"] = level;
  line["msg"] = msg;
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  }
  std::string text = line.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(mutex);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace relance::collector
