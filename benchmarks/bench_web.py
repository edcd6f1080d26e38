"""Web application under load: p50/p95 latency and requests per second on 127.0.0.1.

Builds the Jena demo and the Berlin MSS example (542 Planungsräume) in a temporary folder, publishes every
indicator, starts ``sozialmonitor serve`` in its own process and lets 20 concurrent clients (keep-alive
connections, public requests) fetch

* the atlas data endpoint ``/api/v1/atlas`` (cycling through indicators and years; target p95 ≤ 50 ms),
* the district profile page ``/profil/<level>/<unit>`` (cycling through all units).

Each figure is the median of several runs; the first pass over the parameter sets (cold caches) is reported
separately as "warm-up".
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CLIENTS = 20
REQUESTS_PER_CLIENT = 100
RUNS = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(tmp: Path) -> dict[str, str]:
    from sozialmonitor.db.engine import make_engine, session_scope, upgrade
    from sozialmonitor.demo import JENA
    from sozialmonitor.demo.berlin import build_berlin
    from sozialmonitor.demo.build import build_city
    from sozialmonitor.indicators.catalogue import load_catalogue
    from sozialmonitor.web.service import set_published

    urls = {"Jena": f"sqlite:///{tmp / 'jena.sqlite'}", "Berlin": f"sqlite:///{tmp / 'berlin.sqlite'}"}
    for name, url in urls.items():
        eng = make_engine(url)
        if name == "Jena":
            build_city(JENA, eng)
        else:
            build_berlin(eng)
        upgrade(eng)
        with session_scope(eng) as s:
            set_published(s, list(load_catalogue().indicators), True, "bench")
        eng.dispose()
    return urls


class Server:
    def __init__(self, url: str) -> None:
        self.port = _free_port()
        env = {**os.environ, "SOZIALMONITOR_DEV": "1"}
        cmd = [sys.executable, "-m", "sozialmonitor.cli.main", "serve", "--db", url, "--port", str(self.port)]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = get(self.port, "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"server did not start: {err}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def get(port: int, path: str, conn: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    if conn is None:
        c.close()
    return r.status, body


def load(
    port: int, paths: list[str], clients: int = CLIENTS, per_client: int = REQUESTS_PER_CLIENT
) -> dict[str, float]:
    """``clients`` threads, each with its own keep-alive connection, ``per_client`` requests each."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        start_gate.wait()
        for i in range(per_client):
            path = paths[(offset + i * clients) % len(paths)]
            t0 = time.perf_counter()
            status, _ = get(port, path, conn)
            mine.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(f"{status} {path}")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    q = statistics.quantiles(latencies, n=100)
    return {"p50": q[49] * 1000, "p95": q[94] * 1000, "rps": len(latencies) / elapsed, "n": len(latencies)}


def paths_for(port: int) -> tuple[list[str], list[str]]:
    import json

    levels = json.loads(get(port, "/api/v1/levels")[1])
    level = [lv["key"] for lv in levels if lv["mappable"]][-1]
    units = json.loads(get(port, f"/api/v1/levels/{level}/units")[1])
    indicators = [i for i in json.loads(get(port, "/api/v1/indicators")[1]) if level in i["availability"]]
    atlas = []
    for ind in indicators[:6]:
        a = ind["availability"][level]
        for year in range(a["from"], a["to"] + 1):
            atlas.append(f"/api/v1/atlas?indicator={ind['key']}&level={level}&year={year}")
    profiles = [f"/profil/{level}/{u['key']}" for u in units]
    return atlas, profiles


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        t0 = time.perf_counter()
        urls = build(Path(tmp))
        print(f"Datenbanken aufgebaut / databases built: {time.perf_counter() - t0:.1f} s")
        print(f"{CLIENTS} gleichzeitige Clients, je {REQUESTS_PER_CLIENT} Anfragen, Median aus {RUNS} Läufen")
        for city, url in urls.items():
            server = Server(url)
            try:
                atlas, profiles = paths_for(server.port)
                for label, paths in (
                    ("Atlas-Daten /api/v1/atlas", atlas),
                    ("Steckbrief /profil/…", profiles),
                ):
                    warm = load(server.port, paths, per_client=max(1, len(paths) // CLIENTS + 1))
                    runs = [load(server.port, paths) for _ in range(RUNS)]
                    p50 = statistics.median(r["p50"] for r in runs)
                    p95 = statistics.median(r["p95"] for r in runs)
                    rps = statistics.median(r["rps"] for r in runs)
                    flag = ""
                    if label.startswith("Atlas"):
                        flag = (
                            "  (Ziel / target p95 ≤ 50 ms: "
                            + ("erfüllt / met" if p95 <= 50 else "VERFEHLT / MISSED")
                            + ")"
                        )
                    print(
                        f"{city:7s} {label:28s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {rps:7.0f} Anfragen/s"
                        f"  [Aufwärmen / warm-up p95 {warm['p95']:.0f} ms, {len(paths)} Varianten]{flag}"
                    )
            finally:
                server.stop()


if __name__ == "__main__":
    main()
