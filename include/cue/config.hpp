// Options from configuration: `cue::options_from_json<cue::early_stopping_options>(json)`.
// Needs nlohmann-json (Debian: nlohmann-json3-dev); not included by <cue/cue.hpp>.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
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
#include <cue/json.hpp>
#include <cue/io/tf_event.hpp>
#include <cue/monitor.hpp>
#include <cue/options.hpp>

namespace cue {

namespace detail {

/// How deep an option file may nest (options are at most two levels deep; the bound keeps a
/// hostile file from exhausting the stack of anything that walks it recursively).
inline constexpr std::size_t max_option_depth = 64;

/// The longest option duration, in seconds: a year (1e20 s would wrap when converted to a clock).
inline constexpr double max_option_seconds = 365.0 * 24 * 3600;

/// A value as an error message shows it: scalars and short strings as JSON, longer strings cut,
/// arrays and objects by their size only (never recursively, never the values of secrets).
inline std::string shown(const nlohmann::json& v, bool secret = false) {
  const auto count = [](std::size_t n, const char* one) { return std::to_string(n) + " " + one + (n == 1 ? "" : "s"); };
  if (v.is_array()) return "an array (" + count(v.size(), "value") + ")";
  if (v.is_object()) return "an object (" + count(v.size(), "key") + ")";
  if (secret && v.is_string()) return "a string";
  if (v.is_string() && v.get_ref<const std::string&>().size() > 60)
    return json::dump(v.get_ref<const std::string&>().substr(0, 60)) + "... (" +
           std::to_string(v.get_ref<const std::string&>().size()) + " bytes)";
  return json::dump(v);
}

[[noreturn]] inline void config_error(std::string_view options, std::string_view key,
                                      std::string_view expected, const nlohmann::json& got, bool secret = false) {
  throw std::invalid_argument("cue: option '" + std::string(key) + "' of " + std::string(options) +
                              " must be " + std::string(expected) + ", got " + shown(got, secret));
}

/// Whether a JSON integer fits T (nlohmann keeps it as int64 or uint64).
template <class T>
bool integer_fits(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return std::in_range<T>(v.get<std::uint64_t>());
  return std::in_range<T>(v.get<std::int64_t>());
}

template <class T>
std::string integer_range() {
  return "an integer in [" + std::to_string(std::numeric_limits<T>::min()) + ", " +
         std::to_string(std::numeric_limits<T>::max()) + "]";
}

/// The depth of a JSON value, walked without recursion; stops counting past `limit`.
inline std::size_t json_depth(const nlohmann::json& root, std::size_t limit) {
  std::vector<std::pair<const nlohmann::json*, std::size_t>> todo{{&root, 1}};
  std::size_t deepest = 0;
  while (!todo.empty()) {
    const auto [v, depth] = todo.back();
    todo.pop_back();
    deepest = std::max(deepest, depth);
    if (deepest > limit) return deepest;
    if (v->is_structured())
      for (const auto& child : *v) todo.emplace_back(&child, depth + 1);
  }
  return deepest;
}

template <class T>
void read_value(T& out, const nlohmann::json& v, std::string_view options, std::string_view key) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) config_error(options, key, "true or false", v);
    out = v.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!v.is_number_integer() || !integer_fits<T>(v)) config_error(options, key, integer_range<T>(), v);
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
    else if (v.is_number_integer() && integer_fits<int>(v) && v.get<int>() >= 1) out = v.get<int>();
    else config_error(options, key, "\"epoch\" or a number of batches in [1, 2147483647]", v);
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
        if (!it.value().is_string())
          config_error(options, std::string(key) + "." + it.key(), "a string", it.value(), true);
        out.emplace_back(it.key(), it.value().get<std::string>());
      }
    } else if (v.is_array()) {
      for (const auto& pair : v) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
          config_error(options, key, "pairs of strings, [[\"name\", \"value\"], ...]", pair, true);
        out.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
      }
    } else {
      config_error(options, key, "an array of [name, value] pairs or an object", v, true);
    }
  } else if constexpr (std::is_same_v<T, std::chrono::duration<double>>) {
    if (!v.is_number() || !(v.get<double>() >= 0 && v.get<double>() <= max_option_seconds))
      config_error(options, key, "a number of seconds in [0, 31536000] (a year)", v);
    out = std::chrono::duration<double>(v.get<double>());
  } else {
    static_assert(sizeof(T) == 0, "cue: options_from_json cannot read this field type");
  }
}

}  // namespace detail

/// Reads an options aggregate from a JSON object; fields not given keep their defaults. An
/// unknown key, a value of the wrong type or one that does not fit its field (an integer past
/// its type's range, seconds outside [0, a year]), or nesting deeper than max_option_depth,
/// throws std::invalid_argument naming it. Header values are never echoed.
template <described_options Options>
[[nodiscard]] Options options_from_json(const nlohmann::json& j) {
  const auto description = fields_of(std::type_identity<Options>{});
  if (!j.is_object())
    throw std::invalid_argument("cue: " + std::string(description.name) +
                                " must be a JSON object, got " + detail::shown(j));
  if (detail::json_depth(j, detail::max_option_depth) > detail::max_option_depth)
    throw std::invalid_argument("cue: " + std::string(description.name) + " nests deeper than " +
                                std::to_string(detail::max_option_depth) + " levels");
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
