"""A run: points buffered by log(), cut into numbered batches, sent in order by a background thread, two in flight."""

import collections
import concurrent.futures
import datetime
import json
import math
import os
import re
import secrets
import sys
import threading
import time
import uuid

from ._http import Api, ServerUnreachable, TrackerError, json_bytes
from ._system import SystemMetrics

#: Points per request: big enough that the per-request cost vanishes, small enough for the server's limit (50,000).
BATCH_POINTS = 10_000
#: How often buffered points are sent when fewer than a batch wait.
FLUSH_SECONDS = 1.0
#: How long finish() waits for an unreachable server before it leaves the run spooled for `sync`.
FINISH_TIMEOUT = 60.0

_STATUSES = ("succeeded", "failed", "cancelled", "diverged")


def _now_iso():
    # Milliseconds and "Z": a third shorter than isoformat()'s default, and JSON size is most of a batch's cost.
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")[:-6] + "Z"


def _number(value):
    """A float, or the string the server reads for a non-finite one."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"metric values are numbers, not {type(value).__name__}")
    number = float(value)  # ints, bools, numpy scalars and 0-d torch tensors
    if math.isfinite(number):
        return number
    return "NaN" if number != number else ("Infinity" if number > 0 else "-Infinity")


class _Batch:
    __slots__ = ("seq", "body", "spooled")

    def __init__(self, seq, body):
        self.seq = seq
        self.body = body
        self.spooled = None


class Run:
    """One run. Made by :func:`init`; ``id`` and ``url`` are None while the server has not been reached."""

    def __init__(self, api, request, spool_root, system_metrics=True, system_interval=10.0,
                 batch_points=BATCH_POINTS, flush_seconds=FLUSH_SECONDS):
        self._api = api
        self._request = request
        self._spool_root = spool_root
        self._spool_dir = None
        self._batch_points = batch_points
        self._flush_seconds = flush_seconds
        self._lock = threading.Condition()
        self._pending = []
        self._batches = collections.deque()
        self._ahead_sender = None
        self._next_seq = 1
        self._auto_step = 0
        self._last_step = 0
        self._errors = []
        self._fatal = None
        self._finishing = False
        self._deadline = None
        self._finished = False
        self.id = None
        self.url = None
        self.offline = False
        try:
            self._created(api.create_run(request))
        except ServerUnreachable as error:
            self.offline = True
            self._spool_meta()
            print(f"tracker: {error}; logging to {self._spool_dir} (upload later: python3 -m tracker_client sync)", file=sys.stderr)
        self._sender = threading.Thread(target=self._send_loop, name="tracker-sender", daemon=True)
        self._sender.start()
        self._system = SystemMetrics(self._log_system, system_interval) if system_metrics else None
        if self._system:
            self._system.start()

    # --- the training loop's side -------------------------------------------------------------

    def log(self, metrics, step=None, epoch=None):
        """Buffers ``metrics`` ({key: number}) at ``step`` (default: one more than the last), returns at once.

        Never waits for the network and never raises for what the server said about earlier batches: finish() does.
        """
        if self._finished:
            raise TrackerError("This run has finished; start another with tracker.init().")
        if self._fatal is not None:
            return  # the server refused the run (finish() raises why); buffering more would only grow memory
        if step is None:
            step = self._auto_step
        step = int(step)
        self._auto_step = step + 1
        self._last_step = max(self._last_step, step)
        stamp = _now_iso()
        points = []
        for key, value in metrics.items():
            if not isinstance(key, str):
                raise TypeError(f"metric keys are strings, not {type(key).__name__}")
            point = {"key": key, "step": step, "value": _number(value), "time": stamp}
            if epoch is not None:
                point["epoch"] = int(epoch)
            points.append(point)
        with self._lock:
            self._pending.extend(points)
            if len(self._pending) >= self._batch_points:
                # Encoded here, while the sender waits for the server's answer to the previous batch: the two overlap.
                self._cut_batches(full_only=True)
                self._lock.notify()

    def attach(self, name, path_or_bytes):
        """Stores a small file with the run (the server's Ingest:MaxFileBytes); waits for the upload."""
        if isinstance(path_or_bytes, bytes):
            content = path_or_bytes
        else:
            with open(path_or_bytes, "rb") as file:
                content = file.read()
        if self.id is None:
            raise TrackerError("The server has not been reached; files are not spooled.")
        self._api.attach(self.id, name, content)

    def finish(self, status="succeeded", error=None, timeout=None):
        """Sends what is buffered, waits until every batch is acknowledged, and records the run's end.

        When the server stays unreachable for ``timeout`` seconds (default 60; a run that never reached the server
        tries once), the run is left in the spool folder for ``python3 -m tracker_client sync``. Raises TrackerError
        when the server refused something (a bad batch, a bad token), with its message, after finishing.
        """
        if status not in _STATUSES:
            raise ValueError(f"status is one of {', '.join(_STATUSES)}")
        if self._finished:
            return
        self._finished = True
        if self._system:
            self._system.stop()
        if timeout is None:
            timeout = 0.0 if self.offline and self.id is None else FINISH_TIMEOUT
        with self._lock:
            self._finishing = True
            self._deadline = time.monotonic() + timeout
            self._lock.notify()
        self._sender.join()
        if self._fatal is None and self.id is not None and not self._batches:
            try:
                self._api.finish(self.id, status, error)
                if self._spool_dir:
                    self._spool_meta(synced=True)
            except ServerUnreachable:
                self._spool_meta(finish={"status": status, "error": error})
        else:
            self._spool_rest()
            self._spool_meta(finish={"status": status, "error": error})
            where = self._spool_dir
            print(f"tracker: the run is spooled in {where}; upload it with: python3 -m tracker_client sync {os.path.dirname(where)}",
                  file=sys.stderr)
        if self._fatal is not None:
            raise self._fatal
        self._raise_pending_error()

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        self.finish(status="succeeded" if kind is None else "failed", error=None if value is None else repr(value))

    # --- the sender thread ----------------------------------------------------------------------

    def _send_loop(self):
        backoff = 0.5
        while True:
            with self._lock:
                if not self._finishing and not self._batches:
                    self._lock.wait(self._flush_seconds)
                self._cut_batches()
                finishing, deadline = self._finishing, self._deadline
            if self._fatal is not None:
                return
            try:
                if self.id is None:
                    self._created(self._api.create_run(self._request))
                    self._spool_meta()
                self._send_batches()
                backoff = 0.5
            except ServerUnreachable:
                self._spool_rest()
                if finishing and time.monotonic() >= deadline:
                    return
                time.sleep(backoff if not finishing else min(backoff, max(0.0, deadline - time.monotonic())))
                backoff = min(backoff * 2, 5.0)
                continue
            except TrackerError as error:
                self._fatal = error
                return
            if finishing:
                with self._lock:
                    if not self._pending and not self._batches:
                        return

    def _cut_batches(self, full_only=False):
        while len(self._pending) >= (self._batch_points if full_only else 1):
            chunk, self._pending = self._pending[:self._batch_points], self._pending[self._batch_points:]
            # One batch may not hold a (key, step) twice (the server refuses it): the last value logged wins.
            unique = list({(p["key"], p["step"]): p for p in chunk}.values())
            self._batches.append(_Batch(self._next_seq, json_bytes({"seq": self._next_seq, "points": unique})))
            self._next_seq += 1

    def _send_batches(self):
        """Sends the queued batches in order, two at a time: the server parses the second while it stores the first."""
        while self._batches:
            first = self._batches[0]
            second = self._batches[1] if len(self._batches) > 1 else None
            ahead = self._ahead().submit(self._post, second) if second is not None else None
            try:
                error = self._post(first)
            finally:
                if ahead is not None:
                    concurrent.futures.wait([ahead])  # never two sends of one batch at once
            if not self._settle(first, error) or ahead is None:
                continue  # a refused first batch is sent again emptied, and the second after it
            if ahead.exception() is not None:
                raise ahead.exception()  # the server went away after the first batch was settled
            error_ahead = ahead.result()
            if error_ahead is not None and error_ahead.status == 409 and not self._acknowledged(second, error_ahead):
                continue  # it came before the first was stored and waited too long (the server's BatchOrder): sent again
            self._settle(second, error_ahead)

    def _ahead(self):
        if self._ahead_sender is None:
            self._ahead_sender = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="tracker-sender-ahead")
        return self._ahead_sender

    def _post(self, batch):
        """Sends one batch; the TrackerError the server answered, or None. ServerUnreachable is raised."""
        try:
            self._api.send_batch(self.id, batch.body)
            return None
        except TrackerError as error:
            return error

    @staticmethod
    def _acknowledged(batch, error):
        """A 409 naming a later batch as expected: the server has this one already (an answer lost on the way)."""
        expected = error.problem.get("expectedSeq") if error.status == 409 else None
        return isinstance(expected, int) and expected > batch.seq

    def _settle(self, batch, error):
        """Takes the server's answer to the first batch in line: True when it is done with (stored), False to send it again."""
        if error is not None:
            if error.status == 400:
                # Nothing of a refused batch is stored; an empty batch keeps its number so the next ones follow.
                self._errors.append(error)
                batch.body = json_bytes({"seq": batch.seq, "points": []})
                return False
            if not self._acknowledged(batch, error):
                raise error
        self._batches.popleft()
        if batch.spooled:
            try:
                os.remove(batch.spooled)
            except OSError:
                pass
        return True

    # --- spooling -------------------------------------------------------------------------------

    def _created(self, created):
        if created.get("status", "running") != "running":
            raise TrackerError(f"Run {created['id']} of the client key {self._request.get('clientKey')!r} has already finished "
                               f"({created['status']}); use another key for a new run.")
        with self._lock:
            # A key named again after a crash (resume) answers the run with its batches so far: ours follow them, not
            # start again at 1 (which the server would take for resends and drop).
            offset = int(created.get("nextSeq", 1)) - 1
            if offset > 0:
                for batch in reversed(self._batches):  # highest first: a spool file is never overwritten before it moved
                    self._renumber(batch, batch.seq + offset)
                self._next_seq += offset
            self.id = created["id"]
        self.url = self._api.run_url(self.id)

    def _renumber(self, batch, seq):
        """Gives a batch cut before the server was reached a new number; its spool file too."""
        body = json.loads(batch.body)
        body["seq"] = seq
        batch.seq, batch.body = seq, json_bytes(body)
        if batch.spooled:
            old, batch.spooled = batch.spooled, os.path.join(os.path.dirname(batch.spooled), f"{seq:09d}.json")
            _write_atomically(batch.spooled, batch.body)
            os.remove(old)

    def _ensure_spool_dir(self):
        if self._spool_dir is None:
            name = re.sub(r"[^A-Za-z0-9._-]+", "-", self._request.get("name") or "run")[:60]
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            self._spool_dir = os.path.join(self._spool_root, f"{stamp}-{name}-{secrets.token_hex(3)}")
            os.makedirs(os.path.join(self._spool_dir, "batches"), exist_ok=True)
        return self._spool_dir

    def _spool_meta(self, finish=None, synced=False):
        if self._spool_dir is None and not self.offline and finish is None:
            return  # nothing spooled yet: an online run writes no files
        folder = self._ensure_spool_dir()
        meta = {"server": self._api.server, "request": self._request, "id": self.id, "finish": finish, "synced": synced}
        _write_atomically(os.path.join(folder, "run.json"), json.dumps(meta, indent=1).encode("utf-8"))

    def _spool_rest(self):
        """Writes every batch not yet on disk (and what is still buffered) to the spool folder."""
        with self._lock:
            self._cut_batches()
            batches = list(self._batches)
        if not batches:
            return
        folder = self._ensure_spool_dir()
        if not os.path.exists(os.path.join(folder, "run.json")):
            self._spool_meta()
        for batch in batches:
            if batch.spooled is None:
                path = os.path.join(folder, "batches", f"{batch.seq:09d}.json")
                _write_atomically(path, batch.body)
                batch.spooled = path

    def _log_system(self, metrics):
        step = self._last_step
        if step == getattr(self, "_system_step", None):
            return  # one sample per training step, or a batch would hold the key twice
        self._system_step = step
        with self._lock:
            stamp = _now_iso()
            self._pending.extend({"key": k, "step": step, "value": _number(v), "time": stamp} for k, v in metrics.items())

    def _raise_pending_error(self):
        if self._fatal is not None:
            raise self._fatal
        if self._errors:
            error = self._errors.pop(0)
            raise error


def _write_atomically(path, content):
    partial = path + ".partial"
    with open(partial, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)


def init(server=None, token=None, project="default", name=None, config=None, tags=None, system_metrics=True, dir=None,
         system_interval=10.0, client_key=None):
    """Starts a run on the server (``TRACKER_SERVER``, ``TRACKER_TOKEN`` when not given) and returns it.

    A server that cannot be reached does not stop the script: the run is spooled to ``dir`` (``TRACKER_DIR``,
    default ``./tracker-runs``). A refused token or a bad name raises TrackerError with the server's message.

    Every try of the create sends one ``client_key`` (a uuid4 unless given; at most 64 characters), so a retry after
    a lost answer gets the run the first try made, not a second one. Pass your own key to resume a script after a
    crash: the same key, name, project and config give the same run, and the new points follow its stored batches;
    the same key with another name, project or config raises TrackerError (409), as does a key whose run finished.
    """
    api = Api(server or os.environ.get("TRACKER_SERVER"), token or os.environ.get("TRACKER_TOKEN"))
    if name is None:
        name = os.path.splitext(os.path.basename(sys.argv[0] or "script"))[0] or "script"
    request = {"name": name, "project": project, "tags": list(tags or []), "config": dict(config or {}),
               "clientKey": str(client_key) if client_key is not None else str(uuid.uuid4())}
    json_bytes(request)  # a config that is not JSON fails here, in the caller's line, not in the background
    spool_root = dir or os.environ.get("TRACKER_DIR") or os.path.join(os.getcwd(), "tracker-runs")
    return Run(api, request, spool_root, system_metrics=system_metrics, system_interval=system_interval)


def sync(folder=None, server=None, token=None, out=sys.stdout):
    """Uploads every spooled run under ``folder`` not uploaded yet; returns how many were uploaded.

    Exactly once: a run made on the server keeps its id in its run.json, batches are numbered (a batch the server
    already has is a no-op), and an uploaded run is marked synced and skipped next time.
    """
    folder = folder or os.environ.get("TRACKER_DIR") or os.path.join(os.getcwd(), "tracker-runs")
    uploaded = 0
    if not os.path.isdir(folder):
        print(f"Nothing to sync: no folder {folder}.", file=out)
        return 0
    for entry in sorted(os.listdir(folder)):
        run_dir = os.path.join(folder, entry)
        meta_path = os.path.join(run_dir, "run.json")
        if not os.path.isfile(meta_path):
            continue
        with open(meta_path, "rb") as file:
            meta = json.loads(file.read())
        if meta.get("synced"):
            continue
        api = Api(server or os.environ.get("TRACKER_SERVER") or meta["server"], token or os.environ.get("TRACKER_TOKEN"))
        if meta.get("id") is None:
            # The request carries the run's client key: a create whose answer was lost (before or now) is not repeated.
            created = api.create_run(meta["request"])
            meta["id"] = created["id"]
            # A resumed key's run already holds batches: the spooled ones, numbered from 1, follow them.
            meta["seqOffset"] = int(created.get("nextSeq", 1)) - 1
            _write_atomically(meta_path, json.dumps(meta, indent=1).encode("utf-8"))
        run_id = meta["id"]
        offset = meta.get("seqOffset", 0)
        batches_dir = os.path.join(run_dir, "batches")
        names = sorted(n for n in os.listdir(batches_dir) if n.endswith(".json")) if os.path.isdir(batches_dir) else []
        for name in names:
            path = os.path.join(batches_dir, name)
            with open(path, "rb") as file:
                body = file.read()
            seq = int(name.split(".")[0]) + offset
            if offset:
                body = json_bytes(dict(json.loads(body), seq=seq))
            try:
                api.send_batch(run_id, body)
            except TrackerError as error:
                if error.status == 400:
                    print(f"{entry}: batch {seq} refused, its points are dropped: {error}", file=out)
                    api.send_batch(run_id, json_bytes({"seq": seq, "points": []}))
                elif not (error.status == 409 and isinstance(error.problem.get("expectedSeq"), int) and error.problem["expectedSeq"] > seq):
                    raise
            os.remove(path)
        if meta.get("finish"):
            try:
                api.finish(run_id, meta["finish"]["status"], meta["finish"].get("error"))
            except TrackerError as error:
                if error.status != 409:
                    raise
        meta["synced"] = True
        _write_atomically(meta_path, json.dumps(meta, indent=1).encode("utf-8"))
        uploaded += 1
        print(f"{entry}: uploaded as {api.run_url(run_id)}", file=out)
    return uploaded
