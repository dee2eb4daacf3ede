"""Prints the GPU benchmark's tables from the logs run.sh wrote (one JSON line per event or epoch)."""
import glob
import json
import os
import sys

logs = sys.argv[1]


def epochs(name):
    """[(seconds, val_acc)] per epoch, from Tracker's epoch events or the PyTorch script's lines."""
    path = os.path.join(logs, name + ".jsonl")
    if not os.path.exists(path):
        return []
    rows = []
    for line in open(path):
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if "epochSeconds" in event:
            rows.append((event["epochSeconds"], event["metrics"].get("val/acc")))
        elif "seconds" in event:
            rows.append((event["seconds"], event.get("val_acc")))
    return rows


def steady(name):
    rows = epochs(name)[1:]  # epoch 1 holds capture and compilation
    return sum(s for s, _ in rows) / len(rows) if rows else None


def execution(name):
    path = os.path.join(logs, name + ".jsonl")
    for line in open(path) if os.path.exists(path) else []:
        if '"execution"' in line:
            return json.loads(line).get("execution")
    return None


def fmt(value, spec="{:.2f}"):
    return spec.format(value) if value is not None else "n/a"


print("\nWhole epochs (training + validation), Fashion-MNIST, batch 128, AdamW, dropout 0.1; seconds per epoch, mean of epochs 2..N")
print(f"{'model':<10} {'Tracker graphs':>15} {'Tracker eager':>14} {'PyTorch eager':>14} {'eager/Tracker':>14} {'torch.compile':>14} {'compile/Tracker':>16} {'analysis cost':>14}")
for model in ("vit-nano", "vit-tiny"):
    graphs, eager = steady(model + "-graphs"), steady(model + "-eager")
    py, compiled = steady(model + "-pytorch-eager"), steady(model + "-pytorch-compile")
    analysed = steady(model + "-graphs-analysis")
    ratio = fmt(py / graphs, "{:.2f}x") if py and graphs else "n/a"
    ratio_c = fmt(compiled / graphs, "{:.2f}x") if compiled and graphs else "n/a"
    cost = fmt(100 * (analysed - graphs) / graphs, "{:+.1f} %") if analysed and graphs else "n/a"
    print(f"{model:<10} {fmt(graphs):>15} {fmt(eager):>14} {fmt(py):>14} {ratio:>14} {fmt(compiled):>14} {ratio_c:>16} {cost:>14}")
print("eager/Tracker = PyTorch eager s/epoch / Tracker (CUDA graphs) s/epoch: goal >= 1.3x; analysis cost: gradient norm and distance from init every 100 steps, goal <= 3 %")

print("\nFinal validation accuracy (sanity: every side learns the same task)")
for name in sorted(os.path.basename(p)[:-6] for p in glob.glob(os.path.join(logs, "vit-*.jsonl"))):
    rows = epochs(name)
    print(f"  {name:<28} {fmt(rows[-1][1] if rows else None)} %   epochs {[round(s, 2) for s, _ in rows]}   {execution(name) or ''}")

print("\nvit-nano runs sharing the GPU (2 epochs of 150 steps + validation each; epoch 2 of every run)")
print(f"{'runs':>5} {'s/epoch each':>13} {'epochs/s, all':>14} {'vs one run':>11}")
single = None
for n in (1, 2, 4, 8):
    seconds = [rows[1][0] for i in range(1, n + 1) if len(rows := epochs(f"shared-{n}-{i}")) > 1]
    if len(seconds) < n:
        print(f"{n:>5} {'n/a':>13}")
        continue
    total = sum(1 / s for s in seconds)
    single = single or total
    print(f"{n:>5} {sum(seconds) / n:>13.2f} {total:>14.2f} {total / single:>10.2f}x")
