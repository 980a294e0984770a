"""Real servers for the queue tests and benchmarks: a redis-server (Debian's) on a free loopback
port in a temporary folder, and ``brevgen worker`` processes; each started and stopped here."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is missing: bash scripts/setup.sh --test installs it")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=(self.folder / "redis.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server did not start: {(self.folder / 'redis.log').read_text()[-500:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def queue_env(redis_url: str, store: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""),
            "BREVGEN_BROKER_URL": redis_url,
            "BREVGEN_STORE": str(store),
            "BREVGEN_VISIBILITY_TIMEOUT": "8",
            "BREVGEN_CHUNK_SIZE": "4",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


class Worker:
    """One ``brevgen worker`` process: by default ``-c 1`` with the default prefork pool (one
    pool process makes the letters and dies with the worker); ``pool="solo"`` makes them in
    the worker process itself (the benchmark, which reads that one process's CPU time)."""

    def __init__(self, name: str, env: dict[str, str], folder: Path):
        self.name = name
        self.log = folder / f"{name}.log"
        tmp = folder / f"{name}-tmp"  # a killed worker cannot remove WeasyPrint's font folder
        tmp.mkdir(parents=True, exist_ok=True)
        self.env = {**env, "TMPDIR": str(tmp)}
        self.process: subprocess.Popen | None = None

    def start(self, concurrency: int = 1, pool: str = "prefork") -> Worker:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "brevgen.cli", "worker", "-c", str(concurrency), "--pool", pool, "--hostname", f"{self.name}@%h"],
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
        return self

    def wait_ready(self, timeout: float = 60) -> Worker:
        deadline = time.monotonic() + timeout
        while " ready." not in self.text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {self.name} did not start:\n{self.text()[-3000:]}")
            time.sleep(0.2)
        return self

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # Celery's warm shutdown: finish the task, then stop
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


RABBITMQ_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")


class RabbitServer:
    """Debian's rabbitmq-server as a node of its own: free ports for AMQP, Erlang distribution
    and its own epmd, data and logs in a temporary folder; stopped (epmd too) by stop()."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port, self.dist_port, self.epmd_port = free_port(), free_port(), free_port()
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}//"
        self.process: subprocess.Popen | None = None
        self.env: dict[str, str] = {}

    def start(self, timeout: float = 90) -> RabbitServer:
        if not RABBITMQ_SERVER.exists():
            raise RuntimeError("rabbitmq-server is missing: bash scripts/setup.sh --test installs it")
        home = self.folder / "home"
        home.mkdir(parents=True, exist_ok=True)
        (self.folder / "enabled_plugins").write_text("[].\n")
        (self.folder / "rabbitmq-env.conf").write_text("")
        self.env = {
            **os.environ,
            "HOME": str(home),  # the Erlang cookie goes here
            "RABBITMQ_NODENAME": f"brevgen{self.port}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.folder / "log"),
            "RABBITMQ_LOGS": "-",
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.folder / "rabbitmq"),
            "RABBITMQ_CONF_ENV_FILE": str(self.folder / "rabbitmq-env.conf"),
            "RABBITMQ_PID_FILE": str(self.folder / "pid"),
        }
        self.process = subprocess.Popen([str(RABBITMQ_SERVER)], env=self.env, stdout=(self.folder / "rabbitmq.log").open("wb"), stderr=subprocess.STDOUT)
        from kombu import Connection

        deadline = time.monotonic() + timeout
        while True:
            try:
                with Connection(self.url, connect_timeout=2) as connection:
                    connection.ensure_connection(max_retries=1, timeout=2)
                return self
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"rabbitmq-server did not start: {(self.folder / 'rabbitmq.log').read_text(errors='replace')[-1500:]}") from None
                time.sleep(0.5)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        epmd = shutil.which("epmd")
        if epmd and self.epmd_port:
            # The node started an epmd on our port; it outlives the node unless told to stop.
            subprocess.run([epmd, "-kill"], env={**os.environ, "ERL_EPMD_PORT": str(self.epmd_port)}, capture_output=True, timeout=10)
