"""Real processes for the several-machines tests: gunicorn app servers, a Celery worker and beat,
all on one PostgreSQL database and one Redis database, each server with its own local cache
folder (as if on its own machine). And a small client of Dash's callback protocol, so a test can
start a background callback on one server and follow it on another, as the browser would."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Proc:
    """One process of the deployment, its output in a log file."""

    def __init__(self, name: str, cmd: list[str], env: dict, workdir: Path):
        self.name, self.cmd, self.env, self.workdir = name, cmd, env, workdir
        self.log = workdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Proc":
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env,
                                         stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: the worker and its pool children, no clean-up."""
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class AppServer(Proc):
    def __init__(self, name: str, env: dict, workdir: Path, workers: int = 1):
        self.port = free_port()
        cache = workdir / f"cache-{name}"
        env = dict(env, CACHE_DIR=str(cache))
        cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b",
               f"127.0.0.1:{self.port}", "--timeout", "120", "wsgi:server"]
        super().__init__(name, cmd, env, workdir)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 90) -> "AppServer":
        wait_for(lambda: _ready(self.base), timeout, f"{self.name} never answered: {self.log}",
                 alive=self)
        return self


def _ready(base: str) -> bool:
    try:
        return requests.get(base + "/api/health/ready", timeout=2).status_code == 200
    except (requests.ConnectionError, requests.Timeout):
        return False


def wait_for(condition, timeout: float, message: str, alive: Proc | None = None, every=0.25):
    """Poll `condition()` until it is truthy (and return it) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if alive is not None and not alive.alive():
            raise AssertionError(f"{alive.name} exited: {alive.text()[-3000:]}")
        time.sleep(every)
    tail = f"\n--- {alive.name}'s log ---\n{alive.text()[-4000:]}" if alive is not None else ""
    raise AssertionError(message + tail)


def sign_in(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = session.post(base + "/login", data={"csrf_token": token, "username": username,
                                                 "password": password}, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    return session


# --- Dash's callback protocol, as the renderer speaks it -------------------------------------------

def dependency(session: requests.Session, base: str, first_output: str) -> dict:
    """The callback whose output list starts with `first_output` ("id.property")."""
    for dep in session.get(base + "/_dash-dependencies").json():
        if dep["output"].lstrip(".").startswith(first_output):
            return dep
    raise AssertionError(f"no callback outputs {first_output}")


def _outputs(dep: dict) -> list[dict]:
    out = dep["output"]
    parts = out[2:-2].split("...") if out.startswith("..") else [out]
    found = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        found.append({"id": ident, "property": prop.split("@")[0]})
    return found


def call(session: requests.Session, base: str, dep: dict, values: dict, changed: str,
         handles: dict | None = None) -> requests.Response:
    """POST one callback: values maps "id.property" to the value of each input and state."""
    def items(kind):
        return [{"id": d["id"], "property": d["property"],
                 "value": values.get(f"{d['id']}.{d['property']}")} for d in dep[kind]]

    body = {"output": dep["output"], "outputs": _outputs(dep), "inputs": items("inputs"),
            "state": items("state"), "changedPropIds": [changed]}
    return session.post(base + "/_dash-update-component", json=body, params=handles or {},
                        timeout=30)
