#!/usr/bin/env python3
"""Reads the SVG of test.callbacks.training_curves's sample run as XML, independently of the
writer: one panel per metric, one polyline per series with a point per measured epoch, x rising
with the epoch, y falling as the value rises, the best epoch marked where val_loss is lowest.
With Chromium's headless shell (CI installs it; CMake passes "none" when it is missing), renders
it to PNG and checks, by decoding the PNG, that the lines were drawn in their colours.
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
assert len(lr) == 6 and points(panels["learning_rate"], "validation") is None
# 0.1, 0.1, 0.1, 0.05, 0.05, 0.05 on a log axis: each halving is the same step down.
assert lr[0][1] == lr[2][1] and lr[3][1] > lr[2][1], lr
best = [c for c in panels["loss"].iter(NS + "circle") if c.get("class") == "best"]
assert len(best) == 1 and float(best[0].get("cx")) == loss_val[1][0], "best marked at epoch 4"
print(f"{svg_path}: 2 panels, loss 6 + 3 points, learning_rate 6 points, best at epoch 4")

chromium = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] != "none" else None
if chromium:
    png = out / "curves.png"
    w, h = int(float(root.get("width"))), int(float(root.get("height")))
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={png}", f"--window-size={w},{h}", svg_path.resolve().as_uri()],
                   check=True, capture_output=True, timeout=120)
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG"), "not a PNG"
    pixels = decode_png(data)
    blue = sum(1 for p in pixels if near(p, (0x1f, 0x77, 0xb4)))
    orange = sum(1 for p in pixels if near(p, (0xff, 0x7f, 0x0e)))
    assert blue > 200 and orange > 100, f"lines not drawn: {blue} blue, {orange} orange pixels"
    print(f"rendered {png}: {blue} training-blue and {orange} validation-orange pixels")
