#!/usr/bin/python3
"""Compile cost against the number of callbacks: a translation unit with N distinct callback types
delivered one event, for cue (callbacks<...> and emit) and for the virtual design (N classes
behind a base). Wall time (median of 3 runs of clang++ -c) and template instantiations
(clang's -ftime-trace, counting InstantiateClass and InstantiateFunction events)."""
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

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


def source(design, n):
    if design == "cue":
        return CUE_TU.format(types="\n".join(CUE_TYPE.format(i=i) for i in range(n)),
                             names=", ".join(f"cb{i}" for i in range(n)))
    return VIRTUAL_TU.format(types="\n".join(VIRTUAL_TYPE.format(i=i) for i in range(n)),
                             pushes="\n".join(f"  list.push_back(std::make_unique<cb{i}>());" for i in range(n)))


def measure(include, design, n, work):
    src = work / f"{design}_{n}.cpp"
    src.write_text(source(design, n))
    cmd = ["clang++", "-std=c++20", "-O2", f"-I{include}", "-c", str(src), "-o", str(work / "x.o")]
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(cmd, check=True)
        times.append(time.perf_counter() - start)
    subprocess.run(cmd + ["-ftime-trace"], check=True)
    trace = json.loads((work / "x.json").read_text())
    inst = sum(1 for e in trace["traceEvents"] if e.get("name") in ("InstantiateClass", "InstantiateFunction"))
    return statistics.median(times), inst


def main():
    include = pathlib.Path(sys.argv[1]).resolve()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        for n in (1, 4, 16, 64):
            row = {"n": n}
            for design in ("cue", "virtual"):
                row[design] = measure(include, design, n, work)
            rows.append(row)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
