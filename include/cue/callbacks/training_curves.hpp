// cue::training_curves: the run's curves as one self-contained SVG, rewritten at every epoch end.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/context.hpp>
#include <cue/epoch_table.hpp>
#include <cue/fixed_string.hpp>
#include <cue/io/atomic_file.hpp>
#include <cue/monitor.hpp>
#include <cue/options.hpp>
#include <cue/python_format.hpp>
#include <cue/run_events.hpp>
#include <cue/state.hpp>
#include <cue/utf8.hpp>

namespace cue {

/// Options of `cue::training_curves`.
struct training_curves_options {
  std::string path = "curves.svg";  ///< the SVG file (its directory is created if needed)
  std::string title{};              ///< shown above the panels
  cue::mode mode = mode::automatic;  ///< which way the marked metric improves
};

template <std::same_as<training_curves_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("training_curves_options", field{"path", &O::path},
                  field{"title", &O::title},
                  field{"mode", &O::mode});
}

namespace detail {
// The SVG's pieces: small on purpose (no script, no external style), so it opens anywhere.
struct svg_panel {
  std::string metric;       // the name without `val_`
  std::optional<std::size_t> train, validation;  // columns of the table
  bool log_scale = false;   // the learning rate
};

inline std::string svg_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}
inline std::string svg_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}
// Round tick values as plotting libraries place them: steps of 1, 2 or 5 times a power of ten,
// about `target` of them within [lo, hi].
inline std::vector<double> linear_ticks(double lo, double hi, double target = 5) {
  const double raw = (hi / 2 - lo / 2) / target * 2;  // halves: hi - lo may overflow
  if (!(raw > 0) || !std::isfinite(raw)) return {lo, hi};
  const double exponent = std::floor(std::log10(raw));
  const double power = std::pow(10.0, exponent);
  const double r = raw / power;
  const double m = r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10;
  const double step = m * power;
  // k * m / 10^n, not k * step, below 1: -3 * 0.1 is -0.30000000000000004, -3 / 10 is -0.3.
  const double inverse = exponent < 0 ? std::pow(10.0, -exponent) : 0;
  std::vector<double> ticks;
  // (A billionth of a step of slack: -0.3 / 0.1 is -2.9999999999999996.)
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9 && ticks.size() < 12; ++k) {
    const double v = inverse > 0 ? k * m / inverse : k * step;
    ticks.push_back(v == 0 ? 0.0 : v);  // no "-0"
  }
  return ticks;
}
// On a log axis given in decades (lo, hi = log10 of the ends): the powers of ten when at least
// three are in range (every k-th when there are many); else also 2 and 5 times each; within less
// than one such step, round linear values.
inline std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> ticks;
  const double first = std::ceil(lo - 1e-9), last = std::floor(hi + 1e-9);
  if (last - first >= 2) {
    const double every = std::ceil((last - first + 1) / 7);
    for (double k = first; k <= last; k += every) ticks.push_back(std::pow(10.0, k));
    return ticks;
  }
  for (double k = std::floor(lo); k <= std::ceil(hi); ++k)
    for (double m : {1.0, 2.0, 5.0}) {
      const double v = m * std::pow(10.0, k);
      if (std::log10(v) >= lo - 1e-12 && std::log10(v) <= hi + 1e-12) ticks.push_back(v);
    }
  if (ticks.size() >= 2) return ticks;
  return linear_ticks(std::pow(10.0, lo), std::pow(10.0, hi), 4);
}
// What happened at an epoch, marked across the panels: the run resumed, the rate changed, an
// alert began or ended.
struct svg_mark {
  int epoch = 0;     // when it happened (0-based)
  std::string kind;  // "resumed", "rate-changed", "alert-fired", "alert-resolved"
  std::string text;  // said in the mark's tooltip
  double rate = 0;   // a changed rate's new value: marked where the logged rate first shows it
};

inline constexpr std::pair<std::string_view, std::string_view> mark_kinds[] = {
    {"resumed", "resumed"}, {"rate-changed", "rate changed"}, {"alert-fired", "alert"}, {"alert-resolved", "resolved"}};
inline std::string mark_style(std::string_view kind) {
  if (kind == "resumed") return "stroke=\"#7f7f7f\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"";
  if (kind == "rate-changed") return "stroke=\"#9467bd\" stroke-width=\"1.5\" stroke-dasharray=\"2 2\"";
  if (kind == "alert-fired") return "stroke=\"#d62728\" stroke-width=\"1.5\"";
  return "stroke=\"#17becf\" stroke-width=\"1.5\"";
}

// Text as SVG (XML) may hold it: the markup characters as references, bytes that are not UTF-8
// and control characters (XML has none) as U+FFFD.
inline std::string svg_escaped(std::string_view text) {
  std::string out;
  for (char c : replaced_utf8(text)) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
      out += "\xEF\xBF\xBD";
      continue;
    }
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}
}  // namespace detail

/// Draws the epoch logs as an SVG (`.path`), rewritten atomically at every epoch end and at train
/// end: one panel per metric with its training values and its `val_` values as two lines
/// (`<polyline class="train">`, `<polyline class="validation">`, a point per epoch where the value
/// was measured and finite), the learning rate as steps on a log axis, epochs (1-based, as Keras
/// prints them) on x; round tick values (1, 2 or 5 times a power of ten; decades on the log
/// axis). With a metric as template argument (`cue::training_curves<"val_loss">`), its best epoch
/// so far is marked (by `.mode`, automatic from the name). Marked across the panels, with a
/// legend and a tooltip each: where the run resumed, where a callback changed the learning rate
/// (cue::learning_rate_changed) and where an alert's rule began or ceased to hold
/// (cue::alert_changed). The SVG has a viewBox and no fixed size, so it scales to its container;
/// it has no script and no external reference: it opens in any browser and on GitHub.
///
/// Kept by backup_and_restore, a resumed run draws the epochs before the resume too.
///
/// Hooks: on_train_begin, on_epoch_end, on_train_end; listens to cue::learning_rate_changed and
/// cue::alert_changed when a callback sends them.
template <fixed_string Monitor = "">
class training_curves {
  static constexpr bool marks_best = !Monitor.view().empty();

 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using options = training_curves_options;
  using monitored = std::conditional_t<marks_best, names<Monitor>, names<>>;
  using listens = cue::listens<cue::optional<learning_rate_changed>, cue::optional<alert_changed>>;

  explicit training_curves(options opts = {}) : opts_(std::move(opts)) {
    if (opts_.path.empty()) throw std::invalid_argument("cue: training_curves: path is empty");
    if constexpr (marks_best) mode_ = resolve_mode(opts_.mode, Monitor.view(), "training_curves");
  }

  void on_train_begin(auto&) {
    table_.clear();
    marks_.clear();
    first_end_of_fit_ = true;
    io::remove_abandoned(std::filesystem::path(opts_.path).parent_path());  // what a killed run was writing
  }
  void on_epoch_end(auto& ctx) {
    // Epochs drawn before this fit's first: they came from a backup, so the run resumed here.
    if (std::exchange(first_end_of_fit_, false) && !table_.empty() && table_.rows().back().epoch < ctx.epoch())
      marks_.push_back({ctx.epoch(), "resumed", "resumed"});
    table_.add(ctx);
    write();
  }
  // Again at the end: a mark sent after this callback's epoch end is drawn.
  void on_train_end(auto&) { write(); }

  void on(const learning_rate_changed& e, auto& ctx) {
    marks_.push_back({ctx.epoch(), "rate-changed", "learning rate " + python_repr(e.old_rate) + " to " + python_repr(e.new_rate),
                      e.new_rate});
  }
  void on(const alert_changed& e, auto& ctx) {
    marks_.push_back({ctx.epoch(), e.holds ? "alert-fired" : "alert-resolved", (e.holds ? "alert: " : "resolved: ") + e.title});
  }

  /// Its state for backup_and_restore (which finds it in the fit): the epochs drawn and what was
  /// marked, so that a resumed run's curves start at the first epoch, not at the resume.
  [[nodiscard]] static std::string state_key() { return "training_curves"; }
  [[nodiscard]] cue::state_dict state_dict() const {
    auto d = table_.save();
    d["marks"] = std::to_string(marks_.size());
    for (std::size_t i = 0; i < marks_.size(); ++i) {
      const std::string k = "marks." + std::to_string(i) + ".";
      d[k + "epoch"] = std::to_string(marks_[i].epoch);
      d[k + "kind"] = marks_[i].kind;
      d[k + "text"] = marks_[i].text;
      d[k + "rate"] = state::number(marks_[i].rate);
    }
    return d;
  }
  void load_state_dict(const cue::state_dict& d) {
    table_.load(d, "training_curves");
    marks_.clear();
    if (d.find("marks") == d.end()) return;  // a backup of an earlier version
    for (std::size_t i = 0, n = state::to_count(state::at(d, "marks", "training_curves")); i < n; ++i) {
      const std::string k = "marks." + std::to_string(i) + ".";
      marks_.push_back({state::integer_at<int>(d, k + "epoch", "training_curves"), state::at(d, k + "kind", "training_curves"),
                        state::at(d, k + "text", "training_curves"),
                        state::to_double(state::at(d, k + "rate", "training_curves"))});
    }
  }

  /// The epochs drawn so far.
  [[nodiscard]] const epoch_table& table() const noexcept { return table_; }
  /// What is marked across the panels.
  [[nodiscard]] const std::vector<detail::svg_mark>& marks() const noexcept { return marks_; }
  [[nodiscard]] const options& config() const noexcept { return opts_; }

  /// The SVG of the epochs so far.
  [[nodiscard]] std::string draw() const {
    using detail::svg_number;
    const auto panels = panels_of();
    constexpr double panel_w = 440, panel_h = 270, margin = 20;
    const std::size_t columns = std::min<std::size_t>(2, std::max<std::size_t>(1, panels.size()));
    const std::size_t rows = (panels.size() + columns - 1) / columns;
    const double top = opts_.title.empty() ? 30 : 56;
    const double width = static_cast<double>(columns) * (panel_w + margin) + margin;
    const double height = top + static_cast<double>(rows) * (panel_h + margin) + margin;
    // No width or height: it scales to its container (a window, a Markdown page), keeping its shape.
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + svg_number(width) + " " +
                      svg_number(height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    if (!opts_.title.empty())
      svg += "<text x=\"" + svg_number(margin) + "\" y=\"28\" font-size=\"18\">" + detail::svg_escaped(opts_.title) + "</text>\n";
    // The legend: the two series' colours.
    const double ly = top - 12;
    svg += "<line x1=\"" + svg_number(margin) + "\" y1=\"" + svg_number(ly) + "\" x2=\"" + svg_number(margin + 24) +
           "\" y2=\"" + svg_number(ly) + "\" stroke=\"#1f77b4\" stroke-width=\"2\"/><text x=\"" +
           svg_number(margin + 30) + "\" y=\"" + svg_number(ly + 4) + "\">training</text>\n";
    svg += "<line x1=\"" + svg_number(margin + 110) + "\" y1=\"" + svg_number(ly) + "\" x2=\"" + svg_number(margin + 134) +
           "\" y2=\"" + svg_number(ly) + "\" stroke=\"#ff7f0e\" stroke-width=\"2\"/><text x=\"" +
           svg_number(margin + 140) + "\" y=\"" + svg_number(ly + 4) + "\">validation</text>\n";
    double lx = margin + 230;
    for (const auto& [kind, words] : detail::mark_kinds) {
      bool present = false;
      for (const auto& m : marks_) present = present || m.kind == kind;
      if (!present) continue;
      svg += "<line class=\"legend " + std::string(kind) + "\" x1=\"" + svg_number(lx) + "\" y1=\"" + svg_number(ly - 7) +
             "\" x2=\"" + svg_number(lx) + "\" y2=\"" + svg_number(ly + 7) + "\" " + detail::mark_style(kind) +
             "/><text x=\"" + svg_number(lx + 6) + "\" y=\"" + svg_number(ly + 4) + "\">" + std::string(words) + "</text>\n";
      lx += 20 + 7 * static_cast<double>(words.size());
    }
    for (std::size_t i = 0; i < panels.size(); ++i) {
      const double x = margin + static_cast<double>(i % columns) * (panel_w + margin);
      const double y = top + static_cast<double>(i / columns) * (panel_h + margin);
      svg += panel(panels[i], x, y, panel_w, panel_h);
    }
    svg += "</svg>\n";
    return svg;
  }

 private:
  std::vector<detail::svg_panel> panels_of() const {
    std::vector<detail::svg_panel> out;
    auto find = [&](std::string_view metric) -> detail::svg_panel& {
      for (auto& p : out)
        if (p.metric == metric) return p;
      return out.emplace_back(detail::svg_panel{std::string(metric), {}, {}, metric == "learning_rate"});
    };
    for (std::size_t c = 0; c < table_.names().size(); ++c) {
      std::string_view n = table_.names()[c];
      if (n.starts_with("val_")) {
        n.remove_prefix(4);
        find(n).validation = c;
      } else {
        find(n).train = c;
      }
    }
    return out;
  }

  // One panel: frame, title, axes with their end labels, the series, the best epoch.
  std::string panel(const detail::svg_panel& p, double x0, double y0, double w, double h) const {
    using detail::svg_label;
    using detail::svg_number;
    constexpr double left = 58, right = 12, top = 26, bottom = 34;
    const double px0 = x0 + left, px1 = x0 + w - right, py0 = y0 + top, py1 = y0 + h - bottom;
    auto shown = [&](double v) { return std::isfinite(v) && (!p.log_scale || v > 0); };
    auto scaled = [&](double v) { return p.log_scale ? std::log10(v) : v; };
    // Ranges over what is drawn.
    int e_min = 0, e_max = 0;
    double lo = 0, hi = 0;
    bool any = false;
    if (!table_.empty()) e_min = table_.rows().front().epoch, e_max = table_.rows().back().epoch;
    for (auto col : {p.train, p.validation}) {
      if (!col) continue;
      for (const auto& r : table_.rows()) {
        const double v = r.values[*col];
        if (!shown(v)) continue;
        const double s = scaled(v);
        lo = any ? std::min(lo, s) : s;
        hi = any ? std::max(hi, s) : s;
        any = true;
      }
    }
    // Halves, so that no difference of two finite values overflows (a value of 1e308 beside 0.3).
    constexpr double most = std::numeric_limits<double>::max();
    if (hi / 2 - lo / 2 < 1e-12) {  // one value: a band around it
      const double pad = p.log_scale ? 0.5 : std::max(std::abs(lo) * 0.05, 1e-3);
      lo = std::max(lo - pad, -most), hi = std::min(hi + pad, most);
    } else {
      const double pad = (hi / 2 - lo / 2) * 0.1;
      lo = std::max(lo - pad, -most), hi = std::min(hi + pad, most);
    }
    auto X = [&](int epoch) {
      return e_max == e_min ? (px0 + px1) / 2 : px0 + (px1 - px0) * (epoch - e_min) / double(e_max - e_min);
    };
    auto Y = [&](double v) { return py1 - (py1 - py0) * ((scaled(v) / 2 - lo / 2) / (hi / 2 - lo / 2)); };

    std::string g = "<g class=\"panel\" data-metric=\"" + detail::svg_escaped(p.metric) + "\">\n";
    g += "<rect x=\"" + svg_number(px0) + "\" y=\"" + svg_number(py0) + "\" width=\"" + svg_number(px1 - px0) +
         "\" height=\"" + svg_number(py1 - py0) + "\" fill=\"none\" stroke=\"#999\"/>\n";
    g += "<text x=\"" + svg_number(px0) + "\" y=\"" + svg_number(y0 + 16) + "\" font-weight=\"bold\">" +
         detail::svg_escaped(p.metric) + (p.log_scale ? " (log scale)" : "") + "</text>\n";
    // y: round values (1, 2, 5 times a power of ten; decades on the log axis), each with its grid
    // line, tick mark and label; x: the epochs (1-based) at a round step, at most about 8.
    for (double v : p.log_scale ? detail::log_ticks(lo, hi) : detail::linear_ticks(lo, hi)) {
      const double yy = Y(v);
      g += "<line class=\"grid\" x1=\"" + svg_number(px0) + "\" y1=\"" + svg_number(yy) + "\" x2=\"" + svg_number(px1) +
           "\" y2=\"" + svg_number(yy) + "\" stroke=\"#e4e4e4\"/>\n";
      g += "<line class=\"tick\" x1=\"" + svg_number(px0 - 5) + "\" y1=\"" + svg_number(yy) + "\" x2=\"" + svg_number(px0) +
           "\" y2=\"" + svg_number(yy) + "\" stroke=\"#333\"/>\n";
      g += "<text class=\"y-label\" x=\"" + svg_number(px0 - 8) + "\" y=\"" + svg_number(yy + 4) +
           "\" text-anchor=\"end\">" + svg_label(v) + "</text>\n";
    }
    const double epochs = e_max - e_min + 1;
    int step = 1;
    for (int power = 1; epochs / step > 8; power *= 10)
      for (int m : {1, 2, 5})
        if (epochs / step > 8) step = m * power;
    for (int n = (e_min + step) / step * step; n <= e_max + 1; n += step) {  // n: a 1-based epoch, a multiple of step
      g += "<line class=\"tick\" x1=\"" + svg_number(X(n - 1)) + "\" y1=\"" + svg_number(py1) + "\" x2=\"" +
           svg_number(X(n - 1)) + "\" y2=\"" + svg_number(py1 + 5) + "\" stroke=\"#333\"/>\n";
      g += "<text class=\"x-label\" x=\"" + svg_number(X(n - 1)) + "\" y=\"" + svg_number(py1 + 18) +
           "\" text-anchor=\"middle\">" + std::to_string(n) + "</text>\n";
    }
    g += "<text x=\"" + svg_number((px0 + px1) / 2) + "\" y=\"" + svg_number(py1 + 30) +
         "\" text-anchor=\"middle\" fill=\"#555\">epoch</text>\n";
    // The learning rate holds from one epoch to the next: steps, not ramps.
    const bool steps = p.metric == "learning_rate";
    auto series = [&](std::optional<std::size_t> col, const char* cls, const char* colour) {
      if (!col) return;
      std::string pts;
      std::optional<double> held;
      for (const auto& r : table_.rows()) {
        const double v = r.values[*col];
        if (!shown(v)) continue;
        if (!pts.empty()) pts += ' ';
        if (steps && held) pts += svg_number(X(r.epoch)) + "," + svg_number(Y(*held)) + " ";
        pts += svg_number(X(r.epoch)) + "," + svg_number(Y(v));
        held = v;
      }
      g += "<polyline class=\"" + std::string(cls) + "\" points=\"" + pts + "\" fill=\"none\" stroke=\"" + colour +
           "\" stroke-width=\"2\"/>\n";
    };
    series(p.train, "train", "#1f77b4");
    series(p.validation, "validation", "#ff7f0e");
    // What could not be drawn (NaN, an infinity, a rate <= 0 on the log axis): a cross on the
    // panel's top edge at its epoch, in its series' colour, saying what it was.
    auto unshown = [&](std::optional<std::size_t> col, const char* cls, const char* colour) {
      if (!col) return;
      for (const auto& r : table_.rows()) {
        const double v = r.values[*col];
        if (shown(v) || (cls == std::string_view("validation") && !r.validated)) continue;  // not measured: nothing to mark
        g += "<text class=\"not-drawn " + std::string(cls) + "\" x=\"" + svg_number(X(r.epoch)) + "\" y=\"" +
             svg_number(py0 + 10) + "\" text-anchor=\"middle\" fill=\"" + colour + "\">\u00d7<title>epoch " +
             std::to_string(r.epoch + 1) + ": " + detail::svg_escaped(table_.names()[*col]) + " = " +
             python_repr(v) + ", not drawn</title></text>\n";
      }
    };
    unshown(p.train, "train", "#1f77b4");
    unshown(p.validation, "validation", "#ff7f0e");
    for (const auto& m : marks_) {
      const int at = marked_epoch(m);
      if (at < e_min || at > e_max) continue;
      g += "<line class=\"mark " + m.kind + "\" x1=\"" + svg_number(X(at)) + "\" y1=\"" + svg_number(py0) + "\" x2=\"" +
           svg_number(X(at)) + "\" y2=\"" + svg_number(py1) + "\" " + detail::mark_style(m.kind) + "><title>epoch " +
           std::to_string(at + 1) + ": " + detail::svg_escaped(m.text) + "</title></line>\n";
    }
    if constexpr (marks_best) {
      const auto col = table_.column(Monitor.view());
      std::string_view base = Monitor.view();
      if (base.starts_with("val_")) base.remove_prefix(4);
      if (col && base == p.metric) {
        std::optional<epoch_table::point> best;
        for (const auto& r : table_.rows()) {
          const double v = r.values[*col];
          if (std::isfinite(v) && is_improvement(v, best ? std::optional(best->value) : std::nullopt, mode_, 0.0))
            best = epoch_table::point{v, r.epoch};
        }
        if (best) {
          g += "<line class=\"best\" x1=\"" + svg_number(X(best->epoch)) + "\" y1=\"" + svg_number(py0) + "\" x2=\"" +
               svg_number(X(best->epoch)) + "\" y2=\"" + svg_number(py1) +
               "\" stroke=\"#2ca02c\" stroke-dasharray=\"4 3\"/>\n";
          g += "<circle class=\"best\" cx=\"" + svg_number(X(best->epoch)) + "\" cy=\"" + svg_number(Y(best->value)) +
               "\" r=\"4\" fill=\"#2ca02c\"/>\n";
          g += "<text x=\"" + svg_number(px1) + "\" y=\"" + svg_number(y0 + 16) + "\" text-anchor=\"end\" fill=\"#2ca02c\">best " +
               detail::svg_escaped(Monitor.view()) + " " + svg_label(best->value) + " at epoch " +
               std::to_string(best->epoch + 1) + "</text>\n";
        }
      }
    }
    g += "</g>\n";
    return g;
  }

  // Where a mark is drawn: a rate change where the logged rate first shows it (a change at an
  // epoch's end is the next epoch's rate; one at its beginning, that epoch's), else its epoch.
  int marked_epoch(const detail::svg_mark& m) const {
    const auto col = table_.column("learning_rate");
    if (m.kind != "rate-changed" || !col) return m.epoch;
    for (const auto& r : table_.rows())
      if (r.epoch >= m.epoch && std::abs(r.values[*col] - m.rate) <= 1e-9 * std::abs(m.rate)) return r.epoch;
    return m.epoch;
  }

  void write() const {
    const std::string svg = draw();
    io::write_atomically(opts_.path, [&](const std::filesystem::path& tmp) { io::detail::write_file(tmp, svg); });
  }

  options opts_;
  cue::mode mode_ = mode::min;
  epoch_table table_;
  std::vector<detail::svg_mark> marks_;
  bool first_end_of_fit_ = true;
};

}  // namespace cue
