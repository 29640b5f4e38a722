// Python's str.format for the filepaths of model_checkpoint ("ckpt-{epoch:02d}-{val_loss:.2f}")
// and Python's float repr for csv_logger, so files are named and written as Keras names them.
#pragma once

#include <algorithm>
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
#include <utility>
#include <variant>
#include <vector>

#include <cue/fixed_string.hpp>

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

/// One piece of a Python format string: literal text (a doubled brace stands for one brace) or a
/// `{name}` / `{name:spec}` field.
struct format_piece {
  bool is_field = false;
  std::string_view text{};  ///< the literal text, or the field's name
  std::string_view spec{};  ///< the field's spec
};

/// Walks a Python format string piece by piece, at compile time too: `next(p)` fills `p` and
/// returns true until the end, or stops with `error` set at an unbalanced brace.
struct format_scanner {
  std::string_view pattern;
  std::size_t at = 0;
  const char* error = nullptr;

  // Index loops rather than string_view::find: GCC's UndefinedBehaviorSanitizer makes the
  // pointer test inside find non-constant, which would break the compile-time checks.
  constexpr bool next(format_piece& p) {
    if (at >= pattern.size() || error) return false;
    const char c = pattern[at];
    if ((c == '{' || c == '}') && at + 1 < pattern.size() && pattern[at + 1] == c) {
      p = {false, pattern.substr(at, 1), {}};
      at += 2;
    } else if (c == '{') {
      std::size_t close = at + 1, colon = std::string_view::npos;
      for (; close < pattern.size() && pattern[close] != '}'; ++close)
        if (pattern[close] == ':' && colon == std::string_view::npos) colon = close;
      if (close == pattern.size()) return error = "unbalanced '{'", false;
      if (colon == std::string_view::npos)
        p = {true, pattern.substr(at + 1, close - at - 1), {}};
      else
        p = {true, pattern.substr(at + 1, colon - at - 1), pattern.substr(colon + 1, close - colon - 1)};
      at = close + 1;
    } else if (c == '}') {
      return error = "unbalanced '}'", false;
    } else {
      std::size_t stop = at;
      while (stop < pattern.size() && pattern[stop] != '{' && pattern[stop] != '}') ++stop;
      p = {false, pattern.substr(at, stop - at), {}};
      at = stop;
    }
    return true;
  }
};

/// The names of a format string's fields, in order; throws std::invalid_argument for an
/// unbalanced brace.
[[nodiscard]] inline std::vector<std::string_view> format_fields(std::string_view pattern) {
  std::vector<std::string_view> names;
  format_scanner scan{pattern};
  for (format_piece p; scan.next(p);)
    if (p.is_field) names.push_back(p.text);
  if (scan.error) throw std::invalid_argument("cue: " + std::string(scan.error) + " in \"" + std::string(pattern) + "\"");
  return names;
}

namespace detail {
template <fixed_string Pattern>
consteval std::size_t field_count() {
  format_scanner scan{Pattern.view()};
  std::size_t n = 0;
  for (format_piece p; scan.next(p);) n += p.is_field ? 1 : 0;
  return n;
}
template <fixed_string Pattern, std::size_t I>
consteval std::string_view field_name() {
  format_scanner scan{Pattern.view()};
  std::size_t n = 0;
  for (format_piece p; scan.next(p);)
    if (p.is_field && n++ == I) return p.text;
  return {};
}
template <fixed_string Pattern, std::size_t I>
inline constexpr auto field_name_string = [] {
  constexpr std::string_view name = field_name<Pattern, I>();
  char out[name.size() + 1]{};
  std::copy_n(name.data(), name.size(), out);
  return fixed_string<name.size() + 1>(out);
}();
template <fixed_string Pattern, class = std::make_index_sequence<field_count<Pattern>()>>
struct format_names_of;
template <fixed_string Pattern, std::size_t... I>
struct format_names_of<Pattern, std::index_sequence<I...>> {
  using type = names<field_name_string<Pattern, I>...>;
};
}  // namespace detail

/// A format string known at compile time has balanced braces.
template <fixed_string Pattern>
inline constexpr bool well_formed_format = [] {
  format_scanner scan{Pattern.view()};
  for (format_piece p; scan.next(p);) {
  }
  return scan.error == nullptr;
}();

/// The field names of a format string known at compile time, as `cue::names<...>`
/// (`cue::format_names<"m-{epoch:02d}-{val_loss:.2f}">` is `cue::names<"epoch", "val_loss">`).
template <fixed_string Pattern>
using format_names = typename detail::format_names_of<Pattern>::type;

/// A value a format field can take: an integer (epoch, batch) or a double (a metric).
using format_value = std::variant<long long, double>;

/// The largest width and precision a format spec may ask for. Python has no limit, but a file
/// name has one (255 bytes), and `{epoch:2147483647d}` would build a 2 GB string.
inline constexpr int max_format_width = 100;

/// Formats one value with a Python format spec: [[fill]align][sign][0][width][.precision][type],
/// type one of d f F e E g G % or none. Throws std::invalid_argument for a spec that does not
/// apply (Python's ValueError), e.g. `d` on a float, and for a width or precision above
/// `max_format_width`, naming the spec.
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
  // Digits read with a bound, so that no number overflows and no huge width is ever built.
  auto number = [&](int& out, const char* what) {
    while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') {
      out = out * 10 + (spec[i++] - '0');
      if (out > max_format_width)
        throw std::invalid_argument("cue: the format spec ':" + std::string(spec) + "' asks for a " + what +
                                    " above " + std::to_string(max_format_width) + ", the most cue allows");
    }
  };
  number(width, "width");
  if (i < spec.size() && spec[i] == '.') {
    precision = 0, ++i;
    number(precision, "precision");
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
  format_scanner scan{pattern};
  for (format_piece p; scan.next(p);) {
    if (!p.is_field) {
      out += p.text;
      continue;
    }
    const std::optional<format_value> value = lookup(p.text);
    if (!value)
      throw std::invalid_argument("cue: \"" + std::string(pattern) + "\" names '" + std::string(p.text) +
                                  "', which has no value here");
    out += python_format_value(*value, p.spec);
  }
  if (scan.error) throw std::invalid_argument("cue: " + std::string(scan.error) + " in \"" + std::string(pattern) + "\"");
  return out;
}

}  // namespace cue
