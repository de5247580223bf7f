"""The estimate API under gunicorn with production settings, driven by wrk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python benchmarks/estimate_api.py

Creates (or reuses) the database `portal_bench_api` next to the one in DATABASE_URL, migrates it,
loads the demo data, starts gunicorn on 127.0.0.1:8765 and runs wrk against
POST /api/v1/benefits/estimate (5 visits with an assistance category) and, in the same run and
with the same gunicorn, against /healthz (one query) as the yardstick. Prints requests/s,
latency percentiles and errors. Needs Debian's `wrk`.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PORT = 8765
DURATION = os.environ.get("BENCH_DURATION", "30s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "32")
BODY = {
    "year": 2022, "region": "370303", "category": "adult", "assistance": "minimum_living",
    "visits": [
        {"kind": "outpatient", "total": "300.00", "policy_range": "260.00"},
        {"kind": "inpatient", "level": 2, "total": "36000.00", "policy_range": "30000.00"},
        {"kind": "chronic", "total": "5200.00", "policy_range": "4800.00"},
        {"kind": "two_diseases", "total": "900.00", "policy_range": "900.00"},
        {"kind": "inpatient", "level": 3, "total": "82000.00", "policy_range": "70000.00"},
    ],
}


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark makes its own database there).")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/portal_bench_api"))


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, **kwargs)


def wrk(url: str, script: Path | None) -> dict:
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url]
    if script:
        cmd[1:1] = ["-s", str(script)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    non_2xx = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = non_2xx + (sum(map(int, socket.groups())) if socket else 0)
    if errors:
        print(out, file=sys.stderr)
    return {"rps": rps, "p50": latency.get("50"), "p99": latency.get("99"), "errors": errors}


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    db_url = bench_database_url()
    admin = urlsplit(db_url)
    subprocess.run(["createdb", "-h", admin.hostname, "-p", str(admin.port or 5432), "-U", admin.username or "postgres",
                    "portal_bench_api"], capture_output=True)
    env = {
        **os.environ, "DATABASE_URL": db_url, "DEBUG": "False", "SECRET_KEY": "bench-" + "x" * 60,
        "ID_NUMBER_KEY": "bench-id-number-key-0123456789", "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False", "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        # wrk is one address sending thousands of requests a minute: this measures the API's
        # cost, not its rate limits.
        "API_RATE_LIMIT": "1000000000", "API_ESTIMATE_RATE_LIMIT": "1000000000",
    }
    python = sys.executable
    run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([python, "manage.py", "load_demo"], env, stdout=subprocess.DEVNULL)
    run([python, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "portal.wsgi", "--access-logfile", "/dev/null"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}/api/v1/benefits/estimate", data=json.dumps(BODY).encode(),
            headers={"Content-Type": "application/json"},
        )
        sample = json.load(urllib.request.urlopen(request))
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
            lua.write(f"wrk.body = {json.dumps(json.dumps(BODY))}\n")
        print(f"gunicorn workers={env['WEB_CONCURRENCY']}, wrk -t2 -c{CONNECTIONS} -d{DURATION}, {os.cpu_count()} cores")
        print(f"sample answer: reimbursed {sample['totals']['reimbursed']} of {sample['totals']['total']}")
        for name, url, script in (
            ("healthz (one query)", f"http://127.0.0.1:{PORT}/healthz", None),
            ("POST /api/v1/benefits/estimate", f"http://127.0.0.1:{PORT}/api/v1/benefits/estimate", Path(lua.name)),
        ):
            result = wrk(url, script)
            print(f"{name:34} {result['rps']:8.0f} req/s  p50 {result['p50']:>8}  p99 {result['p99']:>8}  errors {result['errors']}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
