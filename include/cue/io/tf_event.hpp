// TensorBoard's Event protos, encoded by hand from their field numbers (no TensorFlow, no
// libprotobuf): the file header, scalars (rank-0 float32 tensors, plugin "scalars"), histograms
// ([k, 3] float64 tensors, plugin "histograms") and a run's hyperparameters (plugin "hparams").
// Fields equal to proto3 defaults are omitted and fields are written in number order, as TF does.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <cue/io/tfrecord.hpp>

namespace cue::io::tf_event {

namespace wire {
enum : int { varint = 0, i64 = 1, len = 2, i32 = 5 };
}

inline void varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
inline void key(std::string& out, int field, int type) { varint(out, static_cast<std::uint64_t>(field << 3 | type)); }
inline void field_varint(std::string& out, int field, std::uint64_t v) {
  key(out, field, wire::varint);
  varint(out, v);
}
inline void field_double(std::string& out, int field, double v) {
  key(out, field, wire::i64);
  io::detail::append_le(out, std::bit_cast<std::uint64_t>(v));
}
inline void field_bytes(std::string& out, int field, std::string_view bytes) {
  key(out, field, wire::len);
  varint(out, bytes.size());
  out += bytes;
}

/// The value types TensorBoard's HParams dashboard shows.
using hparam_value = std::variant<double, std::string, bool>;
/// A run's hyperparameters, in the order given.
using hparams = std::vector<std::pair<std::string, hparam_value>>;

namespace detail {
inline std::string plugin_metadata(std::string_view plugin, std::string_view content = {}) {
  std::string plugin_data;
  field_bytes(plugin_data, 1, plugin);              // PluginData.plugin_name
  if (!content.empty()) field_bytes(plugin_data, 2, content);  // PluginData.content
  std::string metadata;
  field_bytes(metadata, 1, plugin_data);  // SummaryMetadata.plugin_data
  return metadata;
}
// Event{wall_time, step, summary{value{tag, tensor, metadata}}}.
inline std::string summary_event(double wall_time, std::int64_t step, std::string_view tag,
                                 std::string_view tensor, std::string_view metadata) {
  std::string value;
  field_bytes(value, 1, tag);       // Value.tag
  field_bytes(value, 8, tensor);    // Value.tensor
  field_bytes(value, 9, metadata);  // Value.metadata
  std::string summary;
  field_bytes(summary, 1, value);   // Summary.value
  std::string event;
  field_double(event, 1, wall_time);  // Event.wall_time
  if (step != 0) field_varint(event, 2, static_cast<std::uint64_t>(step));  // Event.step
  field_bytes(event, 5, summary);   // Event.summary
  return event;
}
}  // namespace detail

/// The first record of every file: Event{wall_time, file_version "brain.Event:2", source_metadata}.
[[nodiscard]] inline std::string file_header(double wall_time) {
  std::string event;
  field_double(event, 1, wall_time);
  field_bytes(event, 3, "brain.Event:2");
  std::string source;
  field_bytes(source, 1, "cue.tensorboard");  // SourceMetadata.writer
  field_bytes(event, 10, source);
  return event;
}

/// A scalar as tf.summary.scalar writes it: the float32 rounding of `value`, a rank-0 DT_FLOAT
/// tensor (TensorBoard drops double scalars), with the "scalars" plugin on every value.
[[nodiscard]] inline std::string scalar(double wall_time, std::int64_t step, std::string_view tag, double value) {
  std::string tensor;
  field_varint(tensor, 1, 1);  // dtype DT_FLOAT
  field_bytes(tensor, 2, {});  // tensor_shape: rank 0, present and empty
  std::string content;
  io::detail::append_le(content, std::bit_cast<std::uint32_t>(static_cast<float>(value)));
  field_bytes(tensor, 4, content);  // tensor_content
  return detail::summary_event(wall_time, step, tag, tensor, detail::plugin_metadata("scalars"));
}

/// One histogram bucket: [left, right) (the last closed), and its count.
struct bucket {
  double left, right, count;
};

/// TensorBoard's bucketing (tensorboard/plugins/histogram/summary_v2.py): k equal-width buckets
/// from min to max; all values equal: k buckets at that value, the last holding them all; no
/// values: k zero buckets. Only finite values are bucketed; `non_finite`, when given, counts the
/// others (NaN and infinities, which have no bucket: a diverged weight must not index one).
template <class Float>
[[nodiscard]] std::vector<bucket> buckets(std::span<const Float> values, int k = 30, std::size_t* non_finite = nullptr) {
  std::vector<bucket> out(static_cast<std::size_t>(k > 0 ? k : 0), bucket{0, 0, 0});
  std::size_t skipped = 0;
  double lo = 0, hi = 0;
  std::size_t finite = 0;
  for (Float v : values) {
    const double x = static_cast<double>(v);
    if (!std::isfinite(x)) {
      ++skipped;
      continue;
    }
    lo = finite == 0 ? x : std::min(lo, x);
    hi = finite == 0 ? x : std::max(hi, x);
    ++finite;
  }
  if (non_finite) *non_finite = skipped;
  if (finite == 0 || k <= 0) return out;
  if (lo == hi) {
    for (auto& b : out) b = {hi, hi, 0};
    out.back().count = static_cast<double>(finite);
    return out;
  }
  const double width = (hi - lo) / k;  // hi - lo may overflow to infinity: every value then goes to bucket 0 or k-1
  for (Float v : values) {
    const double x = static_cast<double>(v);
    if (!std::isfinite(x)) continue;
    const double at = std::floor((x - lo) / width);  // clamped as a double, before any conversion
    const auto i = static_cast<std::size_t>(std::clamp(std::isfinite(at) ? at : 0.0, 0.0, static_cast<double>(k - 1)));
    out[i].count += 1;
  }
  for (int j = 0; j < k; ++j) {
    out[static_cast<std::size_t>(j)].left = lo + width * j;
    out[static_cast<std::size_t>(j)].right = j + 1 == k ? hi : lo + width * (j + 1);
  }
  return out;
}

/// A histogram as tf.summary.histogram writes it: a [k, 3] DT_DOUBLE tensor of (left, right, count)
/// rows, with the "histograms" plugin.
[[nodiscard]] inline std::string histogram(double wall_time, std::int64_t step, std::string_view tag,
                                           const std::vector<bucket>& rows) {
  std::string tensor;
  field_varint(tensor, 1, 2);  // dtype DT_DOUBLE
  std::string shape, dim_k, dim_3;
  field_varint(dim_k, 1, rows.size());  // Dim.size
  field_varint(dim_3, 1, 3);
  field_bytes(shape, 2, dim_k);  // TensorShapeProto.dim
  field_bytes(shape, 2, dim_3);
  field_bytes(tensor, 2, shape);
  std::string content;
  for (const auto& r : rows)
    for (double v : {r.left, r.right, r.count}) io::detail::append_le(content, std::bit_cast<std::uint64_t>(v));
  field_bytes(tensor, 4, content);
  return detail::summary_event(wall_time, step, tag, tensor, detail::plugin_metadata("histograms"));
}

/// The HParams dashboard's session start: the run's hyperparameters at step 0, with the group
/// name `group` (runs with equal groups are one session group).
[[nodiscard]] inline std::string session_start(double wall_time, const hparams& values, std::string_view group) {
  std::string start;  // SessionStartInfo
  for (const auto& [name, v] : values) {
    std::string value;  // google.protobuf.Value
    if (const auto* d = std::get_if<double>(&v)) field_double(value, 2, *d);
    else if (const auto* s = std::get_if<std::string>(&v)) field_bytes(value, 3, *s);
    else field_varint(value, 4, std::get<bool>(v) ? 1 : 0);
    std::string entry;  // map<string, Value> entry
    field_bytes(entry, 1, name);
    field_bytes(entry, 2, value);
    field_bytes(start, 1, entry);
  }
  field_bytes(start, 4, group);
  field_double(start, 5, wall_time);
  std::string plugin_data;  // HParamsPluginData
  field_bytes(plugin_data, 3, start);
  // NULL_TENSOR: DT_FLOAT of shape [0], as the hparams plugin writes it.
  std::string null_tensor;
  field_varint(null_tensor, 1, 1);
  std::string shape;
  field_bytes(shape, 2, {});  // dim { size: 0 }
  field_bytes(null_tensor, 2, shape);
  return detail::summary_event(wall_time, 0, "_hparams_/session_start_info", null_tensor,
                               detail::plugin_metadata("hparams", plugin_data));
}

}  // namespace cue::io::tf_event
