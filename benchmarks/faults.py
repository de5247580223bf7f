"""Faults injected while the portal serves: Redis stopped, Redis frozen, and the application's
database connections killed while clerks post payments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/faults.py [--payments 120] [--workers 2]

``DATABASE_URL`` names the server: the script drops and recreates its own database
``portal_faults``, migrates it, loads the demo and registers ``--payments`` residents of
车站街道 for 2022, unpaid (``import_enrollees``). It starts a private ``redis-server`` on a free
port (nothing kept on disk) and gunicorn with production settings on both, signs in the demo
clerk (password and authenticator code), and then:

1. **Redis stopped**: /healthz, the premium page, a lookup, an officer's sign-in and the
   clerk's station pages must answer 200 (/healthz with ``"cache": "down"``), and the lookup's
   limit must still refuse: a 429 within 5 tries per worker from one address.
2. **Redis frozen** (``SIGSTOP``): the same pages must each answer within 2 s.
3. **Database connections killed**: every 50 ms another connection terminates the web
   workers' connections while the clerk pays each enrollment, as a clerk would: the form's
   token, and after anything but the receipt a look at the record and, if unpaid, the same form
   again. There must be one payment and one notification per enrollment, and no error page for
   a payment that was recorded.

Prints a line per check and exits 1 if one fails. Needs no network; stops everything it
started, also on an error.
"""

import argparse
import contextlib
import csv
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

from servers import HOST, ROOT, free_ports, start_gunicorn, stop

sys.path.insert(0, str(ROOT))
from portal.privacy.id_numbers import make_id_number  # noqa: E402  (pure functions, no Django)

DATABASE = "portal_faults"
WEB_APPLICATION_NAME = "portal-faults-web"
CHEZHAN_VILLAGE = "370303001002"
DEMO_PASSWORD = "portal-demo-2022"  # portal/network/demo.py
DEMO_TOTP_KEY = "48656c6c6f21deadbeef48656c6c6f21deadbeef"
WANG = {"name": "王秀兰", "id_number": "370303195203151223"}
FAILURES: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
    if not ok:
        FAILURES.append(what)


def totp(key_hex: str) -> str:
    """The authenticator's current code (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Browser:
    """A browser's cookies and forms over urllib, as if behind the TLS proxy (X-Forwarded-Proto:
    the production cookies are Secure, so the cookies are kept here rather than in a cookie jar
    that would keep them from plain HTTP). Redirects are not followed: each answer is seen as
    the browser first gets it."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, port: int, address: str = "127.0.0.1"):
        self.base = f"http://127.0.0.1:{port}"
        self.address = address
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(self._NoRedirect)

    def request(self, path: str, data: dict | None = None, timeout: float = 30) -> tuple[int, str, str, float]:
        """(status, body, Location, seconds); status 0 when it timed out or the connection failed."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Host": HOST, "X-Forwarded-For": self.address, "X-Forwarded-Proto": "https",
                   "Referer": f"https://{HOST}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        started = time.perf_counter()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body, headers=headers),
                                  timeout=timeout) as response:
                status, text, reply = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            status, text, reply = error.code, error.read().decode(errors="replace"), error.headers
        except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
            return 0, repr(error), "", time.perf_counter() - started
        for cookie in reply.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return status, text, reply.get("Location", ""), time.perf_counter() - started

    def get(self, path: str, **kwargs):
        return self.request(path, **kwargs)

    def post_form(self, page: str, path: str, data: dict, **kwargs):
        """Open ``page``, then post ``data`` with its CSRF token to ``path``."""
        status, html, _, _ = self.get(page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if token is None:
            return status, html, "", 0.0
        return self.request(path, {"csrfmiddlewaretoken": token.group(1), **data}, **kwargs)

    def sign_in(self, username: str) -> str | None:
        """Password, then the authenticator's code; None when signed in, else what went wrong."""
        status, body, location, _ = self.post_form("/accounts/login/", "/accounts/login/",
                                                   {"username": username, "password": DEMO_PASSWORD})
        if status != 302:
            return f"password step answered {status}: {body[:300]}"
        status, body, location, _ = self.post_form("/accounts/login/code/", "/accounts/login/code/",
                                                   {"code": totp(DEMO_TOTP_KEY)})
        if status != 302 or "/accounts/login" in location:
            return f"code step answered {status} {location}: {body[:300]}"
        return None


def pages(resident: Browser, clerk: Browser, officer: Browser | None) -> list[tuple[str, tuple]]:
    """The pages of check 1 and 2, each answered once: (what, (status, body, Location, seconds))."""
    answers = [
        ("GET /healthz", resident.get("/healthz")),
        ("GET /premium/", resident.get(f"/premium/?region={CHEZHAN_VILLAGE}&category=adult")),
        ("POST /lookup/", resident.post_form("/lookup/", "/lookup/", WANG)),
        ("GET /station/", clerk.get("/station/")),
        ("GET /station/residents/?q=王秀兰", clerk.get("/station/residents/?q=" + urllib.parse.quote("王秀兰"))),
        ("GET /station/follow-up/", clerk.get("/station/follow-up/")),
    ]
    if officer is not None:
        refused = officer.sign_in("officer")
        answers.append(("officer sign-in and GET /admin/", officer.get("/admin/") if refused is None
                         else (0, refused, "", 0)))
    return answers


def payments_under_killed_connections(port: int, clerk: Browser, database_url: str, count: int) -> None:
    ids = _django(database_url, "from enrollment.models import Enrollment; import json; print(json.dumps(list("
                  "Enrollment.objects.filter(year=2022, resident__name__startswith='故障', payments__isnull=True)"
                  ".values_list('pk', flat=True))))")
    enrollment_ids = json.loads(ids)[:count]
    stop_killing = threading.Event()
    kills = [0]

    def killer():
        sql = ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
               f"WHERE datname = '{DATABASE}' AND application_name = '{WEB_APPLICATION_NAME}'")
        while not stop_killing.is_set():
            result = subprocess.run(["psql", _server_url(database_url), "-tAc", sql], capture_output=True, text=True)
            kills[0] += int(result.stdout.strip() or 0)
            time.sleep(0.05)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    errors_after_recorded, error_pages, resubmits = 0, 0, 0
    started = time.perf_counter()
    try:
        for pk in enrollment_ids:
            page = f"/station/enrollments/{pk}/"
            status, html, _, _ = clerk.get(page)
            while status != 200:  # the page itself failed: open it again, as a clerk would
                status, html, _, _ = clerk.get(page)
            token = re.search(r'name="token" value="([^"]+)"', html).group(1)
            amount = re.search(r'name="amount" value="([^"]+)"', html).group(1)
            for _ in range(20):
                status, body, location, _ = clerk.post_form(page, f"{page}pay/",
                                                            {"amount": amount, "method": "cash", "token": token})
                if status == 302 and "/receipt/" in location:
                    break
                error_pages += 1
                paid = _paid(clerk, page)
                if paid:
                    errors_after_recorded += 1  # told of an error for a payment that was recorded
                    break
                resubmits += 1
    finally:
        stop_killing.set()
        thread.join()
    seconds = time.perf_counter() - started
    counts = json.loads(_django(database_url, (
        "from enrollment.models import Payment; from django.db.models import Count; import json; "
        "rows = Payment.objects.filter(enrollment__resident__name__startswith='故障').values('enrollment')"
        ".annotate(n=Count('pk')); print(json.dumps({'payments': sum(r['n'] for r in rows), "
        "'enrollments_paid': len(rows), 'doubled': sum(r['n'] > 1 for r in rows)}))"
    )))
    print(f"  {len(enrollment_ids)} enrollments paid in {seconds:.1f} s while {kills[0]} web connections were "
          f"killed; {error_pages} error answers, {resubmits} resubmissions of the same form")
    check(counts["payments"] == counts["enrollments_paid"] == len(enrollment_ids) and counts["doubled"] == 0,
          f"one payment per enrollment: {counts}")
    notified = _notifications(database_url)
    check(notified == len(enrollment_ids), f"one notification per payment: {notified}")
    check(errors_after_recorded == 0, f"no error page after a recorded payment: {errors_after_recorded}")


def _paid(clerk: Browser, page: str) -> bool:
    for _ in range(20):
        status, html, _, _ = clerk.get(page)
        if status == 200:
            return "打印缴费凭证" in html
    raise RuntimeError(f"{page} did not open")


def _notifications(database_url: str) -> int:
    path = Path(os.environ["FAULTS_NOTIFICATIONS"])
    return sum("故" in line and "payment_recorded" in line for line in path.read_text().splitlines()) \
        if path.exists() else 0


def _server_url(database_url: str) -> str:
    parts = urllib.parse.urlsplit(database_url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))


def _database_url(database_url: str, application_name: str | None = None) -> str:
    parts = urllib.parse.urlsplit(database_url)
    query = urllib.parse.urlencode({"application_name": application_name}) if application_name else ""
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"/{DATABASE}", query, ""))


def _environment(database_url: str, cache_url: str, tmp: Path, workers: int, port: int,
                 application_name: str | None = None) -> dict:
    return {
        **os.environ, "DEBUG": "False", "SECRET_KEY": "bench-only-" + "x" * 60,
        "ID_NUMBER_KEY": "bench-only-id-number-key-0123456789", "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": _database_url(database_url, application_name), "CACHE_URL": cache_url,
        "TRUSTED_PROXIES": "127.0.0.1", "FORWARDED_ALLOW_IPS": "127.0.0.1", "SECURE_SSL_REDIRECT": "False",
        "WEB_CONCURRENCY": str(workers), "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PRIVATE_STORAGE_ROOT": str(tmp / "private"),
        "NOTIFICATION_BACKEND": "portal.shared.notifications.FileBackend",
        "NOTIFICATION_FILE_PATH": os.environ["FAULTS_NOTIFICATIONS"],
        # The portal's settings, with static files collected into the temporary directory.
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings", "BENCH_STATIC_ROOT": str(tmp / "static"),
    }


def _django(database_url: str, code: str) -> str:
    env = {**os.environ, "DATABASE_URL": _database_url(database_url), "CACHE_URL": ""}
    output = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True).stdout
    return output.strip().splitlines()[-1]  # what the code printed last, after any start-up lines


def prepare_database(database_url: str, payments: int, tmp: Path) -> None:
    server = _server_url(database_url)
    subprocess.run(["psql", server, "-qc", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"], check=True)
    subprocess.run(["psql", server, "-qc", f"CREATE DATABASE {DATABASE}"], check=True)
    env = {**os.environ, "DATABASE_URL": _database_url(database_url), "CACHE_URL": ""}
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    roll = tmp / "roll.csv"
    with roll.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["身份证号", "姓名", "联系电话", "村社区代码", "参保类别"])
        for n in range(payments):
            number = make_id_number("370303", date(1960 + n // 300, 1 + n % 12, 1 + n % 28), 100 + n % 300)
            writer.writerow([number, f"故障{n:04d}", "13905330000", CHEZHAN_VILLAGE, "成年居民"])
    subprocess.run([sys.executable, "manage.py", "import_enrollees", str(roll), "--year", "2022", "--user",
                    "clerk_chezhan", "--date", "2021-10-15"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=120, help="enrollments paid under killed connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (WEB_CONCURRENCY)")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres")
    redis_server = shutil.which("redis-server")
    if not redis_server:
        sys.exit("redis-server is not installed: apt-get install redis-server")
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(f"stopped by signal {signum}"))

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-faults-")))
        os.environ["FAULTS_NOTIFICATIONS"] = str(tmp / "notifications.jsonl")
        web_port, redis_port = free_ports(2)
        print(f"preparing {DATABASE}: migrate, demo, {args.payments} unpaid enrollments", flush=True)
        prepare_database(database_url, args.payments, tmp)

        def start_redis() -> subprocess.Popen:
            process = subprocess.Popen([redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                        "--appendonly", "no", "--dir", str(tmp)], stdout=subprocess.DEVNULL)
            time.sleep(0.5)
            return process

        redis = start_redis()
        stack.callback(lambda: (os.kill(redis.pid, signal.SIGCONT) if redis.poll() is None else None, stop(redis)))
        env = _environment(database_url, f"redis://127.0.0.1:{redis_port}/0", tmp, args.workers, web_port,
                           WEB_APPLICATION_NAME)
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                       check=True)
        log_path = tmp / "gunicorn.log"
        start_gunicorn(stack, env=env, port=web_port, log_path=log_path)
        clerk = Browser(web_port, "10.0.0.2")
        refused = clerk.sign_in("clerk_chezhan")
        if refused:
            sys.exit(f"the demo clerk could not sign in: {refused}\n{log_path.read_text()[-3000:]}")
        print(f"gunicorn, {args.workers} sync workers, production settings; PostgreSQL {DATABASE}; "
              f"private Redis on port {redis_port}; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")

        print("1. Redis stopped", flush=True)
        stop(redis)
        for what, (status, body, _, seconds) in pages(Browser(web_port, "10.0.0.3"), clerk, Browser(web_port, "10.0.0.4")):
            check(status == 200, f"{what}: {status} in {seconds:.3f} s")
        status, body, _, _ = Browser(web_port).get("/healthz")
        check('"cache": "down"' in body, f"/healthz reports {body.strip()}")
        visitor = Browser(web_port, "10.0.0.5")
        tries = [visitor.post_form("/lookup/", "/lookup/", {"name": "某某", "id_number": make_id_number(
            "370303", date(1980, 1, 1), 901 + n)})[0] for n in range(5 * args.workers + 1)]
        check(429 in tries, f"the lookup's limit holds while Redis is down: {tries.count(200)} answered, "
                            f"first 429 at try {tries.index(429) + 1 if 429 in tries else '-'}")

        print("2. Redis frozen (SIGSTOP)", flush=True)
        redis = start_redis()
        time.sleep(float(env.get("CACHE_RETRY_SECONDS", 5)) + 0.5)  # the workers try Redis again
        status, body, _, _ = Browser(web_port).get("/healthz")
        check('"cache": "ok"' in body, f"after a restart /healthz reports {body.strip()}")
        os.kill(redis.pid, signal.SIGSTOP)
        slowest = 0.0
        for what, (status, body, _, seconds) in pages(Browser(web_port, "10.0.0.6"), clerk, None):
            slowest = max(slowest, seconds)
            check(status == 200 and seconds < 2, f"{what}: {status} in {seconds:.3f} s")
        os.kill(redis.pid, signal.SIGCONT)

        print("3. database connections killed while payments are posted", flush=True)
        payments_under_killed_connections(web_port, clerk, database_url, args.payments)
        server_errors = log_path.read_text().count("Internal Server Error")
        print(f"  gunicorn logged {server_errors} internal server errors")

    print("all checks passed" if not FAILURES else f"{len(FAILURES)} checks failed")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
