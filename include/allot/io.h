// Reading and writing allot's messages in the forms the SPEC names: config as text format
// (.txtpb), proto3 JSON (.json) or binary (.pb) (SPEC §4); events and decisions as one
// proto3 JSON object per line (SPEC §6). Errors name the file, line or field.
#ifndef ALLOT_IO_H_
#define ALLOT_IO_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "allot/v1/config.pb.h"
#include "allot/v1/decision.pb.h"
#include "allot/v1/event.pb.h"

namespace allot {

enum class ConfigFormat { kText, kJson, kBinary };

// Parses a config in the given form.
absl::StatusOr<v1::Config> ParseConfig(std::string_view content, ConfigFormat format);

// Reads a config file, choosing the form by extension: .json, .pb/.bin, else text format.
absl::StatusOr<v1::Config> LoadConfigFile(const std::string& path);

// Parses one event from proto3 JSON (field names in either snake_case or lowerCamelCase).
absl::StatusOr<v1::Event> ParseEventJson(std::string_view line);

// One line of JSON: proto field names (snake_case), enum names, defaults omitted.
std::string ToJsonLine(const google::protobuf::Message& message);

// Reads a whole file. NOT_FOUND when it cannot be opened.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace allot

#endif  // ALLOT_IO_H_
