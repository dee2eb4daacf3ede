"""The ViT the Python benchmarks train: Tracker's vit-nano and vit-tiny in PyTorch (timm layout: conv patch
embedding, cls token, learned positions, pre-norm blocks with dropout after the positional embedding, on the
attention map, after the projection, after GELU and after fc2). ViT(64, 6, 4) is vit-nano, ViT(192, 12, 3) vit-tiny."""
import torch
import torch.nn as nn
import torch.nn.functional as F


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
