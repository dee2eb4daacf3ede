"""The ingest API over HTTP (urllib): one call per request, errors as TrackerError or ServerUnreachable."""

import http.client
import json
import socket
import urllib.error
import urllib.parse
import urllib.request


class TrackerError(Exception):
    """The server refused a request; the message is the server's (its ProblemDetails title, detail and field errors)."""

    def __init__(self, message, status=None, problem=None):
        super().__init__(message)
        self.status = status
        self.problem = problem or {}


class ServerUnreachable(Exception):
    """No answer from the server (refused, timed out, or it is restarting: 502/503/504). Worth trying again later."""


def problem_message(status, body):
    """One sentence from a ProblemDetails body: title, detail and each field error."""
    try:
        problem = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return f"HTTP {status}: {body[:500]!r}", {}
    if not isinstance(problem, dict):
        return f"HTTP {status}: {body[:500]!r}", {}
    parts = [str(problem[k]) for k in ("title", "detail") if problem.get(k)]
    for field, messages in (problem.get("errors") or {}).items():
        for message in messages if isinstance(messages, list) else [messages]:
            parts.append(f"{field}: {message}")
    return f"HTTP {status}: " + " ".join(parts), problem


class Api:
    """Calls of one server with one token."""

    def __init__(self, server, token, timeout=30.0):
        if not server:
            raise TrackerError("No server: pass server= or set TRACKER_SERVER (e.g. http://127.0.0.1:5080).")
        self.server = server.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(self, method, path, body=None, raw=None, content_type="application/json"):
        """The decoded JSON answer (None when empty). Raises TrackerError for 4xx/5xx answers, ServerUnreachable when none came."""
        data = raw if raw is not None else (None if body is None else json_bytes(body))
        request = urllib.request.Request(self.server + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            if error.code in (502, 503, 504):
                raise ServerUnreachable(f"HTTP {error.code} from {self.server}") from None
            message, problem = problem_message(error.code, text)
            raise TrackerError(message, error.code, problem) from None
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout, TimeoutError, OSError) as error:
            raise ServerUnreachable(f"{self.server}: {getattr(error, 'reason', error)}") from None
        return json.loads(payload) if payload else None

    def create_run(self, request):
        return self.request("POST", "/api/runs/external", request)

    def send_batch(self, run_id, body_bytes):
        return self.request("POST", f"/api/runs/{run_id}/points", raw=body_bytes)

    def finish(self, run_id, status, error=None):
        body = {"status": status}
        if error:
            body["error"] = error
        return self.request("POST", f"/api/runs/{run_id}/finish", body)

    def attach(self, run_id, name, content):
        return self.request("PUT", f"/api/runs/{run_id}/files/{urllib.parse.quote(name)}", raw=content,
                            content_type="application/octet-stream")

    def run_url(self, run_id):
        return f"{self.server}/runs/{run_id}"


def json_bytes(value):
    """Compact JSON; non-finite floats as the strings the server reads ("NaN", "Infinity", "-Infinity")."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode("utf-8")
