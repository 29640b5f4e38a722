// cue::csv_logger: one CSV row per epoch (Keras's CSVLogger).
#pragma once

#include <algorithm>
#include <concepts>
#include <filesystem>
#include <fstream>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <string_view>
#include <system_error>
#include <vector>

#include <cue/context.hpp>
#include <cue/options.hpp>
#include <cue/python_format.hpp>
#include <cue/state.hpp>

namespace cue {

/// Options of `cue::csv_logger`, named and ordered as Keras's.
struct csv_logger_options {
  std::string filename{};     ///< the file to write (unused when a stream is given)
  std::string separator = ",";
  bool append = false;        ///< add rows to an existing file, keeping its header
};

/// The fields of csv_logger_options, for reading it from configuration (<cue/config.hpp>).
template <std::same_as<csv_logger_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("csv_logger_options",
                  field{"filename", &O::filename},
                  field{"separator", &O::separator},
                  field{"append", &O::append});
}

/// Writes the epoch logs as CSV, as Keras 3's CSVLogger: columns `epoch` (0-based) then the log
/// names sorted; when no name starts with `val_`, a `val_<name>` column is added for each (filled
/// with NA), so runs with and without validation share a layout. Values are written as Python's
/// str(float) ("0.25", "nan"); `val_*` values of epochs without validation are `NA`. Rows are
/// flushed every epoch. In append mode the header is written only if the file is new or starts
/// with an empty line; with a stream, only if not appending.
///
/// Tracked by backup_and_restore (with `.append = true`), a resumed run first cuts the file back to
/// the rows of the backup, so a row written after it (a partial epoch stopped by a signal, an
/// epoch whose backup never completed) is not left twice.
///
/// Hooks: on_train_begin, on_epoch_end, on_train_end.
class csv_logger {
 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using options = csv_logger_options;

  /// Writes to `opts.filename`, opened at train begin (its directory created if needed).
  explicit csv_logger(options opts) : opts_(std::move(opts)) {
    if (opts_.filename.empty())
      throw std::invalid_argument("cue: csv_logger: filename is empty (or pass a std::ostream&)");
    check_separator();
  }
  /// Writes to `out`, which must outlive the fits.
  explicit csv_logger(std::ostream& out, options opts = {}) : opts_(std::move(opts)), stream_(&out) {
    check_separator();
  }

  void on_train_begin(auto&) {
    keys_.clear();
    written_.reset();
    if (stream_) {
      out_ = stream_;
      write_header_ = !opts_.append;
      return;
    }
    write_header_ = !opts_.append || !std::filesystem::exists(opts_.filename) || first_line_empty();
    if (const auto dir = std::filesystem::path(opts_.filename).parent_path(); !dir.empty()) {
      std::error_code ignored;  // a failure shows as the open error below
      std::filesystem::create_directories(dir, ignored);
    }
    file_ = std::make_unique<std::ofstream>(
        opts_.filename, opts_.append ? std::ios::app : std::ios::out | std::ios::trunc);
    if (!*file_)
      throw std::runtime_error("cue: csv_logger: cannot open " + opts_.filename + " for writing");
    out_ = file_.get();
    written_ = std::filesystem::file_size(opts_.filename);
  }

  void on_epoch_end(auto& ctx) {
    const auto& logs = ctx.logs();
    if (keys_.empty()) {
      keys_.assign(logs.names.begin(), logs.names.end());
      std::sort(keys_.begin(), keys_.end());
      const bool any_val = std::any_of(keys_.begin(), keys_.end(),
                                       [](const std::string& k) { return k.starts_with("val_"); });
      if (!any_val) {
        const auto n = keys_.size();
        for (std::size_t i = 0; i < n; ++i) {
          std::string name = "val_";
          name += keys_[i];
          keys_.push_back(std::move(name));
        }
      }
      if (write_header_) {
        *out_ << field("epoch");
        for (const auto& k : keys_) *out_ << opts_.separator << field(k);
        *out_ << '\n';
      }
    }
    *out_ << ctx.epoch();
    for (const auto& k : keys_) {
      *out_ << opts_.separator;
      const auto it = std::find(logs.names.begin(), logs.names.end(), k);
      const bool missing = it == logs.names.end() || !is_measured(k, ctx.validated());
      *out_ << (missing ? std::string("NA")
                        : python_repr(logs.values[static_cast<std::size_t>(it - logs.names.begin())]));
    }
    *out_ << '\n';
    out_->flush();
    if (file_) written_ = std::filesystem::file_size(opts_.filename);
  }

  void on_train_end(auto&) {
    if (file_) file_->close();
    file_.reset();
    out_ = nullptr;
  }

  [[nodiscard]] const options& config() const noexcept { return opts_; }

  /// Its state, for a resumed run (backup_and_restore): how long the file was after the last row.
  /// The name its state is kept under in a backup.
  [[nodiscard]] static std::string state_key() { return "csv_logger"; }
  [[nodiscard]] cue::state_dict state_dict() const {
    return {{"bytes", written_ ? std::to_string(*written_) : std::string("none")}};
  }
  /// Cuts the file back to the saved length (rows written after the backup go); a file already
  /// shorter, or a stream, is left as it is.
  void load_state_dict(const cue::state_dict& d) {
    const auto& bytes = state::at(d, "bytes", "csv_logger");
    if (bytes == "none" || !file_) return;
    const auto length = state::to_count(bytes);
    if (std::filesystem::file_size(opts_.filename) < length) return;
    file_->close();
    std::filesystem::resize_file(opts_.filename, length);
    file_->open(opts_.filename, std::ios::app);
    if (!*file_) throw std::runtime_error("cue: csv_logger: cannot open " + opts_.filename + " for writing");
    written_ = length;
    // Cut back to before the header (a backup made before the first row, in a run whose cut
    // epoch then wrote one): the resumed run writes it again.
    if (keys_.empty()) write_header_ = first_line_empty();
  }

 private:
  void check_separator() const {
    if (opts_.separator.empty())
      throw std::invalid_argument("cue: csv_logger: separator is empty");
  }
  bool first_line_empty() const {
    std::ifstream in(opts_.filename);
    std::string line;
    return !std::getline(in, line) || line.empty();
  }
  // Python's csv QUOTE_MINIMAL.
  std::string field(std::string_view s) const {
    if (s.find(opts_.separator) == std::string_view::npos &&
        s.find_first_of("\"\r\n") == std::string_view::npos)
      return std::string(s);
    std::string q(1, '"');
    for (char c : s) {
      if (c == '"') q += '"';
      q += c;
    }
    q += '"';
    return q;
  }

  options opts_;
  std::ostream* stream_ = nullptr;
  std::ostream* out_ = nullptr;
  std::unique_ptr<std::ofstream> file_;
  std::vector<std::string> keys_;
  bool write_header_ = true;
  std::optional<std::uintmax_t> written_;  // the file's length after the last row
};

}  // namespace cue
