"""PyTorch side of the GPU benchmark: whole epochs of Fashion-MNIST (training plus validation) with the
same ViT as Tracker's vit-nano / vit-tiny (../python/vit_model.py, dropout 0.1 everywhere the engine puts it), batch
128, AdamW (PyTorch's default implementation for CUDA tensors), the batch built on the host and copied
through pinned memory without blocking, as the engine does. The running loss and accuracy stay on the
device and are read every 50 steps and at the end of the epoch, as the engine reads them: no per-step
host synchronisation on either side. Prints one JSON line per epoch.

usage: vit_epochs.py MODEL EPOCHS eager|compile DATA_DIR"""
import gzip
import json
import os
import sys
import time

import numpy as np

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from vit_model import ViT  # noqa: E402  (the model every Python benchmark trains)

model_name, epochs, mode, root = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].rstrip("/") + "/"
dims = {"vit-nano": (64, 6, 4), "vit-tiny": (192, 12, 3)}[model_name]
device = torch.device("cuda")
batch_size, mean, std = 128, 0.2860, 0.3530
torch.manual_seed(0)


def read_idx(name, offset):
    with gzip.open(root + name, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def split(prefix):
    images = read_idx(prefix + "-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    labels = read_idx(prefix + "-labels-idx1-ubyte.gz", 8).astype(np.int64)
    return images, labels


train_images, train_labels = split("train")
test_images, test_labels = split("t10k")
lookup = ((np.arange(256, dtype=np.float32) / 255 - mean) / std).astype(np.float32)


model = ViT(*dims).to(device)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
forward = torch.compile(model) if mode == "compile" else model


def batches(images, labels, order):
    for first in range(0, len(order), batch_size):
        index = order[first:first + batch_size]
        x = torch.from_numpy(lookup[images[index]]).pin_memory().to(device, non_blocking=True)
        y = torch.from_numpy(labels[index]).pin_memory().to(device, non_blocking=True)
        yield x, y


for epoch in range(1, epochs + 1):
    start = time.perf_counter()
    model.train()
    loss_sum = torch.zeros((), device=device, dtype=torch.float64)
    correct = torch.zeros((), device=device, dtype=torch.int64)
    order = np.random.default_rng(epoch).permutation(len(train_labels))
    for step, (x, y) in enumerate(batches(train_images, train_labels, order), 1):
        optimizer.zero_grad(set_to_none=True)
        logits = forward(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        optimizer.step()
        loss_sum += loss.detach().double() * len(y)
        correct += (logits.detach().argmax(1) == y).sum()
        if step % 50 == 0:
            loss_sum.item()  # the engine reads its totals at every step event
    train_loss = loss_sum.item() / len(order)
    model.eval()
    val_correct = torch.zeros((), device=device, dtype=torch.int64)
    with torch.no_grad():
        for x, y in batches(test_images, test_labels, np.arange(len(test_labels))):
            val_correct += (forward(x).argmax(1) == y).sum()
    val_acc = 100.0 * val_correct.item() / len(test_labels)
    print(json.dumps({"epoch": epoch, "seconds": time.perf_counter() - start, "train_loss": train_loss,
                      "train_acc": 100.0 * correct.item() / len(order), "val_acc": val_acc, "mode": mode,
                      "model": model_name, "torch": torch.__version__}), flush=True)
