"""Slow clients against gunicorn alone and behind nginx with the production proxy settings.

    .venv/bin/python benchmarks/slow_clients.py [--slow 4] [--workers 2] [--timeout 10]

gunicorn's sync workers each read one connection from its first byte to its last, so a few
clients that send part of a request line and then hold still take every worker, and /healthz
waits behind them. The script migrates a temporary SQLite database, starts gunicorn with
production settings (DEBUG=False, gunicorn.conf.py, ``--workers`` sync workers) on a free local
port, and Debian's nginx (``apt-get install nginx``) as the current user on another, with its
own prefix, pid and logs in the temporary directory and a configuration that includes
deploy/nginx/portal-proxy.conf, the proxy settings of the production site (over plain HTTP: there
is no certificate here). It then times GET /healthz with a client timeout of ``--timeout``
seconds, straight to gunicorn and through nginx, first with no slow connection and then while
``--slow`` connections each hold a partial request line, and last how long nginx keeps those
(client_header_timeout). Needs no network; stops everything it started, also on an error.
"""

import argparse
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from servers import HOST, ROOT, free_ports, healthz, start_gunicorn, stop, wait_until_healthy

PROXY_SETTINGS = ROOT / "deploy" / "nginx" / "portal-proxy.conf"
PARTIAL_REQUEST = b"GET /heal"

NGINX_CONF = """\
{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{
    worker_connections 256;
}}
http {{
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    upstream portal_gunicorn {{
        server 127.0.0.1:{gunicorn_port};
    }}
    server {{
        listen 127.0.0.1:{nginx_port};
        include "{proxy_settings}";
        location / {{
            proxy_pass http://portal_gunicorn;
        }}
    }}
}}
"""


@contextlib.contextmanager
def slow_connections(port: int, count: int):
    """``count`` connections that send part of a request line and then hold still; yields them
    and the time they were opened."""
    with contextlib.ExitStack() as stack:
        held = []
        opened = time.monotonic()
        for _ in range(count):
            connection = stack.enter_context(socket.create_connection(("127.0.0.1", port)))
            connection.sendall(PARTIAL_REQUEST)
            held.append(connection)
        time.sleep(1)  # the workers (or nginx) accept them and start reading
        yield held, opened


def closed_after(held: list[socket.socket], since: float, limit: float) -> float | None:
    """Seconds from ``since`` until the server had closed every held connection; None if one was
    still open after ``limit`` seconds."""
    for connection in held:
        remaining = since + limit - time.monotonic()
        if remaining <= 0:
            return None
        connection.settimeout(remaining)
        try:
            while connection.recv(4096):
                pass
        except TimeoutError:
            return None
        except OSError:
            pass  # reset: closed as well
    return time.monotonic() - since


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=4, help="slow connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (WEB_CONCURRENCY)")
    parser.add_argument("--timeout", type=float, default=10, help="client timeout of GET /healthz, seconds")
    args = parser.parse_args()
    # A kill stops the servers as Ctrl-C does: SystemExit unwinds through the ExitStack below.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(f"stopped by signal {signum}"))
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if not nginx:
        sys.exit("nginx is not installed: apt-get install nginx")

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-slow-clients-")))
        gunicorn_port, nginx_port = free_ports(2)
        env = {
            **os.environ, "DEBUG": "False", "SECRET_KEY": "bench-only-" + "x" * 60,
            "ID_NUMBER_KEY": "bench-only-id-number-key-0123456789", "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}", "CACHE_URL": "",
            "TRUSTED_PROXIES": "127.0.0.1", "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "WEB_CONCURRENCY": str(args.workers), "GUNICORN_BIND": f"127.0.0.1:{gunicorn_port}",
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)

        gunicorn_log = tmp / "gunicorn.log"
        server = start_gunicorn(stack, env=env, port=gunicorn_port, log_path=gunicorn_log)

        # Run as root, nginx would hand its workers to "nobody", who cannot enter the temporary
        # directory; they stay with the user who runs the script instead.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
        conf = tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(user=user, tmp=tmp, gunicorn_port=gunicorn_port, nginx_port=nginx_port,
                                          proxy_settings=PROXY_SETTINGS))
        nginx_logs = [tmp / "nginx-stderr.log", tmp / "nginx-error.log"]
        with nginx_logs[0].open("w") as log:
            proxy = subprocess.Popen([nginx, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
                                     stdout=log, stderr=subprocess.STDOUT)
        stack.callback(stop, proxy)
        wait_until_healthy(nginx_port, proxy, nginx_logs)

        version = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr.strip()
        print(f"gunicorn, {args.workers} sync workers; {version}; {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}; client timeout {args.timeout:g} s")
        print(f"{'setup':20} {'slow connections':>16}  {'/healthz':10} {'seconds':>8}")
        for setup, port in (("gunicorn alone", gunicorn_port), ("nginx -> gunicorn", nginx_port)):
            for count in (0, args.slow):
                with slow_connections(port, count) as (held, opened):
                    status, seconds = healthz(port, args.timeout)
                    print(f"{setup:20} {count:16}  {status:10} {seconds:8.3f}", flush=True)
                    if port == nginx_port and held:
                        closed = closed_after(held, opened, limit=120)
                        held_for = f"after {closed:.1f} s" if closed is not None else "not within 120 s"
                        print(f"nginx closed the {count} slow connections {held_for} (client_header_timeout)")
                # Once the slow clients have gone, gunicorn serves again: the next row starts clean.
                wait_until_healthy(gunicorn_port, server, [gunicorn_log])


if __name__ == "__main__":
    main()
