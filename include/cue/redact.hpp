// The one redaction of cue: what every message that shows a URL, a header or a library's words
// goes through, so that no secret reaches a log, a warning or an error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cue {

namespace detail {
// A URL's scheme and host (and port), with `***@` for a user and password; `end` is where its
// path, query or fragment begins (npos: none).
inline std::string url_head(std::string_view url, std::size_t& end) {
  const auto scheme = url.find("://");
  const auto start = scheme == std::string_view::npos ? 0 : scheme + 3;
  end = url.find_first_of("/?#", start);
  std::string_view authority = url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  std::string out(url.substr(0, start));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    out += "***@";
    authority.remove_prefix(at + 1);
  }
  out += authority;
  return out;
}
}  // namespace detail

/// A URL as it may be shown: scheme and host (and port), the rest hidden, since paths and queries
/// hold the keys of webhooks and credentials sit before the host.
/// `https://hooks.slack.com/services/T0/B0/XYZ` shows as `https://hooks.slack.com/***`,
/// `http://alice:s3cr3t@host:9000/publish?token=T` as `http://***@host:9000/***`.
[[nodiscard]] inline std::string redacted(std::string_view url) {
  std::size_t end = 0;
  std::string out = detail::url_head(url, end);
  if (end != std::string_view::npos) out += "/***";
  return out;
}

/// A URL found in free text, shown without what carries credentials: the user and password
/// before the host, and the query and fragment (`?X-Amz-Signature=...` shows as `?***`); its path
/// stays, so that a copy's destination (`s3://bucket/run-1/m.bin`) can still be read. A URL whose
/// path is a secret (a webhook's) is given to `redacted_text` among the secrets.
[[nodiscard]] inline std::string redacted_in_text(std::string_view url) {
  std::size_t end = 0;
  std::string out = detail::url_head(url, end);
  if (end == std::string_view::npos) return out;
  const auto query = url.find_first_of("?#", end);
  out += url.substr(end, query == std::string_view::npos ? std::string_view::npos : query - end);
  if (query != std::string_view::npos) out += "?***";
  return out;
}

/// `text` with every occurrence of each secret replaced by `***`, and every URL in it shown as
/// `redacted_in_text` shows it: for free text that may quote them (a library's error, a command's
/// output).
[[nodiscard]] inline std::string redacted_text(std::string text, const std::vector<std::string>& secrets = {}) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
      text.replace(at, secret.size(), "***");
  }
  auto url_char = [](char c) {
    return c > ' ' && c != '"' && c != '\'' && c != '<' && c != '>' && c != '`' && static_cast<unsigned char>(c) < 0x7f;
  };
  auto scheme_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
  };
  for (auto mark = text.find("://"); mark != std::string::npos; mark = text.find("://", mark + 3)) {
    auto begin = mark;
    while (begin > 0 && scheme_char(text[begin - 1])) --begin;
    auto end = mark + 3;
    while (end < text.size() && url_char(text[end])) ++end;
    const std::string shown = redacted_in_text(std::string_view(text).substr(begin, end - begin));
    text.replace(begin, end - begin, shown);
    mark = begin + shown.find("://");
  }
  return text;
}

}  // namespace cue
