"""A sign-in flood against gunicorn: does it tie up the web workers, and does the answer tell
whether a username exists?

    python -m bench.login_flood [--requests 300] [--clients 16] [--gunicorn ARGS]

Migrates a fresh SQLite database in a temporary folder, loads the demo district, starts
gunicorn (default: the Dockerfile's `--worker-class gthread --workers 2 --threads 8`; pass
`--gunicorn "--workers 2"` for two sync workers), then:
1. with no limits, times 20 wrong-password sign-ins of known and of unknown usernames;
2. with the default limits counted in Redis (`--redis`, shared by the workers), sends
   `--requests` wrong-password POST /api/v1/auth/token from `--clients` threads (one address
   and random known usernames, or `--addresses` addresses and a new username each time) while
   a probe GETs /login every 100 ms; prints the answers by status, how long the flood took and
   the probe's median and worst latency.
"""

import argparse
import os
import random
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import requests

DEFAULT_GUNICORN = "--worker-class gthread --workers 2 --threads 8"
USERS = ["worker1", "worker2", "worker3", "dispatcher", "leader", "handler.municipal"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(folder: str) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/bench.db",
           "SECRET_KEY": "bench", "UPLOAD_FOLDER": f"{folder}/uploads"}
    env.pop("REDIS_URL", None)
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "dispatch.cli", *command], env=env, check=True,
                       capture_output=True)
    return env


def sign_in(base: str, username: str, password: str = "wrong",
            address: str | None = None) -> tuple[int, float]:
    start = time.perf_counter()
    headers = {"X-Forwarded-For": address} if address else {}
    r = requests.post(f"{base}/api/v1/auth/token", timeout=60, headers=headers,
                      json={"username": username, "password": password})
    return r.status_code, time.perf_counter() - start


@contextmanager
def serving(env: dict, gunicorn: str):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), *shlex.split(gunicorn),
         "--bind", f"127.0.0.1:{port}", "dispatch:create_app()"],
        env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/healthz", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--gunicorn", default=DEFAULT_GUNICORN)
    parser.add_argument("--addresses", type=int, default=1,
                        help="spread the flood over this many client addresses (a botnet), "
                        "each attempt with a username of its own")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0",
                        help="the limit storage every gunicorn process shares")
    args = parser.parse_args()
    print(f"gunicorn {args.gunicorn}")
    with tempfile.TemporaryDirectory() as folder:
        env = prepare(folder)
        unlimited = {**env, "LOGIN_LIMIT_ACCOUNT": "10000 per minute",
                     "LOGIN_LIMIT_ADDRESS": "10000 per minute"}
        with serving(unlimited, args.gunicorn) as base:
            timing(base)
        limited = {**env, "RATELIMIT_STORAGE_URI": args.redis, "PROXY_COUNT": "1",
                   "RATELIMIT_KEY_PREFIX": f"bench-{uuid.uuid4().hex}"}
        with serving(limited, args.gunicorn) as base:
            flood(base, args)


def timing(base: str) -> None:
    """Known and unknown usernames alternate, so neither gets the warmer caches."""
    known, unknown = [], []
    for i in range(20):
        known.append(sign_in(base, USERS[i % len(USERS)])[1])
        unknown.append(sign_in(base, f"nobody{i}")[1])
    print(f"wrong password (no limits), known username: median "
          f"{statistics.median(known) * 1000:.0f} ms; unknown username: "
          f"{statistics.median(unknown) * 1000:.0f} ms")


def attempt(base: str, args, i: int) -> int:
    if args.addresses == 1:
        return sign_in(base, random.choice(USERS), address="203.0.113.1")[0]
    return sign_in(base, f"guess{i}", address=f"10.{i % args.addresses // 256}."
                   f"{i % args.addresses % 256}.1")[0]


def flood(base: str, args) -> None:
    probes, stop = [], threading.Event()

    def probe():
        while not stop.is_set():
            start = time.perf_counter()
            requests.get(f"{base}/login", timeout=60)
            probes.append(time.perf_counter() - start)
            time.sleep(0.1)

    prober = threading.Thread(target=probe)
    prober.start()
    start = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        answers = list(pool.map(lambda i: attempt(base, args, i), range(args.requests)))
    took = time.perf_counter() - start
    stop.set()
    prober.join()
    print(f"flood: {args.requests} wrong sign-ins from {args.clients} clients, "
          f"{args.addresses} address(es), in {took:.1f} s: "
          f"{dict(Counter(answers))}")
    print(f"GET /login meanwhile: median {statistics.median(probes) * 1000:.0f} ms, "
          f"worst {max(probes) * 1000:.0f} ms ({len(probes)} probes)")


if __name__ == "__main__":
    main()
