// cue::epoch_table: every epoch's logs, by name, kept by the reporting callbacks (summary_report,
// training_curves). A value that was not measured (`val_*` on an epoch without validation) is NaN.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <cue/context.hpp>
#include <cue/monitor.hpp>
#include <cue/state.hpp>

namespace cue {

class epoch_table {
 public:
  struct row {
    int epoch = 0;  ///< 0-based
    std::vector<double> values;  ///< in the order of names(); NaN where not measured
    bool validated = true;       ///< the val_* values were measured (else they are NaN for that)
  };

  void clear() {
    names_.clear();
    rows_.clear();
  }

  /// Records the logs of an epoch end (the names come from the first).
  template <class Ctx>
  void add(const Ctx& ctx) {
    const auto& logs = ctx.logs();
    if (names_.empty())
      for (auto n : logs.names) names_.emplace_back(n);
    row r{ctx.epoch(), {}, ctx.validated()};
    for (std::size_t i = 0; i < logs.names.size(); ++i)
      r.values.push_back(is_measured(logs.names[i], ctx.validated()) ? logs.values[i]
                                                                      : std::numeric_limits<double>::quiet_NaN());
    rows_.push_back(std::move(r));
  }

  [[nodiscard]] const std::vector<std::string>& names() const noexcept { return names_; }
  [[nodiscard]] const std::vector<row>& rows() const noexcept { return rows_; }
  [[nodiscard]] bool empty() const noexcept { return rows_.empty(); }

  /// The column of `name`, or none.
  [[nodiscard]] std::optional<std::size_t> column(std::string_view name) const {
    for (std::size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == name) return i;
    return std::nullopt;
  }

  /// A value with the epoch it was logged at.
  struct point {
    double value;
    int epoch;
  };
  /// Whether column `c` of row `r` was measured (NaN there then means the value was NaN).
  [[nodiscard]] bool measured(const row& r, std::size_t c) const noexcept { return is_measured(names_[c], r.validated); }
  /// The last measured value of column `c` (NaN when the metric ended NaN).
  [[nodiscard]] std::optional<point> last(std::size_t c) const {
    for (auto it = rows_.rbegin(); it != rows_.rend(); ++it)
      if (measured(*it, c)) return point{it->values[c], it->epoch};
    return std::nullopt;
  }
  /// The best measured value of column `c` by cue's mode rule (the first epoch wins a tie); none
  /// when the name has no direction or nothing was measured.
  [[nodiscard]] std::optional<point> best(std::size_t c) const {
    const auto dir = direction_of(names_[c]);
    if (!dir) return std::nullopt;
    std::optional<point> out;
    for (const auto& r : rows_) {
      const double v = r.values[c];
      if (std::isnan(v)) continue;
      if (!out || (*dir == mode::min ? v < out->value : v > out->value)) out = point{v, r.epoch};
    }
    return out;
  }

  /// The table as a state (so a resumed run's curves and summary keep the epochs before it).
  [[nodiscard]] state_dict save(const std::string& prefix = {}) const {
    std::string names;
    for (const auto& n : names_) (names += names.empty() ? "" : " ") += n;
    state_dict d{{prefix + "names", names}, {prefix + "rows", std::to_string(rows_.size())}};
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      const std::string row = prefix + "rows." + std::to_string(i);
      d[row + ".epoch"] = std::to_string(rows_[i].epoch);
      d[row + ".values"] = state::numbers(rows_[i].values);
      d[row + ".validated"] = std::string(rows_[i].validated ? "1" : "0");
    }
    return d;
  }
  void load(const state_dict& d, const std::string& owner, const std::string& prefix = {}) {
    names_.clear();
    rows_.clear();
    std::istringstream names(state::at(d, prefix + "names", owner));
    for (std::string n; names >> n;) names_.push_back(n);
    for (std::size_t i = 0, n = state::to_count(state::at(d, prefix + "rows", owner)); i < n; ++i) {
      const std::string row = prefix + "rows." + std::to_string(i);
      const auto validated = d.find(row + ".validated");  // absent in backups of earlier versions
      rows_.push_back({state::integer_at<int>(d, row + ".epoch", owner),
                       state::to_numbers<double>(state::at(d, row + ".values", owner)),
                       validated == d.end() || validated->second == "1"});
      if (rows_.back().values.size() != names_.size())
        throw std::runtime_error("cue: the saved state of " + owner + " has " +
                                 std::to_string(rows_.back().values.size()) + " values in " + row + " for " +
                                 std::to_string(names_.size()) + " names");
    }
  }

 private:
  std::vector<std::string> names_;
  std::vector<row> rows_;
};

}  // namespace cue
