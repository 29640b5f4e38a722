#!/usr/bin/python3
"""The same training as examples/fashion_mnist.cpp in PyTorch eager (Debian's python3-torch),
for a side-by-side time per epoch: 784 -> Linear 128 -> ReLU -> Linear 10, Adam 1e-3, batch 32,
the last 10% of the training set for validation, shuffled every epoch. Prints seconds per epoch
(training and validation) at each thread count, as PyTorch comes and with denormals flushed to
zero (torch.set_flush_denormal(True), as cue and TensorFlow do), and the best. Not run by CI."""
import argparse
import gzip
import time

import numpy as np
import torch

DIR = "/usr/share/datasets/fashion-mnist"


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--data", default=DIR)
    args = parser.parse_args()

    x = torch.tensor(idx(f"{args.data}/train-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0,
                     dtype=torch.float32)
    y = torch.tensor(idx(f"{args.data}/train-labels-idx1-ubyte.gz").astype(np.int64))
    split = len(y) - len(y) // 10
    x_train, y_train, x_val, y_val = x[:split], y[:split], x[split:], y[split:]

    best = None
    for threads, flush in [(t, f) for t in args.threads for f in (False, True)]:
        torch.set_num_threads(threads)
        torch.set_flush_denormal(flush)
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        loss_fn = torch.nn.CrossEntropyLoss()
        times = []
        for epoch in range(args.epochs):
            start = time.perf_counter()
            model.train()
            order = torch.randperm(split)
            for i in range(0, split, 32):
                idx_b = order[i:i + 32]
                opt.zero_grad()
                loss = loss_fn(model(x_train[idx_b]), y_train[idx_b])
                loss.backward()
                opt.step()
            model.eval()
            with torch.no_grad():
                correct = 0
                for i in range(0, len(y_val), 32):
                    correct += (model(x_val[i:i + 32]).argmax(1) == y_val[i:i + 32]).sum().item()
            times.append(time.perf_counter() - start)
            print(f"threads={threads} flush_denormal={int(flush)} epoch={epoch + 1} seconds={times[-1]:.2f} "
                  f"val_accuracy={correct / len(y_val):.4f}", flush=True)
        per_epoch = min(times)
        print(f"pytorch threads={threads} flush_denormal={int(flush)}: seconds_per_epoch={per_epoch:.2f}")
        best = per_epoch if best is None else min(best, per_epoch)
    print(f"pytorch: best_seconds_per_epoch={best:.2f} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
