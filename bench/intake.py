"""Intake throughput under gunicorn on loopback, beside a trivial endpoint of the same app.

Starts its own API (gunicorn, a fresh SQLite file, Redis db 12 unless --redis-url), drives
POST /v1/articles/<id>/comments and GET /healthz from several client processes in one run,
then checks that every accepted comment is in the database. Last line:
intake_rps=<n> p99_ms=<n> bare_rps=<n> ratio=<intake/bare>
"""

import argparse
import http.client
import json
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client_loop(args) -> tuple[list[float], int, int]:
    """One client process: requests back to back until the deadline; (latencies, ok, errors)."""
    port, kind, site_key, deadline, worker_index = args
    latencies, ok, errors, n = [], 0, 0, 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.monotonic() < deadline:
        n += 1
        if kind == "intake":
            # Distinct client addresses and authors, as real readers would be (flood check).
            ip = f"10.{worker_index}.{(n // 250) % 250}.{n % 250 + 1}"
            body = json.dumps(
                {
                    "author_name": f"Reader {n}",
                    "author_email": f"r{worker_index}-{n}@mail.example",
                    "body": f"Comment {worker_index}-{n}: an opinion about the bike lanes.",
                }
            )
            headers = {
                "Content-Type": "application/json",
                "X-Site-Key": site_key,
                "X-Forwarded-For": ip,
            }
            method, path, expect = "POST", f"/v1/articles/bench-{n % 50}/comments", 202
        else:
            body, headers, method, path, expect = None, {}, "GET", "/healthz", 200
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        latencies.append((time.perf_counter() - start) * 1000)
        if status == expect:
            ok += 1
        else:
            errors += 1
    return latencies, ok, errors


def drive(port: int, kind: str, site_key: str, seconds: float, clients: int) -> dict:
    deadline = time.monotonic() + seconds
    with mp.Pool(clients) as pool:
        results = pool.map(
            client_loop, [(port, kind, site_key, deadline, i + 1) for i in range(clients)]
        )
    latencies = sorted(latency for result in results for latency in result[0])
    ok, errors = sum(r[1] for r in results), sum(r[2] for r in results)
    return {
        "ok": ok,
        "errors": errors,
        "rps": ok / seconds,
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0,
    }


def api_cpu_s(server_pid: int) -> float:
    """CPU seconds used so far by the gunicorn master and its workers (Linux /proc)."""
    pids = [server_pid]
    try:
        children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
        pids += [int(pid) for pid in children]
    except OSError:
        return 0.0
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def modctl(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [str(BIN / "modctl"), *args], env=env, check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return json.loads(out[out.index("{") :]) if "{" in out else {}


def fresh_postgres(server_url: str) -> str:
    """Create an empty database for this run on the PostgreSQL server; return its URL."""
    from sqlalchemy import create_engine, text

    name = "moderation_bench"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument(
        "--postgres",
        metavar="SERVER_URL",
        nargs="?",
        const="postgresql://postgres@127.0.0.1:5432/postgres",
        help="use a fresh PostgreSQL database on this server instead of SQLite",
    )
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    data = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    database_url = (
        fresh_postgres(args.postgres) if args.postgres else f"sqlite:///{data / 'bench.db'}"
    )
    env = {
        **os.environ,
        "DATA_DIR": str(data),
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "TRUSTED_PROXIES": "1",
        "LOG_LEVEL": "WARNING",
    }
    flush = f"import redis; redis.Redis.from_url('{args.redis_url}').flushdb()"
    subprocess.run([sys.executable, "-c", flush], check=True)
    modctl(env, "migrate")
    site = modctl(env, "site", "create", "--name", "Bench", "--origin", "https://bench.example")
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "service.wsgi:app",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        drive(port, "bare", "", 2, args.clients)  # warm up every gunicorn worker
        cpu = api_cpu_s(server.pid)
        bare = drive(port, "bare", "", args.seconds, args.clients)
        bare["api_cpu_ms"] = (api_cpu_s(server.pid) - cpu) * 1000 / max(bare["ok"], 1)
        cpu = api_cpu_s(server.pid)
        intake = drive(port, "intake", site["site_key"], args.seconds, args.clients)
        intake["api_cpu_ms"] = (api_cpu_s(server.pid) - cpu) * 1000 / max(intake["ok"], 1)
    finally:
        server.terminate()
        server.wait(timeout=30)

    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM comments")).scalar()
    engine.dispose()
    print(
        f"database: {engine.dialect.name}, gunicorn workers: {args.workers}, "
        f"client processes: {args.clients}, {args.seconds:.0f} s per phase; load average "
        f"before the run {load_before:.2f} (other work on the machine lowers both rates)"
    )
    print("api_cpu_ms: CPU the API processes spent per answered request")
    for name, result in (("bare GET /healthz", bare), ("intake POST comments", intake)):
        print(
            f"{name:22s} ok={result['ok']:6d} errors={result['errors']:4d} "
            f"rps={result['rps']:7.1f} p50_ms={result['p50_ms']:6.2f} "
            f"p99_ms={result['p99_ms']:6.2f} "
            f"api_cpu_ms={result['api_cpu_ms']:.2f}"
        )
    print(
        f"accepted={intake['ok']} stored={stored} lost={intake['ok'] - stored}  "
        f"(targets: intake_rps >= 500, p99_ms <= 50, lost == 0)"
    )
    print(
        f"intake_rps={intake['rps']:.0f} p99_ms={intake['p99_ms']:.1f} "
        f"bare_rps={bare['rps']:.0f} ratio={intake['rps'] / bare['rps']:.2f}"
    )
    if intake["ok"] != stored:
        sys.exit(1)


if __name__ == "__main__":
    main()
