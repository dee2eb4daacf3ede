#!/usr/bin/env python3
"""A plain PyTorch ViT-nano on Fashion-MNIST that logs to Tracker with the Python client (clients/python).

    export TRACKER_SERVER=http://127.0.0.1:5080 TRACKER_TOKEN=trk_...   # a write token from /account/tokens
    PYTHONPATH=clients/python python3 examples/pytorch/train_vit.py --epochs 10 --dropout 0.1 --cutoff-epoch 5

Early dropout (the paper's method): dropout at --dropout for epochs 1..--cutoff-epoch, then none. The config sent to
Tracker uses the run config's field names, so the run is filtered, compared and put in paper tables like a queued one.
Runs on Debian's python3-torch (1.13) and the dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist).
"""

import argparse
import gzip
import os
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import tracker_client as tracker

DATASETS = os.environ.get("TRACKER_DATASETS", "/usr/share/datasets")


def read_idx(path):
    """An idx file (images or labels) as a uint8 tensor."""
    with gzip.open(path, "rb") as file:
        data = file.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def fashion_mnist(split):
    prefix = "train" if split == "train" else "t10k"
    folder = os.path.join(DATASETS, "fashion-mnist")
    images = read_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz")).float().div(255).sub(0.2860).div(0.3530)
    labels = read_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz")).long()
    return images.unsqueeze(1), labels


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio=4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, int(dim * mlp_ratio)), nn.GELU(), nn.Linear(int(dim * mlp_ratio), dim))
        self.drop = nn.Dropout(0.0)

    def forward(self, x):
        y = self.norm1(x)
        x = x + self.drop(self.attn(y, y, y, need_weights=False)[0])
        return x + self.drop(self.mlp(self.norm2(x)))


class VitNano(nn.Module):
    """Tracker's vit-nano: embed 64, depth 6, 4 heads, 4-pixel patches (src/Training/Models/VisionTransformer.cs)."""

    def __init__(self, image=28, patch=4, dim=64, depth=6, heads=4, classes=10):
        super().__init__()
        self.embed = nn.Conv2d(1, dim, patch, stride=patch)
        tokens = (image // patch) ** 2
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.randn(1, tokens + 1, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def set_dropout(self, rate):
        for module in self.modules():
            if isinstance(module, nn.Dropout):
                module.p = rate

    def forward(self, x):
        x = self.embed(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x[:, 0]))


def evaluate(model, images, labels, batch_size=1000):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            logits = model(images[start:start + batch_size])
            target = labels[start:start + batch_size]
            loss += F.cross_entropy(logits, target, reduction="sum").item()
            correct += (logits.argmax(1) == target).sum().item()
    model.train()
    return loss / len(images), 100.0 * correct / len(images)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--steps", type=int, help="stop after this many optimizer steps in all (a smoke test)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=0.05)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--cutoff-epoch", type=int, default=5, help="early dropout: dropout in epochs 1..N only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--project", default="dropout")
    parser.add_argument("--name", help="default: vit-early-s<seed>")
    parser.add_argument("--tag", action="append", default=[], help="e.g. paper:early-basic (repeatable)")
    parser.add_argument("--no-system-metrics", action="store_true")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    train_images, train_labels = fashion_mnist("train")
    test_images, test_labels = fashion_mnist("test")
    if args.steps is not None:  # a smoke test validates on a slice, so it takes seconds
        test_images, test_labels = test_images[:500], test_labels[:500]
    model = VitNano()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)

    # The run config's own field names: Tracker fills its filter and paper-table columns from them.
    config = {
        "model": "vit-nano", "dataset": "fashion-mnist", "epochs": args.epochs, "batchSize": args.batch_size,
        "optimizer": "adamw", "lr": args.lr, "weightDecay": args.weight_decay, "seed": args.seed,
        "dropout": {"rate": args.dropout, "mode": "early", "schedule": "constant", "cutoffEpoch": args.cutoff_epoch},
        "script": {"file": os.path.basename(__file__), "torch": torch.__version__},
    }
    run = tracker.init(project=args.project, name=args.name or f"vit-early-s{args.seed}", config=config, tags=args.tag,
                       system_metrics=not args.no_system_metrics)
    print(f"Logging to {run.url or 'the spool folder (server unreachable)'}")

    step = 0
    started = time.time()
    try:
        for epoch in range(1, args.epochs + 1):
            model.set_dropout(args.dropout if epoch <= args.cutoff_epoch else 0.0)
            order = torch.randperm(len(train_images))
            correct = seen = 0
            for start in range(0, len(order), args.batch_size):
                batch = order[start:start + args.batch_size]
                logits = model(train_images[batch])
                loss = F.cross_entropy(logits, train_labels[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                correct += (logits.argmax(1) == train_labels[batch]).sum().item()
                seen += len(batch)
                run.log({"train/loss": loss.item(), "lr": optimizer.param_groups[0]["lr"]}, step=step, epoch=epoch)
                step += 1
                if args.steps is not None and step >= args.steps:
                    break
            val_loss, val_acc = evaluate(model, test_images, test_labels)
            run.log({"train/acc": 100.0 * correct / seen, "val/loss": val_loss, "val/acc": val_acc,
                     "epoch_seconds": time.time() - started}, step=step - 1, epoch=epoch)
            print(f"epoch {epoch}: val/acc {val_acc:.2f} val/loss {val_loss:.4f}")
            if args.steps is not None and step >= args.steps:
                break
    except BaseException as error:
        run.finish(status="failed", error=repr(error))
        raise
    run.finish()
    print(f"Done: {run.url}")


if __name__ == "__main__":
    main()
