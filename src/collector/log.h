// Logs: one JSON object per line on standard output. Callers never pass
// personal data (addresses, e-mails, user agents, ids of visitors).
#ifndef RELANCE_COLLECTOR_LOG_H_
#define RELANCE_COLLECTOR_LOG_H_

#include <string>

#include "core/json.h"

namespace relance::collector {

// Writes {"ts": <ms>, "level": level, "msg": msg, ...fields} and a newline,
// atomically with respect to other threads, and flushes.
void logLine(const std::string& level, const std::string& msg, const Json& fields = Json::object());

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_LOG_H_
