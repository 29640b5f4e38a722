#!/usr/bin/python3
"""The training of examples/fashion_mnist_mpi.cpp with PyTorch's DistributedDataParallel (gloo,
one thread per process) for a side-by-side time per epoch: 784 -> Linear 128 -> ReLU -> Linear
10, Adam 1e-3, the global batch split between the processes (DistributedSampler's way: a shuffle
per epoch, each rank its stride), the last 10% of the training set for validation, each rank
validating its part. Prints the seconds per epoch of rank 0 (training and validation), best of
the epochs. Usage: pytorch_ddp_fashion_mnist.py --batch-size 64 --processes 2. Not run by CI."""
import argparse
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from pytorch_fashion_mnist import DIR, idx  # the same data, read the same way


def run(rank, size, args, port):
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    dist.init_process_group("gloo", rank=rank, world_size=size)
    torch.set_num_threads(1)
    x = torch.tensor(idx(f"{args.data}/train-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0, dtype=torch.float32)
    y = torch.tensor(idx(f"{args.data}/train-labels-idx1-ubyte.gz").astype(np.int64))
    split = len(y) - len(y) // 10
    x_train, y_train, x_val, y_val = x[:split], y[:split], x[split:], y[split:]
    torch.manual_seed(0)
    model = torch.nn.parallel.DistributedDataParallel(
        torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    local = args.batch_size // size
    times = []
    for epoch in range(args.epochs):
        dist.barrier()
        start = time.perf_counter()
        model.train()
        g = torch.Generator().manual_seed(epoch)
        order = torch.randperm(split, generator=g)
        for i in range(0, split - args.batch_size + 1, args.batch_size):
            part = order[i + rank * local:i + (rank + 1) * local]
            opt.zero_grad()
            loss_fn(model(x_train[part]), y_train[part]).backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            correct = torch.zeros(1)
            for i in range(rank * local, len(y_val), args.batch_size):
                correct += (model(x_val[i:i + local]).argmax(1) == y_val[i:i + local]).sum()
            dist.all_reduce(correct)
        dist.barrier()
        times.append(time.perf_counter() - start)
        if rank == 0:
            print(f"ddp processes={size} batch={args.batch_size} epoch={epoch + 1} seconds={times[-1]:.2f} "
                  f"val_accuracy={correct.item() / len(y_val):.4f}", flush=True)
    if rank == 0:
        print(f"ddp processes={size} batch={args.batch_size}: seconds_per_epoch={min(times):.2f} (torch {torch.__version__})")
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--data", default=DIR)
    args = parser.parse_args()
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(run, args=(args.processes, args, port), nprocs=args.processes, join=True)


if __name__ == "__main__":
    main()
