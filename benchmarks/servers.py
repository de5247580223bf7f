"""Starting and stopping the servers the benchmark scripts run the portal on."""

import contextlib
import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "portal.example.gov.cn"


def free_ports(count: int) -> list[int]:
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]


def healthz(port: int, timeout: float) -> tuple[str, float]:
    """GET /healthz: the status (or "timed out") and the seconds it took."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz", headers={"Host": HOST})
        status = str(connection.getresponse().status)
    except TimeoutError:
        status = "timed out"
    except OSError as error:
        status = f"failed ({type(error).__name__})"
    finally:
        connection.close()
    return status, time.perf_counter() - start


def wait_until_healthy(port: int, process: subprocess.Popen, logs: list[Path], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if healthz(port, timeout=2)[0] == "200":
            return
        time.sleep(0.3)
    tails = "\n".join(log.read_text()[-3000:] for log in logs if log.exists())
    sys.exit(f"/healthz on port {port} did not answer 200 ({process.args[0]}):\n{tails}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_gunicorn(stack, *, env: dict, port: int, log_path: Path) -> subprocess.Popen:
    """gunicorn on ``portal.wsgi`` with ``env`` (gunicorn.conf.py reads GUNICORN_BIND and
    WEB_CONCURRENCY from it), its output in ``log_path``; stopped when ``stack`` closes, and
    returned once /healthz answers on ``port``."""
    with log_path.open("w") as log:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "portal.wsgi"], cwd=ROOT, env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
    stack.callback(stop, server)
    wait_until_healthy(port, server, [log_path])
    return server
