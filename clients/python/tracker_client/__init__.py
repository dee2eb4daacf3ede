"""Log a training run from your own script into Tracker.

    import tracker_client as tracker
    run = tracker.init(project="dropout", name="vit-early-s0", config={"lr": 1e-3})
    run.log({"train/loss": 0.52, "lr": 0.001}, step=100)
    run.finish()

Pure standard library. Points are batched and sent by a background thread, so ``log`` never waits for the network;
``finish`` waits until every batch is acknowledged. When the server cannot be reached (at ``init`` or later) the run
is spooled to ``TRACKER_DIR`` (default ``./tracker-runs``) and ``python3 -m tracker_client sync`` uploads it later;
batches are numbered, so a batch sent twice is stored once. The run itself is made once too: every try of the create
sends one client key (a uuid4, or ``init(client_key=...)``: the same key again, e.g. after a crash, resumes that run).
"""

from ._run import Run, TrackerError, init, sync

__all__ = ["Run", "TrackerError", "init", "sync"]
__version__ = "0.1.0"
