// Python's str.format for the filepaths of model_checkpoint ("ckpt-{epoch:02d}-{val_loss:.2f}")
// and Python's float repr for csv_logger, so files are named and written as Keras names them.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

namespace cue {

/// Python's `repr(float)`: the shortest digits that round-trip, fixed notation for decimal
/// exponents in [-4, 16), scientific otherwise ("0.5", "1.0", "1e-05", "1.5e+16", "nan", "inf").
[[nodiscard]] inline std::string python_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(end - buf));  // "-d.ddde+XX"
  const bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  const auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  const int exp10 = std::atoi(std::string(sci.substr(e + 1)).c_str());
  std::string out = negative ? "-" : "";
  if (exp10 >= -4 && exp10 < 16) {
    if (exp10 < 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-exp10 - 1), '0');
      out += digits;
    } else {
      const auto whole = static_cast<std::size_t>(exp10) + 1;
      if (digits.size() <= whole) {
        out += digits;
        out.append(whole - digits.size(), '0');
        out += ".0";
      } else {
        out.append(digits, 0, whole);
        out += '.';
        out.append(digits, whole);
      }
    }
  } else {
    out += digits.front();
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
    out += exp;
  }
  return out;
}

/// One `{name}` or `{name:spec}` field of a format string.
struct format_field {
  std::string name;
  std::string spec;
};

/// The fields of a Python format string, in order; throws std::invalid_argument for an
/// unbalanced brace. `{{` and `}}` are literal braces.
[[nodiscard]] inline std::vector<format_field> format_fields(std::string_view pattern) {
  std::vector<format_field> fields;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 1 < pattern.size() && pattern[i + 1] == '{') {
      ++i;
    } else if (pattern[i] == '}' && i + 1 < pattern.size() && pattern[i + 1] == '}') {
      ++i;
    } else if (pattern[i] == '{') {
      const auto close = pattern.find('}', i);
      if (close == std::string_view::npos)
        throw std::invalid_argument("cue: unbalanced '{' in \"" + std::string(pattern) + "\"");
      const auto field = pattern.substr(i + 1, close - i - 1);
      const auto colon = field.find(':');
      fields.push_back({std::string(field.substr(0, colon)),
                        colon == std::string_view::npos ? "" : std::string(field.substr(colon + 1))});
      i = close;
    } else if (pattern[i] == '}') {
      throw std::invalid_argument("cue: unbalanced '}' in \"" + std::string(pattern) + "\"");
    }
  }
  return fields;
}

/// A value a format field can take: an integer (epoch, batch) or a double (a metric).
using format_value = std::variant<long long, double>;

/// Formats one value with a Python format spec: [[fill]align][sign][0][width][.precision][type],
/// type one of d f F e E g G % or none. Throws std::invalid_argument for a spec that does not
/// apply (Python's ValueError), e.g. `d` on a float.
[[nodiscard]] inline std::string python_format_value(const format_value& value,
                                                     std::string_view spec) {
  char fill = ' ', align = 0, sign = '-';
  bool zero = false;
  int width = 0, precision = -1;
  char type = 0;
  std::size_t i = 0;
  auto is_align = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  if (spec.size() >= 2 && is_align(spec[1])) {
    fill = spec[0], align = spec[1], i = 2;
  } else if (!spec.empty() && is_align(spec[0])) {
    align = spec[0], i = 1;
  }
  if (i < spec.size() && (spec[i] == '+' || spec[i] == '-' || spec[i] == ' ')) sign = spec[i++];
  if (i < spec.size() && spec[i] == '0') zero = true, ++i;
  while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') width = width * 10 + (spec[i++] - '0');
  if (i < spec.size() && spec[i] == '.') {
    precision = 0, ++i;
    while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9')
      precision = precision * 10 + (spec[i++] - '0');
  }
  if (i < spec.size()) type = spec[i++];
  if (type != 0 && std::string_view("dfFeEgG%").find(type) == std::string_view::npos)
    throw std::invalid_argument("cue: unknown format type '" + std::string(1, type) + "' in ':" +
                                std::string(spec) + "'");
  if (i != spec.size())
    throw std::invalid_argument("cue: invalid format spec ':" + std::string(spec) + "'");

  std::string body;
  bool negative = false;
  if (const auto* integer = std::get_if<long long>(&value)) {
    if (type == 0 || type == 'd') {
      if (precision >= 0)
        throw std::invalid_argument("cue: precision not allowed in integer format spec ':" +
                                    std::string(spec) + "'");
      negative = *integer < 0;
      body = std::to_string(negative ? -*integer : *integer);
    } else {
      return python_format_value(static_cast<double>(*integer), spec);  // Python: int -> float
    }
  } else {
    const double v = std::get<double>(value);
    if (type == 'd')
      throw std::invalid_argument("cue: format spec ':" + std::string(spec) +
                                  "' is for integers, the value is a float");
    negative = std::signbit(v) && !std::isnan(v);
    const double a = std::fabs(v);
    if (std::isnan(v) || std::isinf(v)) {
      body = std::isnan(v) ? "nan" : "inf";
      if (type == 'F' || type == 'E' || type == 'G') body = std::isnan(v) ? "NAN" : "INF";
      if (type == '%') body += '%';
    } else if (type == 0 && precision < 0) {
      body = python_repr(a);
    } else {
      char conv = type == 0 ? 'g' : type;
      double x = a;
      if (type == '%') conv = 'f', x *= 100;
      const int p = precision < 0 ? 6 : precision;
      char fmt[16];
      std::snprintf(fmt, sizeof fmt, "%%.%d%c", p, conv == 'F' ? 'F' : conv);
      char buf[512];
      std::snprintf(buf, sizeof buf, fmt, x);
      body = buf;
      if (type == 0 && body.find_first_of(".e") == std::string::npos) body += ".0";
      if (type == '%') body += '%';
    }
  }
  std::string sign_text = negative ? "-" : (sign == '+' ? "+" : (sign == ' ' ? " " : ""));
  const auto length = sign_text.size() + body.size();
  if (static_cast<std::size_t>(width) <= length) return sign_text + body;
  const auto pad = static_cast<std::size_t>(width) - length;
  if (zero && align == 0) return sign_text + std::string(pad, '0') + body;
  if (align == 0) align = '>';  // numbers align right
  if (align == '<') return sign_text + body + std::string(pad, fill);
  if (align == '^')
    return std::string(pad / 2, fill) + sign_text + body + std::string(pad - pad / 2, fill);
  if (align == '=') return sign_text + std::string(pad, fill) + body;
  return std::string(pad, fill) + sign_text + body;
}

/// Formats `pattern` as Python's str.format, looking each field's name up with `lookup`, which
/// returns std::nullopt for an unknown name; an unknown name throws std::invalid_argument.
template <class Lookup>
[[nodiscard]] std::string python_format(std::string_view pattern, Lookup&& lookup) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if ((c == '{' || c == '}') && i + 1 < pattern.size() && pattern[i + 1] == c) {
      out += c;
      ++i;
    } else if (c == '{') {
      const auto close = pattern.find('}', i);
      if (close == std::string_view::npos)
        throw std::invalid_argument("cue: unbalanced '{' in \"" + std::string(pattern) + "\"");
      const auto field = pattern.substr(i + 1, close - i - 1);
      const auto colon = field.find(':');
      const auto name = field.substr(0, colon);
      const std::optional<format_value> value = lookup(name);
      if (!value)
        throw std::invalid_argument("cue: \"" + std::string(pattern) + "\" names '" +
                                    std::string(name) + "', which has no value here");
      out += python_format_value(*value, colon == std::string_view::npos ? "" : field.substr(colon + 1));
      i = close;
    } else if (c == '}') {
      throw std::invalid_argument("cue: unbalanced '}' in \"" + std::string(pattern) + "\"");
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace cue
