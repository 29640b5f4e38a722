// cue::option_fields: the named fields of an options aggregate, so options can be read from a
// configuration file (see <cue/config.hpp>) with errors that name the field.
#pragma once

#include <string_view>
#include <tuple>
#include <type_traits>

namespace cue {

/// One named member of an options aggregate.
template <class Options, class T>
struct field {
  std::string_view name;
  T Options::*member;
};

template <class Options, class T>
field(std::string_view, T Options::*) -> field<Options, T>;

/// The description of an options type: its name and its fields.
template <class Options, class... Fields>
struct option_fields {
  std::string_view name;
  std::tuple<Fields...> fields;
};

template <class Options, class... T>
constexpr auto describe(std::string_view name, field<Options, T>... fs) {
  return option_fields<Options, field<Options, T>...>{name, std::tuple{fs...}};
}

/// An options type described by a `fields_of(std::type_identity<Options>)` function found by
/// argument-dependent lookup (every callback's options type has one, beside it; cue's are
/// templates constrained to their type, so that a description is instantiated only in programs
/// that read configuration: at header level they cost every includer a fifth of a second).
template <class Options>
concept described_options = requires { fields_of(std::type_identity<Options>{}); };

}  // namespace cue
