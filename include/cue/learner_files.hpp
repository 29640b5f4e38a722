// The learner's capabilities that go through files, `save`/`load` and `save_weights`/
// `load_weights`, apart from <cue/learner.hpp> so that the core (<cue/fit.hpp>) does not include
// <filesystem>: the callbacks that write learners to files include this.
#pragma once

#include <filesystem>

#include <cue/learner.hpp>

namespace cue {

/// The whole learner to and from a file: `l.save(path)`, `l.load(path)`.
template <class L>
concept has_save = requires(L& l, const std::filesystem::path& p) {
  l.save(p);
  l.load(p);
};

/// The weights to and from a file: `l.save_weights(path)`, `l.load_weights(path)`.
template <class L>
concept has_save_weights = requires(L& l, const std::filesystem::path& p) {
  l.save_weights(p);
  l.load_weights(p);
};

namespace capability {
struct save {
  static constexpr bool changes_learner = true;  // load (a resumed backup)
  template <class L>
  static constexpr bool met = has_save<L>;
  template <class Callback, class Learner>
  static consteval void report() {
    static_assert(detail::holds<met<Learner>>,
                  "cue: the callback type 'Callback' needs a learner with save(path) and "
                  "load(path); add both members to the type 'Learner'");
  }
};
struct save_weights {
  static constexpr bool changes_learner = false;
  template <class L>
  static constexpr bool met = has_save_weights<L>;
  template <class Callback, class Learner>
  static consteval void report() {
    static_assert(detail::holds<met<Learner>>,
                  "cue: the callback type 'Callback' needs a learner with save_weights(path) "
                  "and load_weights(path); add both members to the type 'Learner'");
  }
};
struct save_file {
  static constexpr bool changes_learner = false;
  template <class L>
  static constexpr bool met = has_save<L> || has_save_weights<L>;
  template <class Callback, class Learner>
  static consteval void report() {
    static_assert(detail::holds<met<Learner>>,
                  "cue: the callback type 'Callback' needs a learner that can write itself to a "
                  "file; add save(path) and load(path), or save_weights(path) and "
                  "load_weights(path), to the type 'Learner'");
  }
};
}  // namespace capability

}  // namespace cue
