#!/usr/bin/env python3
"""Reads the SVG of test.callbacks.training_curves's sample run as XML, independently of the
writer: one panel per metric, one polyline per series with a point per measured epoch, x rising
with the epoch, y falling as the value rises, the best epoch marked where val_loss is lowest.
The tick values are round (a constant step of 1, 2 or 5 times a power of ten; decades or 1-2-5
on the log axis), the learning rate is drawn as steps, the rate changes are marked, and the root
has a viewBox but no fixed size. With Chromium's headless shell (CI installs it; CMake passes
"none" when it is missing), renders it at two window sizes and checks, by decoding each PNG, that
the picture scaled to fit (both panels' frames inside the window), that the lines were drawn in
their colours, and that each tick mark was drawn where its label says.
Usage: training_curves_svg.py TEST_EXE OUT_DIR CHROMIUM|none"""
import os
import pathlib
import struct
import subprocess
import sys
import zlib
import xml.etree.ElementTree as ET

exe, out = sys.argv[1], pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
svg_path = out / "curves.svg"
subprocess.run([exe, "[svg-sample]"], check=True, env={**os.environ, "CUE_SVG_OUT": str(svg_path)})



def decode_png(data):
    """The RGB pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes)."""
    pos, chunks = 8, {}
    while pos < len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        kind = data[pos + 4:pos + 8]
        chunks.setdefault(kind, []).append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"][0])
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(b"".join(chunks[b"IDAT"])), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1: line[i] = (line[i] + a) & 255
            elif kind == 2: line[i] = (line[i] + b) & 255
            elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return [tuple(r[x * bpp:x * bpp + 3]) for r in rows for x in range(width)]


def near(p, rgb):
    return all(abs(a - b) < 40 for a, b in zip(p, rgb))


NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(svg_path).getroot()
assert root.tag == NS + "svg", root.tag
panels = {g.get("data-metric"): g for g in root.iter(NS + "g") if g.get("class") == "panel"}
assert sorted(panels) == ["learning_rate", "loss"], sorted(panels)


def points(panel, cls):
    lines = [p for p in panel.iter(NS + "polyline") if p.get("class") == cls]
    assert len(lines) <= 1, f"{len(lines)} {cls} lines"
    if not lines:
        return None
    return [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]


loss_train, loss_val = points(panels["loss"], "train"), points(panels["loss"], "validation")
assert len(loss_train) == 6, loss_train  # every epoch
assert len(loss_val) == 3, loss_val  # epochs 2, 4, 6 validated
assert all(a[0] < b[0] for a, b in zip(loss_train, loss_train[1:])), "x must rise with the epoch"
assert [x for x, _ in loss_val] == [x for x, _ in loss_train[1::2]], "validation points sit on their epochs"
# val_loss 0.8, 0.5, 0.6: SVG's y grows downwards, so the lowest value has the largest y.
ys = [y for _, y in loss_val]
assert ys[1] > ys[2] > ys[0], ys
lr = points(panels["learning_rate"], "train")
# Steps: a point per epoch, and between two a corner where the rate changes: 6 + 5 points.
assert len(lr) == 11 and points(panels["learning_rate"], "validation") is None, lr
rate_at = lr[::2]  # the epochs' points
assert all(a[0] < b[0] for a, b in zip(rate_at, rate_at[1:])), "a point per epoch, x rising"
best = [c for c in panels["loss"].iter(NS + "circle") if c.get("class") == "best"]
assert len(best) == 1 and float(best[0].get("cx")) == loss_val[1][0], "best marked at epoch 4"
# The rate holds between epochs: each segment is level or upright, never a ramp.
assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(lr, lr[1:])), lr
assert [y for _, y in rate_at] == sorted(y for _, y in rate_at), "halved twice: it steps down"
assert len({y for _, y in rate_at}) == 3, rate_at
marks = [l for l in panels["loss"].iter(NS + "line") if (l.get("class") or "").startswith("mark rate-changed")]
assert len(marks) == 2, "the two rate changes are marked"
steps_x = sorted({a[0] for a, b in zip(lr, lr[1:]) if a[0] == b[0] and a[1] != b[1]})  # where the rate line goes upright
assert sorted(float(m.get("x1")) for m in panels["learning_rate"].iter(NS + "line")
              if (m.get("class") or "").startswith("mark rate-changed")) == steps_x, "each change marked at its step"
assert root.get("viewBox") and root.get("width") is None and root.get("height") is None, root.attrib


def labels(panel, cls):
    return [t for t in panel.iter(NS + "text") if t.get("class") == cls]


def round_step(step):
    mantissa = step / 10 ** __import__("math").floor(__import__("math").log10(step))
    return any(abs(mantissa - m) < 1e-9 for m in (1, 2, 5, 10))


ys = [float(t.text) for t in labels(panels["loss"], "y-label")]
assert 3 <= len(ys) <= 10, ys
steps = {round(b - a, 12) for a, b in zip(ys, ys[1:])}
assert len(steps) == 1 and round_step(abs(steps.pop())), ys
rates = [float(t.text) for t in labels(panels["learning_rate"], "y-label")]
assert len(rates) >= 2 and all(round_step(r) for r in rates), rates  # 1, 2 or 5 times a power of ten
epochs = [t.text for t in labels(panels["loss"], "x-label")]
assert epochs == ["1", "2", "3", "4", "5", "6"], epochs
print(f"{svg_path}: 2 panels, loss 6 + 3 points, learning_rate 6 points as steps, best at epoch 4, "
      f"loss ticks {ys}, rate ticks {rates}, 2 rate changes marked")

chromium = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] != "none" else None
if chromium:
    _, _, vw, vh = map(float, root.get("viewBox").split())

    def frame(panel):  # the plot area's rectangle, in the SVG's units
        r = next(r for r in panel.iter(NS + "rect") if r.get("stroke") == "#999")
        return [float(r.get(k)) for k in ("x", "y", "width", "height")]

    def tick_rows(panel, cls):  # the y of each tick mark drawn left of the frame
        return [float(l.get("y1")) for l in panel.iter(NS + "line") if l.get("class") == "tick" and l.get("x1") != l.get("x2")]

    for w, h in ((900, 600), (1400, 1000)):
        png = out / f"curves-{w}x{h}.png"
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={png}", f"--window-size={w},{h}", svg_path.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG"), "not a PNG"
        pixels = decode_png(data)
        at = lambda x, y: pixels[int(y) * w + int(x)]
        # Scaled to fit, centred (the SVG default, xMidYMid meet).
        scale = min(w / vw, h / vh)
        ox, oy = (w - vw * scale) / 2, (h - vh * scale) / 2
        px = lambda x: ox + x * scale
        py = lambda y: oy + y * scale
        for name, panel in panels.items():
            x, y, fw, fh = frame(panel)
            right = px(x + fw)
            assert right < w, f"{w}x{h}: the {name} panel is cut off at the right ({right:.0f} >= {w})"
            # (The frame's grey, lighter where the scaled line falls between two columns of pixels,
            # or a mark drawn over it: not white.)
            frame_grey = lambda p: min(p) < 235
            grey = sum(1 for yy in range(int(py(y)) + 2, int(py(y + fh)) - 2) if any(
                frame_grey(at(xx, yy)) for xx in (int(right) - 1, int(right), min(w - 1, int(right) + 1))))
            assert grey > 0.8 * fh * scale, f"{w}x{h}: the {name} panel's right edge is not drawn ({grey} px)"
            # Each tick mark is dark where its label's value sits: a run of dark pixels per tick.
            column = int(px(x - 2.5))
            dark = [min(at(column, yy)) < 170 for yy in range(int(py(y)) - 6, int(py(y + fh)) + 6)]
            runs = sum(1 for a, b in zip([False] + dark, dark) if b and not a)
            ticks = len(tick_rows(panel, "tick"))
            assert runs == ticks, f"{w}x{h}: {name}: {runs} tick marks drawn for {ticks} ticks"
        blue = sum(1 for p in pixels if near(p, (0x1f, 0x77, 0xb4)))
        orange = sum(1 for p in pixels if near(p, (0xff, 0x7f, 0x0e)))
        assert blue > 200 and orange > 100, f"lines not drawn: {blue} blue, {orange} orange pixels"
        print(f"rendered {png}: both panels inside the window, every tick mark drawn, {blue} training-blue and "
              f"{orange} validation-orange pixels")
