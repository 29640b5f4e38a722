#!/usr/bin/python3
"""What a user pays to compile cue, with g++ and clang++ at -O2 -c, each time the fastest of 5:
- each public header included alone (its cost over an empty translation unit), and the standard
  and Boost headers that <cue/cue.hpp> names, alone;
- a whole program: 8 small callbacks fitted on a learner, through <cue/fit.hpp> (or <cue/cue.hpp>,
  also precompiled, with the time to precompile it) against the same callbacks behind a virtual
  base in a hand-written loop (Keras's design in C++, with its logs in a std::map);
- the marginal cost: N callback types delivered two events, for cue and for the virtual design,
  with the template instantiations clang's -ftime-trace counts.
Usage: compile_cost.py INCLUDE_DIR [--only-totals]; prints JSON."""
import json
import pathlib
import subprocess
import sys
import tempfile
import time

COMPILERS = ("g++", "clang++")

# --- the whole program ---------------------------------------------------------------------------
FIT_TU = """#include <{header}>

#include <vector>

struct batch {{ double x; }};
struct learner {{
  double w = 1;
  cue::logs<"loss", "accuracy"> train_step(const batch& b) {{ w -= 0.01 * b.x; return {{w * w, 1 / (1 + w * w)}}; }}
  cue::logs<"loss", "accuracy"> test_step(const batch& b) {{ return {{w * w * b.x, 0.5}}; }}
}};
struct count_batches {{ long n = 0; void on_train_batch_end(auto&) {{ ++n; }} }};
struct best_loss {{ double best = 1e9; void on_epoch_end(auto& ctx) {{ if (cue::get<"val_loss">(ctx.logs()) < best) best = cue::get<"val_loss">(ctx.logs()); }} }};
struct stop_when_low {{ void on_epoch_end(auto& ctx) {{ if (cue::get<"loss">(ctx.logs()) < 1e-3) ctx.request_stop(); }} }};
struct sum_accuracy {{ double sum = 0; void on_epoch_end(auto& ctx) {{ sum += cue::get<"accuracy">(ctx.logs()); }} }};
struct count_epochs {{ int n = 0; void on_epoch_begin(auto&) {{ ++n; }} }};
struct count_tests {{ int n = 0; void on_test_batch_end(auto&) {{ ++n; }} }};
struct note_begin_end {{ int n = 0; void on_train_begin(auto&) {{ ++n; }} void on_train_end(auto&) {{ ++n; }} }};
struct last_batch_loss {{ double v = 0; void on_train_batch_end(auto& ctx) {{ v = cue::get<"loss">(ctx.logs()); }} }};

int main() {{
  learner model;
  std::vector<batch> train(64, batch{{0.5}}), validation(8, batch{{0.25}});
  count_batches a; best_loss b; stop_when_low c; sum_accuracy d; count_epochs e; count_tests f; note_begin_end g;
  last_batch_loss h;
  cue::fit(model, train, validation, {{.epochs = 5, .verbose = 0}}, a, b, c, d, e, f, g, h);
  return static_cast<int>(a.n + e.n + f.n + g.n) + (b.best + d.sum + h.v > 1e9);
}}
"""

VIRTUAL_FIT_TU = """#include <map>
#include <memory>
#include <string>
#include <vector>

using logs = std::map<std::string, double>;
struct callback {
  virtual ~callback() = default;
  virtual void on_train_begin(logs&) {}
  virtual void on_train_end(logs&) {}
  virtual void on_epoch_begin(int, logs&) {}
  virtual void on_epoch_end(int, logs&) {}
  virtual void on_train_batch_begin(int, logs&) {}
  virtual void on_train_batch_end(int, logs&) {}
  virtual void on_test_batch_end(int, logs&) {}
  bool stop = false;
};
struct batch { double x; };
struct learner {
  double w = 1;
  logs train_step(const batch& b) { w -= 0.01 * b.x; return {{"loss", w * w}, {"accuracy", 1 / (1 + w * w)}}; }
  logs test_step(const batch& b) { return {{"loss", w * w * b.x}, {"accuracy", 0.5}}; }
};
struct count_batches final : callback { long n = 0; void on_train_batch_end(int, logs&) override { ++n; } };
struct best_loss final : callback { double best = 1e9; void on_epoch_end(int, logs& l) override { if (l.at("val_loss") < best) best = l.at("val_loss"); } };
struct stop_when_low final : callback { void on_epoch_end(int, logs& l) override { if (l.at("loss") < 1e-3) stop = true; } };
struct sum_accuracy final : callback { double sum = 0; void on_epoch_end(int, logs& l) override { sum += l.at("accuracy"); } };
struct count_epochs final : callback { int n = 0; void on_epoch_begin(int, logs&) override { ++n; } };
struct count_tests final : callback { int n = 0; void on_test_batch_end(int, logs&) override { ++n; } };
struct note_begin_end final : callback { int n = 0; void on_train_begin(logs&) override { ++n; } void on_train_end(logs&) override { ++n; } };
struct last_batch_loss final : callback { double v = 0; void on_train_batch_end(int, logs& l) override { v = l.at("loss"); } };

int main() {
  learner model;
  std::vector<batch> train(64, batch{0.5}), validation(8, batch{0.25});
  std::vector<std::unique_ptr<callback>> cbs;
  auto* a = new count_batches; auto* b = new best_loss; auto* d = new sum_accuracy; auto* e = new count_epochs;
  auto* f = new count_tests; auto* g = new note_begin_end; auto* h = new last_batch_loss;
  for (callback* c : {static_cast<callback*>(a), static_cast<callback*>(b), static_cast<callback*>(new stop_when_low),
                      static_cast<callback*>(d), static_cast<callback*>(e), static_cast<callback*>(f),
                      static_cast<callback*>(g), static_cast<callback*>(h)})
    cbs.emplace_back(c);
  logs none;
  for (auto& c : cbs) c->on_train_begin(none);
  logs epoch_logs;
  for (int epoch = 0; epoch < 5; ++epoch) {
    for (auto& c : cbs) c->on_epoch_begin(epoch, none);
    logs sums;
    int i = 0;
    for (const auto& bt : train) {
      for (auto& c : cbs) c->on_train_batch_begin(i, none);
      logs l = model.train_step(bt);
      for (auto& [k, v] : l) sums[k] += v;
      logs running;
      for (auto& [k, v] : sums) running[k] = v / (i + 1);
      for (auto& c : cbs) c->on_train_batch_end(i, running);
      ++i;
    }
    epoch_logs.clear();
    for (auto& [k, v] : sums) epoch_logs[k] = v / i;
    logs val;
    int j = 0;
    for (const auto& bt : validation) {
      logs l = model.test_step(bt);
      for (auto& [k, v] : l) val[k] += v;
      for (auto& c : cbs) c->on_test_batch_end(j++, l);
    }
    for (auto& [k, v] : val) epoch_logs["val_" + k] = v / j;
    bool stop = false;
    for (auto& c : cbs) c->on_epoch_end(epoch, epoch_logs), stop = stop || c->stop;
    if (stop) break;
  }
  for (auto& c : cbs) c->on_train_end(epoch_logs);
  return static_cast<int>(a->n + e->n + f->n + g->n) + (b->best + d->sum + h->v > 1e9);
}
"""

# --- the marginal cost ---------------------------------------------------------------------------
CUE_TU = """#include <cue/callbacks.hpp>
#include <cue/context.hpp>
{types}
int main() {{
  cue::callbacks<{names}> group;
  cue::run_state state; int learner = 0; cue::logs<"loss"> logs{{0.5}};
  cue::context ctx(state, learner, logs);
  cue::emit(cue::event::epoch_end{{}}, group, ctx);
  cue::emit(cue::event::train_batch_end{{}}, group, ctx);
  return static_cast<int>(group.get<0>().n);
}}
"""
CUE_TYPE = "struct cb{i} {{ long n = 0; void on_epoch_end(auto& ctx) {{ n += ctx.epoch(); }} }};"

VIRTUAL_TU = """#include <memory>
#include <vector>
struct context {{ int epoch = 0; }};
struct callback {{ virtual ~callback() = default; virtual void on_epoch_end(context&) {{}}
                  virtual void on_train_batch_end(context&) {{}} }};
{types}
int main() {{
  std::vector<std::unique_ptr<callback>> list;
{pushes}
  context ctx;
  for (auto& c : list) c->on_epoch_end(ctx);
  for (auto& c : list) c->on_train_batch_end(ctx);
  return static_cast<int>(list.size());
}}
"""
VIRTUAL_TYPE = "struct cb{i} final : callback {{ long n = 0; void on_epoch_end(context& c) override {{ n += c.epoch; }} }};"


def marginal_source(design, n):
    if design == "cue":
        return CUE_TU.format(types="\n".join(CUE_TYPE.format(i=i) for i in range(n)),
                             names=", ".join(f"cb{i}" for i in range(n)))
    return VIRTUAL_TU.format(types="\n".join(VIRTUAL_TYPE.format(i=i) for i in range(n)),
                             pushes="\n".join(f"  list.push_back(std::make_unique<cb{i}>());" for i in range(n)))


def fastest(cmd, runs=5):
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def seconds(compiler, include, text, work, extra=()):
    """The fastest of 5 compilations of `text` (the work is the same; the machine is not)."""
    src = work / "tu.cpp"
    src.write_text(text)
    cmd = [compiler, "-std=c++20", "-O2", f"-I{include}", *extra, "-c", str(src), "-o", str(work / "tu.o")]
    return fastest(cmd)


def standard_headers(include, header="cue/cue.hpp"):
    """The standard (and Boost) headers that `header` and the cue headers it includes name: what it
    would cost with no code of cue's own."""
    deps = subprocess.run(["g++", "-std=c++20", f"-I{include}", "-MM", "-x", "c++", "-"], input=f"#include <{header}>\n",
                          capture_output=True, text=True, check=True).stdout
    own = [pathlib.Path(p) for p in deps.replace("\\\n", " ").split()[1:] if p.startswith(str(include))]
    names = sorted({line.strip() for p in own for line in p.read_text().splitlines()
                    if line.startswith("#include <") and not line.startswith("#include <cue/")})
    return "\n".join(names) + "\n"


def precompiled(compiler, include, work):
    """<cue/cue.hpp> precompiled as CMake's target_precompile_headers does: the seconds to build it
    and the flags that make a compilation use it (and fail if it cannot)."""
    header = work / "cue_pch.hpp"
    header.write_text("#include <cue/cue.hpp>\n")
    built = work / ("cue_pch.hpp.gch" if compiler == "g++" else "cue_pch.pch")
    cmd = [compiler, "-std=c++20", "-O2", f"-I{include}", "-x", "c++-header", str(header), "-o", str(built)]
    best = fastest(cmd)
    uses = (["-include", str(header), "-Winvalid-pch", "-Werror=invalid-pch"] if compiler == "g++"
            else ["-include-pch", str(built)])
    return best, uses


def instantiations(include, text, work):
    src = work / "tu.cpp"
    src.write_text(text)
    # Granularity 0: every instantiation is traced, not only those that take longer than 500 us
    # (the default), so the count does not depend on the machine's speed.
    subprocess.run(["clang++", "-std=c++20", "-O2", f"-I{include}", "-ftime-trace", "-ftime-trace-granularity=0",
                    "-c", str(src), "-o", str(work / "tu.o")], check=True)
    trace = json.loads((work / "tu.json").read_text())
    return sum(1 for e in trace["traceEvents"] if e.get("name") in ("InstantiateClass", "InstantiateFunction"))


# Headers measured alone: the core, the umbrella, each callback and adapter (the optional parts
# need their libraries' flags, and are left to their own targets).
def headers(include):
    cue = include / "cue"
    found = ["cue/fit.hpp", "cue/callbacks.hpp", "cue/cue.hpp"]
    for folder in ("callbacks", "adapters"):
        found += sorted(f"cue/{folder}/{p.name}" for p in (cue / folder).glob("*.hpp"))
    return found


def compiles(compiler, include, header, work):
    src = work / "probe.cpp"
    src.write_text(f"#include <{header}>\n")
    return subprocess.run([compiler, "-std=c++20", f"-I{include}", "-fsyntax-only", str(src)],
                          capture_output=True).returncode == 0


def main():
    include = pathlib.Path(sys.argv[1]).resolve()
    only_totals = "--only-totals" in sys.argv
    out = {"headers": [], "programs": {}, "marginal": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        empty = {c: seconds(c, include, "", work) for c in COMPILERS}
        for c in COMPILERS:
            building, uses = precompiled(c, include, work)
            out["programs"][c] = {
                "fit.hpp": seconds(c, include, FIT_TU.format(header="cue/fit.hpp"), work),
                "cue.hpp": seconds(c, include, FIT_TU.format(header="cue/cue.hpp"), work),
                "cue.hpp precompiled": seconds(c, include, FIT_TU.format(header="cue/cue.hpp"), work, uses),
                "precompiling cue.hpp": building,
                "virtual": seconds(c, include, VIRTUAL_FIT_TU, work),
            }
        if not only_totals:
            for h in headers(include):
                if not all(compiles(c, include, h, work) for c in COMPILERS):
                    continue  # needs an optional library's flags (nlohmann-json, libcurl, ...)
                out["headers"].append({"header": h, **{c: seconds(c, include, f"#include <{h}>\n", work) - empty[c]
                                                        for c in COMPILERS}})
                if h == "cue/cue.hpp":
                    text = standard_headers(include)
                    count = len(text.splitlines())
                    out["headers"].append({"header": f"its {count} standard and Boost headers alone",
                                           **{c: seconds(c, include, text, work) - empty[c] for c in COMPILERS}})
            for n in (1, 4, 16, 64):
                row = {"n": n}
                for design in ("cue", "virtual"):
                    text = marginal_source(design, n)
                    row[design] = {"g++": seconds("g++", include, text, work),
                                   "clang++": seconds("clang++", include, text, work),
                                   "instantiations": instantiations(include, text, work)}
                out["marginal"].append(row)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
