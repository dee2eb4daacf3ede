"""PyTorch side of the training benchmark: the same ViT-nano (vit_model.py), the same data, batch, optimizer
and thread count as TrainBenchmark.cs. Prints one JSON line."""
import gzip
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from vit_model import ViT  # beside this script

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 30
threads = int(sys.argv[2]) if len(sys.argv) > 2 else torch.get_num_threads()
device = torch.device(sys.argv[3] if len(sys.argv) > 3 else "cpu")
batch_size = 128
torch.set_num_threads(threads)
torch.manual_seed(0)


def read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


root = "/usr/share/datasets/fashion-mnist/"
images = read_idx(root + "train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
labels = torch.from_numpy(read_idx(root + "train-labels-idx1-ubyte.gz", 8).astype(np.int64))


model = ViT().to(device)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
mean, std = 0.2860, 0.3530
order = torch.randperm(len(labels))


def batch(i):
    index = order[(i * batch_size) % (len(labels) - batch_size):][:batch_size]
    x = (torch.from_numpy(images[index.numpy()]).float() / 255 - mean) / std
    return x.to(device), labels[index].to(device)


def step(i):
    x, y = batch(i)
    optimizer.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


for i in range(5):
    step(i)
start = time.perf_counter()
for i in range(steps):
    step(i)
seconds = time.perf_counter() - start


def peak_rss_mib():
    # VmHWM, as .NET's PeakWorkingSet64 reads it; ru_maxrss would carry over the launching
    # process's peak across exec and overstate Python's by gigabytes.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024


print(json.dumps({
    "samples_per_s": steps * batch_size / seconds,
    "peak_rss_mib": peak_rss_mib(),
    "parameters": sum(p.numel() for p in model.parameters()),
    "threads": threads,
    "device": str(device),
}))
