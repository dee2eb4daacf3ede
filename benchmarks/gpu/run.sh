#!/usr/bin/env bash
# The GPU benchmark (issue 16, and issue 12's runs-per-GPU table): whole epochs of Fashion-MNIST, training
# plus validation, batch 128, AdamW, dropout 0.1, for vit-nano and vit-tiny, Tracker's engine (CUDA graphs,
# eager, and with the default analysis metrics) beside PyTorch eager and torch.compile on the same GPU in the
# same run; then 1, 2, 4 and 8 vit-nano runs sharing the GPU, as a worker starts them (one process each).
#
# Needs a GPU machine with PyTorch (CUDA), CMake and g++; .NET is optional: without it the engine comes from
# .gpu/tt.tar.xz, made on a machine with .NET by benchmarks/gpu/prepare.sh (see ../shared/GPU.md).
# Data: /usr/share/datasets/fashion-mnist, else the .gz files in .gpu/.
#
# usage: benchmarks/gpu/run.sh [EPOCHS] [BUDGET_SECONDS]
#   EPOCHS (default 3): epoch 1 is warm-up (capture, compilation); the figures are the mean of epochs 2..EPOCHS.
#   BUDGET_SECONDS (default 540): steps that would start after it are skipped, and say so.
# Results: the table on stdout and in $OUT/results.txt (OUT defaults to /tmp/tracker-gpu-bench), logs in $OUT/logs.tar.gz.
set -uo pipefail
cd "$(dirname "$0")/../.."
EPOCHS=${1:-3}
BUDGET=${2:-540}
OUT=${OUT:-/tmp/tracker-gpu-bench}
WORK=$(mktemp -d)
mkdir -p "$OUT" "$WORK/logs"
START=$SECONDS
log() { echo "[$((SECONDS - START)) s] $*" | tee -a "$WORK/logs/progress.txt"; }
left() { echo $((BUDGET - (SECONDS - START))); }

python3 -c 'import torch; assert torch.cuda.is_available(); print("torch", torch.__version__, "on", torch.cuda.get_device_name(0))' \
  | tee -a "$WORK/logs/progress.txt" || { echo "no CUDA PyTorch here" >&2; exit 1; }

# ---- data ----
DATA=/usr/share/datasets/fashion-mnist
if [ ! -f "$DATA/train-images-idx3-ubyte.gz" ]; then
  DATA=$WORK/fashion-mnist && mkdir -p "$DATA" && cp .gpu/*-ubyte.gz "$DATA"/ || { echo "no Fashion-MNIST" >&2; exit 1; }
fi

# ---- the engine: tracker-train plus the shim built against this machine's PyTorch ----
if command -v dotnet >/dev/null; then
  dotnet publish src/Training/Cli -c Release -r linux-x64 --self-contained -o "$WORK/tt" -nologo -v quiet >"$WORK/logs/publish.txt" 2>&1
else
  tar -xJf .gpu/tt.tar.xz -C "$WORK"
fi
rm -f "$WORK/tt/libtracker_torch.so"
PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
NATIVE=$WORK/nb
if ! { cmake -S src/Training/Native -B "$NATIVE" -DCMAKE_PREFIX_PATH="$PREFIX" && cmake --build "$NATIVE" -j "$(nproc)"; } >"$WORK/logs/shim.txt" 2>&1; then
  log "the shim with CUDA graphs did not build (logs/shim.txt); building it without CUDA-only APIs"
  NATIVE=$WORK/nb-portable
  { cmake -S src/Training/Native -B "$NATIVE" -DCMAKE_PREFIX_PATH="$PREFIX" -DTRK_CUDA=OFF && cmake --build "$NATIVE" -j "$(nproc)"; } \
    >"$WORK/logs/shim-portable.txt" 2>&1 || { log "the shim did not build"; tar -czf "$OUT/logs.tar.gz" -C "$WORK" logs; exit 1; }
fi
grep "tracker_torch:" "$WORK/logs/shim.txt" "$WORK/logs/shim-portable.txt" 2>/dev/null | tee -a "$WORK/logs/progress.txt"
log "engine ready"

config() { # MODEL EPOCHS ANALYSIS_EVERY [MAX_STEPS]
  local max=${4:+, \"maxStepsPerEpoch\": $4}
  cat <<JSON
{ "name": "gpu-bench", "model": "$1", "dataset": "fashion-mnist", "datasetPath": "$DATA", "device": "cuda",
  "epochs": $2, "batchSize": 128, "optimizer": "adamw", "lr": 0.001, "weightDecay": 0.05, "seed": 0,
  "dropout": { "rate": 0.1 }, "analysis": { "everySteps": $3 }$max }
JSON
}

tracker() { # NAME MODEL ANALYSIS_EVERY [extra tracker-train args]
  local name=$1 model=$2 every=$3; shift 3
  if [ "$(left)" -lt 20 ]; then log "skipped $name (budget)"; return; fi
  config "$model" "$EPOCHS" "$every" >"$WORK/$name.json"
  log "tracker $name"
  TRACKER_NATIVE_DIR=$NATIVE timeout "$(left)" "$WORK/tt/tracker-train" train --config "$WORK/$name.json" --out "$WORK/runs/$name" \
    --system-metrics-every 0 "$@" >"$WORK/logs/$name.jsonl" 2>"$WORK/logs/$name.err" || log "$name: exit $? ($(tail -c 300 "$WORK/logs/$name.err"))"
}

pytorch() { # NAME MODEL MODE
  if [ "$(left)" -lt 20 ]; then log "skipped $1 (budget)"; return; fi
  log "pytorch $1"
  timeout "$(left)" python3 benchmarks/gpu/vit_epochs.py "$2" "$EPOCHS" "$3" "$DATA" >"$WORK/logs/$1.jsonl" 2>"$WORK/logs/$1.err" \
    || log "$1: exit $? ($(tail -c 300 "$WORK/logs/$1.err"))"
}

# Runs sharing one GPU: N vit-nano processes at once, 2 epochs of 150 steps each (+ validation); aggregate epochs/s.
shared() {
  local n=$1
  if [ "$(left)" -lt 60 ]; then log "skipped $n concurrent runs (budget)"; return; fi
  log "$n concurrent vit-nano runs"
  config vit-nano 2 0 150 >"$WORK/shared.json"
  for i in $(seq 1 "$n"); do
    TRACKER_NATIVE_DIR=$NATIVE timeout "$(left)" "$WORK/tt/tracker-train" train --config "$WORK/shared.json" --out "$WORK/runs/shared-$n-$i" \
      --system-metrics-every 0 >"$WORK/logs/shared-$n-$i.jsonl" 2>"$WORK/logs/shared-$n-$i.err" &
  done
  wait
}

# Most telling first, so a short budget still answers the goals.
tracker vit-nano-graphs vit-nano 0
# Without a working graph path the eager engine is the figure that counts: measure it first then.
grep -q epochSeconds "$WORK/logs/vit-nano-graphs.jsonl" 2>/dev/null || tracker vit-nano-eager vit-nano 0 --no-cuda-graphs
pytorch vit-nano-pytorch-eager vit-nano eager
tracker vit-tiny-graphs vit-tiny 0
pytorch vit-tiny-pytorch-eager vit-tiny eager
tracker vit-nano-graphs-analysis vit-nano 100
tracker vit-tiny-graphs-analysis vit-tiny 100
for n in 1 2 4 8; do shared "$n"; done
pytorch vit-nano-pytorch-compile vit-nano compile
pytorch vit-tiny-pytorch-compile vit-tiny compile
[ -f "$WORK/logs/vit-nano-eager.jsonl" ] || tracker vit-nano-eager vit-nano 0 --no-cuda-graphs
tracker vit-tiny-eager vit-tiny 0 --no-cuda-graphs

python3 benchmarks/gpu/report.py "$WORK/logs" | tee "$OUT/results.txt"
tar -czf "$OUT/logs.tar.gz" -C "$WORK" logs
