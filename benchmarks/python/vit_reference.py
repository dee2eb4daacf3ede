"""PyTorch side of the training benchmark: the same ViT-nano (timm layout: conv patch embedding,
cls token, learned positions, pre-norm blocks with dropout after the positional embedding, on the
attention map, after the projection, after GELU and after fc2), the same data, batch, optimizer
and thread count as TrainBenchmark.cs. Prints one JSON line."""
import gzip
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

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


class Attention(nn.Module):
    def __init__(self, dim, heads, drop):
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.qkv, self.proj = nn.Linear(dim, dim * 3), nn.Linear(dim, dim)
        self.attn_drop, self.proj_drop = nn.Dropout(drop), nn.Dropout(drop)

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        attn = self.attn_drop((q @ k.transpose(-2, -1) * self.scale).softmax(dim=-1))
        return self.proj_drop(self.proj((attn @ v).transpose(1, 2).reshape(b, n, c)))


class Block(nn.Module):
    def __init__(self, dim, heads, drop):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(dim, eps=1e-6), Attention(dim, heads, drop)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1, self.fc2 = nn.Linear(dim, dim * 4), nn.Linear(dim * 4, dim)
        self.drop1, self.drop2 = nn.Dropout(drop), nn.Dropout(drop)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.drop2(self.fc2(self.drop1(F.gelu(self.fc1(self.norm2(x))))))


class ViT(nn.Module):
    def __init__(self, dim=64, depth=6, heads=4, patch=4, classes=10, drop=0.1):
        super().__init__()
        self.patch = nn.Conv2d(1, dim, patch, patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim).normal_(std=0.02))
        self.pos = nn.Parameter(torch.zeros(1, (28 // patch) ** 2 + 1, dim).normal_(std=0.02))
        self.pos_drop = nn.Dropout(drop)
        self.blocks = nn.Sequential(*[Block(dim, heads, drop) for _ in range(depth)])
        self.norm, self.head = nn.LayerNorm(dim, eps=1e-6), nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1)
        x = self.blocks(self.pos_drop(x + self.pos))
        return self.head(self.norm(x)[:, 0])


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
