"""System metrics every few seconds, from /proc and nvidia-smi, standard library only (Linux; elsewhere none)."""

import os
import shutil
import subprocess
import threading


def _cpu_times():
    """(busy, total) jiffies of all CPUs, from the first line of /proc/stat."""
    with open("/proc/stat", "rb") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])
    return total - idle, total


def _rss_mb():
    with open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(b"VmRSS:"):
                return int(line.split()[1]) / 1024.0  # kB
    return None


def _gpus():
    """{index: (utilization %, memory used MiB)} of the GPUs nvidia-smi sees; {} without one."""
    if shutil.which("nvidia-smi") is None:
        return {}
    try:
        output = subprocess.run(
            ["nvidia-smi", "--query-gpu=index,utilization.gpu,memory.used", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=5, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    gpus = {}
    for line in output.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        try:
            gpus[int(parts[0])] = (float(parts[1]), float(parts[2]))
        except (ValueError, IndexError):
            continue
    return gpus


def sample(previous_cpu=None):
    """One sample: ({key: value}, cpu counters for the next one). CPU % covers the time since previous_cpu."""
    metrics = {}
    cpu = None
    if os.path.exists("/proc/stat"):
        cpu = _cpu_times()
        if previous_cpu is not None and cpu[1] > previous_cpu[1]:
            metrics["sys/cpu_percent"] = 100.0 * (cpu[0] - previous_cpu[0]) / (cpu[1] - previous_cpu[1])
        rss = _rss_mb()
        if rss is not None:
            metrics["sys/rss_mb"] = rss
    for index, (utilization, memory) in _gpus().items():
        metrics[f"sys/gpu{index}/util_percent"] = utilization
        metrics[f"sys/gpu{index}/memory_mb"] = memory
    return metrics, cpu


class SystemMetrics:
    """Calls report({key: value}) every `interval` seconds on a daemon thread until stop()."""

    def __init__(self, report, interval=10.0):
        self._report = report
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tracker-system-metrics", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stopped.set()

    def _loop(self):
        _, cpu = sample()
        while not self._stopped.wait(self._interval):
            try:
                metrics, cpu = sample(cpu)
            except OSError:
                continue
            if metrics:
                self._report(metrics)
