// Options from configuration: `cue::options_from_json<cue::early_stopping_options>(json)`.
// Needs nlohmann-json (Debian: nlohmann-json3-dev); not included by <cue/cue.hpp>.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/io/tf_event.hpp>
#include <cue/monitor.hpp>
#include <cue/options.hpp>

namespace cue {

namespace detail {

[[noreturn]] inline void config_error(std::string_view options, std::string_view key,
                                      std::string_view expected, const nlohmann::json& got) {
  throw std::invalid_argument("cue: option '" + std::string(key) + "' of " + std::string(options) +
                              " must be " + std::string(expected) + ", got " + got.dump());
}

template <class T>
void read_value(T& out, const nlohmann::json& v, std::string_view options, std::string_view key) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) config_error(options, key, "true or false", v);
    out = v.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!v.is_number_integer()) config_error(options, key, "an integer", v);
    out = v.get<T>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) config_error(options, key, "a number", v);
    out = v.get<T>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) config_error(options, key, "a string", v);
    out = v.get<std::string>();
  } else if constexpr (std::is_same_v<T, std::optional<double>>) {
    if (v.is_null()) {
      out.reset();
    } else {
      if (!v.is_number()) config_error(options, key, "a number or null", v);
      out = v.get<double>();
    }
  } else if constexpr (std::is_same_v<T, mode>) {
    const std::string s = v.is_string() ? v.get<std::string>() : "";
    if (s == "auto" || s == "automatic") out = mode::automatic;
    else if (s == "min") out = mode::min;
    else if (s == "max") out = mode::max;
    else config_error(options, key, "\"auto\", \"min\" or \"max\"", v);
  } else if constexpr (std::is_same_v<T, save_frequency>) {
    if (v.is_string() && v.get<std::string>() == "epoch") out = every_epoch;
    else if (v.is_number_integer()) out = v.get<int>();
    else config_error(options, key, "\"epoch\" or a number of batches", v);
  } else if constexpr (std::is_same_v<T, io::tf_event::hparams>) {
    if (!v.is_object()) config_error(options, key, "an object of numbers, strings and booleans", v);
    out.clear();
    for (auto it = v.begin(); it != v.end(); ++it) {
      const auto& x = it.value();
      if (x.is_boolean()) out.emplace_back(it.key(), x.get<bool>());
      else if (x.is_number()) out.emplace_back(it.key(), x.get<double>());
      else if (x.is_string()) out.emplace_back(it.key(), x.get<std::string>());
      else config_error(options, std::string(key) + "." + it.key(), "a number, a string or a boolean", x);
    }
  } else if constexpr (std::is_same_v<T, std::vector<std::pair<std::string, std::string>>>) {
    // HTTP headers: [["name", "value"], ...] keeps their order; an object gives them sorted.
    out.clear();
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!it.value().is_string()) config_error(options, std::string(key) + "." + it.key(), "a string", it.value());
        out.emplace_back(it.key(), it.value().get<std::string>());
      }
    } else if (v.is_array()) {
      for (const auto& pair : v) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
          config_error(options, key, "pairs of strings, [[\"name\", \"value\"], ...]", pair);
        out.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
      }
    } else {
      config_error(options, key, "an array of [name, value] pairs or an object", v);
    }
  } else if constexpr (std::is_same_v<T, std::chrono::duration<double>>) {
    if (!v.is_number()) config_error(options, key, "a number of seconds", v);
    out = std::chrono::duration<double>(v.get<double>());
  } else {
    static_assert(sizeof(T) == 0, "cue: options_from_json cannot read this field type");
  }
}

}  // namespace detail

/// Reads an options aggregate from a JSON object; fields not given keep their defaults. An
/// unknown key or a value of the wrong type throws std::invalid_argument naming it.
template <described_options Options>
[[nodiscard]] Options options_from_json(const nlohmann::json& j) {
  const auto description = fields_of(std::type_identity<Options>{});
  if (!j.is_object())
    throw std::invalid_argument("cue: " + std::string(description.name) +
                                " must be a JSON object, got " + j.dump());
  Options out{};
  for (auto it = j.begin(); it != j.end(); ++it) {  // not a structured binding: lambdas use them
    const std::string& key = it.key();
    const nlohmann::json& value = it.value();
    bool known = false;
    std::apply([&](const auto&... f) {
      ((f.name == key ? (detail::read_value(out.*(f.member), value, description.name, key),
                         known = true)
                      : false),
       ...);
    }, description.fields);
    if (!known) {
      std::string names;
      std::apply([&](const auto&... f) { ((names += (names.empty() ? "" : ", "), names += f.name), ...); },
                 description.fields);
      throw std::invalid_argument("cue: unknown option '" + key + "' for " +
                                  std::string(description.name) + "; known options: " + names);
    }
  }
  return out;
}

}  // namespace cue
