// Reading back what tests/http/server.py recorded, and the alert the sink tests send.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <cue/alerts/message.hpp>

namespace cue_test {

/// The bytes the server recorded in hex.
inline std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}
/// A recorded request's headers, in the order received.
inline std::vector<std::pair<std::string, std::string>> headers_of(const nlohmann::json& request) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& h : request["headers"]) out.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
  return out;
}
/// One header of a recorded request, or "(none)".
inline std::string header(const nlohmann::json& request, const std::string& name) {
  for (const auto& [n, v] : headers_of(request))
    if (n == name) return v;
  return "(none)";
}

/// An alert with every field fixed, so that what a sink sends compares byte for byte.
inline cue::alert_message spike_message() {
  cue::alert_message m;
  m.title = "val_loss spike";
  m.run = "r1";
  m.host = "h";
  m.epoch = 7;
  m.epochs = 50;
  m.step = 3500;
  m.metric = "val_loss";
  m.value = 0.913;
  m.reference = 0.412;
  m.reference_name = "best";
  m.rule = "val_loss > 1.5 * best";
  m.time = "2026-08-30T12:00:00Z";
  return m;
}

}  // namespace cue_test
