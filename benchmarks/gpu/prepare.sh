#!/usr/bin/env bash
# Prepares .gpu/ for benchmarks/gpu/run.sh on a GPU machine without .NET: the self-contained tracker-train
# (without the shim, which run.sh builds there against that machine's PyTorch) and Fashion-MNIST.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .gpu
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo /.gpu/ >> "$(git rev-parse --git-common-dir)/info/exclude"
rm -rf /tmp/tt
dotnet publish src/Training/Cli -c Release -r linux-x64 --self-contained -o /tmp/tt -nologo -v quiet
rm -f /tmp/tt/libtracker_torch.so
tar -cJf .gpu/tt.tar.xz -C /tmp tt
cp /usr/share/datasets/fashion-mnist/*-ubyte.gz .gpu/
du -sh .gpu
