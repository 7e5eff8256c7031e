#include "allot/io.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"

namespace allot {
namespace {

// Collects the text-format parser's complaints with their line and column.
class TextErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (!text.empty()) text += "\n";
    absl::StrAppend(&text, "line ", line + 1, ":", column + 1, ": ", message);
  }
  std::string text;
};

}  // namespace

absl::StatusOr<v1::Config> ParseConfig(std::string_view content, ConfigFormat format) {
  v1::Config config;
  switch (format) {
    case ConfigFormat::kBinary:
      if (!config.ParseFromArray(content.data(), static_cast<int>(content.size()))) {
        return absl::InvalidArgumentError("config: not a binary allot.v1.Config");
      }
      return config;
    case ConfigFormat::kJson: {
      google::protobuf::util::JsonParseOptions options;
      const auto status = google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(content.data(), content.size()), &config, options);
      if (!status.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("config: ", status.message().ToString()));
      }
      return config;
    }
    case ConfigFormat::kText: {
      google::protobuf::TextFormat::Parser parser;
      TextErrors errors;
      parser.RecordErrorsTo(&errors);
      if (!parser.ParseFromString(std::string(content), &config)) {
        return absl::InvalidArgumentError(absl::StrCat("config: ", errors.text));
      }
      return config;
    }
  }
  return absl::InvalidArgumentError("config: unknown format");
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::StatusOr<v1::Config> LoadConfigFile(const std::string& path) {
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return content.status();
  ConfigFormat format = ConfigFormat::kText;
  if (absl::EndsWith(path, ".json")) format = ConfigFormat::kJson;
  if (absl::EndsWith(path, ".pb") || absl::EndsWith(path, ".bin")) format = ConfigFormat::kBinary;
  absl::StatusOr<v1::Config> config = ParseConfig(*content, format);
  if (!config.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

absl::StatusOr<v1::Event> ParseEventJson(std::string_view line) {
  v1::Event event;
  google::protobuf::util::JsonParseOptions options;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(line.data(), line.size()), &event, options);
  if (!status.ok()) return absl::InvalidArgumentError(status.message().ToString());
  return event;
}

std::string ToJsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

}  // namespace allot
