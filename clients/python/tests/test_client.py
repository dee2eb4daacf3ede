"""The Python client against a real Tracker process.

Run by tests/Web.IntegrationTests (PythonClientTests), which starts the app and sets TRACKER_SERVER and TRACKER_TOKEN
(a write token), and TRACKER_TEST_APP: how to start a private app of the same build (the restart test kills its own).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import uuid
from unittest import mock

import tracker_client as tracker
from tracker_client._http import Api, ServerUnreachable, TrackerError

SERVER = os.environ.get("TRACKER_SERVER")
TOKEN = os.environ.get("TRACKER_TOKEN")
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def metrics_of(server, run_id):
    """{key: [(step, epoch, value), ...]} as the server stored them."""
    answer = Api(server, TOKEN).request("GET", f"/api/runs/{run_id}/metrics")
    return {s["key"]: [(p["step"], p["epoch"], p["value"]) for p in s["points"]] for s in answer["series"]}


def run_of(server, run_id):
    return Api(server, TOKEN).request("GET", f"/api/runs/{run_id}")


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def runs_in(project):
    return Api(SERVER, TOKEN).request("GET", f"/api/runs?project={project}")["items"]


def creates_failing(times, reach_server):
    """Api.create_run whose first ``times`` calls raise ServerUnreachable, after reaching the server when ``reach_server``
    (the run is made, the answer lost), before it otherwise (an outage). Records every request it was given."""
    original = Api.create_run
    calls = []

    def create_run(api, request):
        calls.append(dict(request))
        if len(calls) <= times:
            if reach_server:
                original(api, request)
            raise ServerUnreachable("the answer was lost" if reach_server else "no server")
        return original(api, request)
    return mock.patch.object(Api, "create_run", create_run), calls


@unittest.skipUnless(SERVER and TOKEN, "TRACKER_SERVER and TRACKER_TOKEN name the app under test")
class ClientTests(unittest.TestCase):
    def setUp(self):
        self.spool = tempfile.mkdtemp(prefix="tracker-client-test-")
        self.addCleanup(shutil.rmtree, self.spool, True)

    def test_log_and_finish_store_the_exact_values(self):
        values = [0.1 + 0.2, 1e-300, 123456789.123456789, -2.5e-7, 0.52, float("inf")]
        run = tracker.init(project=unique("client"), name="exact", config={"lr": 1e-3, "dropout": {"rate": 0.1}, "mine": [1, 2]},
                           tags=["client-test"], dir=self.spool, system_interval=0.2)
        for step, value in enumerate(values):
            run.log({"train/loss": value, "lr": 0.001}, step=step)
            time.sleep(0.1)
        run.log({"val/acc": 81.3, "val/loss": 0.49}, step=len(values), epoch=1)
        run.log({"auto": 1.0})  # no step: one more than the last
        run.finish()

        self.assertIsNotNone(run.id)
        self.assertEqual(run.url, f"{SERVER.rstrip('/')}/runs/{run.id}")
        stored = metrics_of(SERVER, run.id)
        self.assertEqual([(s, 0, v if v != float("inf") else "Infinity") for s, v in enumerate(values)], stored["train/loss"])
        self.assertEqual([(len(values), 1, 81.3)], stored["val/acc"])
        self.assertEqual([(len(values) + 1, 0, 1.0)], stored["auto"])
        self.assertIn("sys/rss_mb", stored)  # sampled every 0.2 s here
        detail = run_of(SERVER, run.id)
        self.assertEqual(("succeeded", True, 0.001, ["client-test"]),
                         (detail["status"], detail["loggedByScript"], detail["config"]["lr"], detail["tags"]))
        self.assertEqual([1, 2], detail["scriptConfig"]["mine"])
        self.assertEqual([], os.listdir(self.spool))  # an online run writes no files

    def test_bad_token_raises_with_the_servers_message(self):
        with self.assertRaises(TrackerError) as raised:
            tracker.init(token="trk_not-a-token", name="refused", dir=self.spool, system_metrics=False)
        self.assertEqual(401, raised.exception.status)
        self.assertIn("HTTP 401", str(raised.exception))
        self.assertTrue(raised.exception.problem.get("title"), raised.exception.problem)
        self.assertIn(raised.exception.problem["title"], str(raised.exception))

    def test_bad_batch_raises_with_the_servers_message_and_the_rest_is_kept(self):
        run = tracker.init(project=unique("client"), name="bad-batch", dir=self.spool, system_metrics=False)
        run.log({"k" * 100: 1.0}, step=1)
        deadline = time.monotonic() + 30
        while not run._errors and time.monotonic() < deadline:
            time.sleep(0.05)  # the sender sends it alone (within a second), so the next point goes in another batch
        run.log({"ok": 2.0}, step=2)
        with self.assertRaises(TrackerError) as raised:
            run.finish()
        self.assertEqual(400, raised.exception.status)
        self.assertIn("at most 64 characters", str(raised.exception))
        self.assertIn("points[0].key", str(raised.exception))
        run.finish()  # a second finish is a no-op
        stored = metrics_of(SERVER, run.id)
        self.assertEqual({"ok": [(2, 0, 2.0)]}, stored)
        self.assertEqual("succeeded", run_of(SERVER, run.id)["status"])

    def test_a_create_retried_after_a_lost_answer_makes_one_run(self):
        project = unique("lost-answer")
        patch, calls = creates_failing(1, reach_server=True)
        with patch:
            run = tracker.init(project=project, name="lost-answer", dir=self.spool, system_metrics=False)
            self.assertIsNone(run.id)  # the server made the run, but the client never heard so: it retries in the background
            for step in range(5):
                run.log({"train/loss": step / 10}, step=step)
            run.finish(timeout=30)
        self.assertEqual(2, len(calls))
        self.assertEqual(calls[0]["clientKey"], calls[1]["clientKey"])
        self.assertEqual(36, len(calls[0]["clientKey"]))  # a uuid4 of its own
        self.assertEqual([run.id], [r["id"] for r in runs_in(project)])
        self.assertEqual([(s, 0, s / 10) for s in range(5)], metrics_of(SERVER, run.id)["train/loss"])
        self.assertEqual("succeeded", run_of(SERVER, run.id)["status"])

    def test_the_same_client_key_resumes_a_crashed_scripts_run(self):
        project = unique("resume")
        key = f"my-run-{uuid.uuid4().hex}"
        config = {"lr": 0.1, "seed": 3}
        first = tracker.init(project=project, name="resumed", config=config, client_key=key, dir=self.spool, system_metrics=False)
        for step in range(3):
            first.log({"train/loss": float(step)}, step=step)
        deadline = time.monotonic() + 30
        while len(metrics_of(SERVER, first.id).get("train/loss", [])) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        first._fatal = TrackerError("the script crashed")  # its sender stops; the run is never finished

        # The script starts again with its key while the server is briefly unreachable: the batches it numbers from 1
        # in the meantime must follow the stored ones once the run is found, not be taken for resends.
        patch, calls = creates_failing(2, reach_server=False)
        with patch:
            second = tracker.init(project=project, name="resumed", config=config, client_key=key, dir=self.spool, system_metrics=False)
            for step in range(3, 6):
                second.log({"train/loss": float(step)}, step=step)
            second.finish(timeout=30)
        self.assertGreaterEqual(len(calls), 3)
        self.assertEqual(first.id, second.id)
        self.assertEqual([(s, 0, float(s)) for s in range(6)], metrics_of(SERVER, second.id)["train/loss"])
        self.assertEqual([second.id], [r["id"] for r in runs_in(project)])

        with self.assertRaises(TrackerError) as other_config:
            tracker.init(project=project, name="resumed", config={"lr": 0.2}, client_key=key, dir=self.spool, system_metrics=False)
        self.assertEqual(409, other_config.exception.status)
        self.assertIn("client key", str(other_config.exception))
        with self.assertRaises(TrackerError) as finished:
            tracker.init(project=project, name="resumed", config=config, client_key=key, dir=self.spool, system_metrics=False)
        self.assertIn("has already finished", str(finished.exception))
        self.assertEqual(1, len(runs_in(project)))

    def test_offline_spool_then_sync_uploads_exactly_once(self):
        run = tracker.init(server="http://127.0.0.1:9", token=TOKEN, project=unique("offline"), name="offline-run",
                           config={"epochs": 3}, dir=self.spool, system_metrics=False)
        self.assertIsNone(run.id)
        for step in range(2500):
            run.log({"train/loss": 1.0 / (step + 1), "lr": step * 1e-6}, step=step, epoch=step // 1000)
        run.log({"val/acc": 90.5}, step=2500, epoch=3)
        run.finish(status="succeeded")
        [folder] = os.listdir(self.spool)
        self.assertTrue(os.listdir(os.path.join(self.spool, folder, "batches")))

        env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "clients", "python"))
        first = subprocess.run([sys.executable, "-m", "tracker_client", "sync", self.spool, "--server", SERVER],
                               capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(0, first.returncode, first.stderr + first.stdout)
        self.assertIn("1 run(s) uploaded", first.stdout)
        second = subprocess.run([sys.executable, "-m", "tracker_client", "sync", self.spool, "--server", SERVER],
                                capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(0, second.returncode, second.stderr)
        self.assertIn("0 run(s) uploaded", second.stdout)

        with open(os.path.join(self.spool, folder, "run.json")) as file:
            run_id = json.load(file)["id"]
        stored = metrics_of(SERVER, run_id)
        self.assertEqual([(s, s // 1000, 1.0 / (s + 1)) for s in range(2500)], stored["train/loss"])
        self.assertEqual([(2500, 3, 90.5)], stored["val/acc"])
        detail = run_of(SERVER, run_id)
        self.assertEqual(("succeeded", "offline-run", 3), (detail["status"], detail["name"], detail["config"]["epochs"]))

    def test_the_example_script_logs_a_few_steps(self):
        try:
            import torch  # noqa: F401
        except ImportError:
            self.skipTest("the example needs PyTorch (Debian's python3-torch)")
        project = unique("example")
        env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "clients", "python"), TRACKER_DIR=self.spool)
        result = subprocess.run([sys.executable, os.path.join(REPO, "examples", "pytorch", "train_vit.py"), "--steps", "3",
                                 "--project", project, "--no-system-metrics"],
                                capture_output=True, text=True, env=env, timeout=600)
        self.assertEqual(0, result.returncode, result.stderr + result.stdout)
        runs = Api(SERVER, TOKEN).request("GET", f"/api/runs?project={project}")["items"]
        self.assertEqual(1, len(runs))
        stored = metrics_of(SERVER, runs[0]["id"])
        self.assertEqual([0, 1, 2], [step for step, _, _ in stored["train/loss"]])
        self.assertIn("val/acc", stored)
        self.assertEqual(("succeeded", "vit-nano", "fashion-mnist"), (runs[0]["status"], runs[0]["model"], runs[0]["dataset"]))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateApp:
    """The app of TRACKER_TEST_APP on a fixed port and its own SQLite file, so it can be killed and started again."""

    def __init__(self, spec, folder):
        self.spec = spec
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, **spec["env"], Database__SqlitePath=os.path.join(folder, "tracker.db"),
                        Jobs__RunsDirectory=os.path.join(folder, "runs"), Jobs__Workers="0")
        self.process = None

    def start(self):
        self.process = subprocess.Popen(self.spec["argv"] + ["--urls", self.url], cwd=self.spec["cwd"], env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the private app did not start")

    def kill(self):
        self.process.kill()
        self.process.wait()


@unittest.skipUnless(os.environ.get("TRACKER_TEST_APP"), "TRACKER_TEST_APP says how to start a private app")
class RestartTests(unittest.TestCase):
    def test_a_server_restart_mid_run_loses_nothing(self):
        folder = tempfile.mkdtemp(prefix="tracker-restart-test-")
        self.addCleanup(shutil.rmtree, folder, True)
        app = PrivateApp(json.loads(os.environ["TRACKER_TEST_APP"]), folder)
        app.start()
        self.addCleanup(lambda: app.process.poll() is None and app.kill())
        token = json.loads(os.environ["TRACKER_TEST_APP"])["token"]

        run = tracker.init(server=app.url, token=token, name="restart", dir=os.path.join(folder, "spool"), system_metrics=False)
        for step in range(0, 1000):
            run.log({"train/loss": step * 0.5, "lr": 1.0 / (step + 1)}, step=step)
        time.sleep(2)  # sent and acknowledged
        app.kill()
        for step in range(1000, 2000):
            run.log({"train/loss": step * 0.5, "lr": 1.0 / (step + 1)}, step=step)
        time.sleep(2.5)  # the sender finds the server gone and spools
        self.assertTrue(os.listdir(os.path.join(folder, "spool")))
        app.start()
        for step in range(2000, 3000):
            run.log({"train/loss": step * 0.5, "lr": 1.0 / (step + 1)}, step=step)
        run.finish(timeout=60)

        answer = Api(app.url, token).request("GET", f"/api/runs/{run.id}/metrics")
        stored = {s["key"]: [(p["step"], p["value"]) for p in s["points"]] for s in answer["series"]}
        self.assertEqual([(s, s * 0.5) for s in range(3000)], stored["train/loss"])
        self.assertEqual([(s, 1.0 / (s + 1)) for s in range(3000)], stored["lr"])
        self.assertEqual("succeeded", Api(app.url, token).request("GET", f"/api/runs/{run.id}")["status"])


if __name__ == "__main__":
    unittest.main()
