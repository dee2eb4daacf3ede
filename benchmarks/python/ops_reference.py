"""PyTorch side of the ops benchmark: the same loops as OpsBenchmark.cs, printed as one JSON line."""
import json
import sys
import time

import torch

iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
threads = int(sys.argv[2]) if len(sys.argv) > 2 else torch.get_num_threads()
torch.set_num_threads(threads)

a = torch.ones(1)
b = torch.ones(1)
for _ in range(min(iterations, 20_000)):
    c = a + b
start = time.perf_counter()
for _ in range(iterations):
    c = a + b
tiny_add_us = (time.perf_counter() - start) / iterations * 1e6

n, repeats = 512, 200
x = torch.randn(n, n)
y = torch.randn(n, n)
for _ in range(10):
    x @ y
start = time.perf_counter()
for _ in range(repeats):
    x @ y
matmul_gflops = 2.0 * n ** 3 * repeats / (time.perf_counter() - start) / 1e9

print(json.dumps({"tiny_add_us": tiny_add_us, "matmul_gflops": matmul_gflops, "torch": torch.__version__, "threads": threads}))
