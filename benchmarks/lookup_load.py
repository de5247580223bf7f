"""The public lookup (我参保了吗, POST with CSRF) and the premium page under gunicorn with production
settings, PostgreSQL and Redis, at the size seed_scale.py made; driven by wrk. In the same run
and with the same gunicorn: a bare view returning "ok" and a bare view that renders a small
template after one indexed query (bench_urls.py), the yardsticks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres CACHE_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python benchmarks/lookup_load.py [--residents 1000000] [--duration 30s] \
        [--connections 32] [--workers 3] [--port 8105] [--steps]

Needs the database seeded by seed_scale.py (``--residents`` must be the number it was given) and
Debian's ``wrk``. Each lookup is a real person of the data set, picked at random from 200,000 of
them (so the per-person limit of 5 a minute is never reached), with a CSRF cookie and form token
made the way Django makes them, from a random X-Forwarded-For address (gunicorn's peer
127.0.0.1 is a trusted proxy, so the per-address limit is not reached either). A lookup counts
as an error unless it is a 200 page showing the person's record (参保查询结果).
The Redis database of CACHE_URL is flushed first: it holds the rate-limit counters.
Each measured run follows an uncounted warm-up run of the same URL (--warm-up, 10 s): the
figures are those of a running site, whose workers hold their database connections and whose
caches hold the villages' part of the lookup page and the premium pages.
With --steps, three more views in the same run take the lookup apart (bench_urls.py): the POST
with its form, then the rate limits, then the person's record, each on a small page; the table
at the end says what each step adds.
"""

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from scale_people import BENCH_ENV, DATABASE_NAME, person  # noqa: E402

FOUND_MARKER = "参保查询结果"
SAMPLE = 200_000
# No year: the page quotes the year being collected now (the demo makes one with the 2022 amounts).
PREMIUM_QUERY = {"region": "370303001001", "category": "adult"}

LOOKUP_LUA = r"""
-- POST /lookup/ (or the path given after --) for a random seeded person from a random client
-- address; counts found pages.
local bodies = {}
for line in io.lines(BODIES_PATH) do bodies[#bodies + 1] = line end
local threads = {}
found, missed = 0, 0

function setup(thread)
  thread:set("seed", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(seed * 7919 + os.time())
  path = args[1] or "/lookup/"
end

function request()
  local address = math.random(1, 223) .. "." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "."
    .. math.random(1, 254)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = COOKIE,
    ["X-Forwarded-For"] = address,
  }, bodies[math.random(#bodies)])
end

function response(status, headers, body)
  if status == 200 and string.find(body, MARKER, 1, true) then found = found + 1 else missed = missed + 1 end
end

function done(summary, latency, requests)
  local f, m = 0, 0
  for _, thread in ipairs(threads) do f = f + thread:get("found"); m = m + thread:get("missed") end
  io.write(string.format("FOUND %d MISSED %d\n", f, m))
end
"""


def csrf_pair(base: str) -> tuple[str, str]:
    """A csrftoken cookie and the form token of the lookup page, as a browser gets them."""
    with urllib.request.urlopen(f"{base}/lookup/") as response:
        cookie = re.search(r"csrftoken=([^;]+)", response.headers.get("Set-Cookie", "")).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()).group(1)
    return cookie, token


def write_lua(residents: int, directory: Path, base: str) -> Path:
    cookie, token = csrf_pair(base)
    picked = random.Random(8).sample(range(residents), min(SAMPLE, residents))
    bodies = directory / "lookup_bodies.txt"
    with open(bodies, "w", encoding="utf-8") as file:
        for index in picked:
            someone = person(index)
            file.write(urlencode({"csrfmiddlewaretoken": token, "name": someone.name, "id_number": someone.number}))
            file.write("\n")
    script = directory / "lookup.lua"
    script.write_text(
        f"BODIES_PATH = {str(bodies)!r}\nCOOKIE = 'csrftoken={cookie}'\nMARKER = '{FOUND_MARKER}'\n" + LOOKUP_LUA,
        encoding="utf-8",
    )
    return script


def wrk(url: str, *, duration: str, connections: int, script: Path | None = None) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}", "--latency", "--timeout", "5s", url]
    if script:
        cmd[1:1] = ["-s", str(script)]
        cmd += ["--", urlsplit(url).path]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    non_2xx = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = non_2xx + (sum(map(int, socket.groups())) if socket else 0)
    checked = re.search(r"FOUND (\d+) MISSED (\d+)", out)
    if checked:
        # A 200 "not found" page or a 429 is a failed lookup too; non-2xx are among the missed.
        errors = max(errors, int(checked.group(2)))
    if errors:
        print(out, file=sys.stderr)
    return {"rps": rps, "requests": total, "p50": latency.get("50"), "p99": latency.get("99"), "errors": errors}


TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def server_cpu_ms(gunicorn_pid: int) -> dict[str, float]:
    """CPU time (user + system) used so far by gunicorn's master and workers, by PostgreSQL's
    processes and by Redis, from /proc (Linux). On a shared machine a request's CPU time varies
    far less than requests per second do: another tenant slows the clock, not the work."""
    used = {"gunicorn": 0.0, "PostgreSQL": 0.0, "Redis": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as file:
                stat = file.read()
        except OSError:  # ended while we looked
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        # Its own time and that of its children that ended (PostgreSQL's backends come and go).
        parent, ticks = int(fields[1]), sum(int(field) for field in fields[11:15])
        if int(pid) == gunicorn_pid or parent == gunicorn_pid:
            used["gunicorn"] += ticks * TICK_MS
        elif name == "postgres":
            used["PostgreSQL"] += ticks * TICK_MS
        elif name.startswith("redis-server"):
            used["Redis"] += ticks * TICK_MS
    return used


def wrk_cpu_ms() -> float:
    """CPU time of the finished child processes of this script: wrk's runs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def measured(url: str, *, gunicorn_pid: int, **options) -> dict:
    """A wrk run, with the CPU time each part of the stack spent per request during it."""
    before, wrk_before = server_cpu_ms(gunicorn_pid), wrk_cpu_ms()
    result = wrk(url, **options)
    after, wrk_after = server_cpu_ms(gunicorn_pid), wrk_cpu_ms()
    spent = {part: after[part] - before[part] for part in before} | {"wrk": wrk_after - wrk_before}
    result["cpu_ms"] = {part: ms / result["requests"] for part, ms in spent.items()}
    return result


# Each POSTed like the lookup and ending in the same small page; each adds one step to the one
# before (bench_urls.py). None of them renders the portal's page or reads the village's part.
LOOKUP = object()  # in place of the Lua script, which is written when the run starts
STEPS = (
    ("step 1: POST, CSRF, form, digest", "/bench/step-form", LOOKUP),
    ("step 2: + rate limits in Redis", "/bench/step-rate-limit", LOOKUP),
    ("step 3: record in place of region", "/bench/step-record", LOOKUP),
)


# The one-query view runs first and again last. On a shared machine the speed can change within
# one run; the ratios are taken against the mean of the two, and their drift is printed.
YARDSTICK = "bare view: one query + template"
YARDSTICK_AGAIN = "bare view: one query + template, again"


def both_yardsticks(first: dict, again: dict) -> dict:
    drift = again["rps"] / first["rps"] - 1
    print(f"one-query view first {first['rps']:.0f} and last {again['rps']:.0f} req/s (drift {drift:+.0%}); "
          "ratios below are against their mean" + ("; over 10%: the machine's speed changed during the run"
                                                   if abs(drift) > 0.10 else ""))
    p99 = (milliseconds(first["p99"]) + milliseconds(again["p99"])) / 2
    return {**first, "rps": (first["rps"] + again["rps"]) / 2, "p99": f"{p99:.2f}ms",
            "cpu_ms": {part: (first["cpu_ms"][part] + again["cpu_ms"][part]) / 2 for part in first["cpu_ms"]}}


def print_steps(results: dict, yardstick: dict) -> None:
    """What each step adds, in gunicorn's CPU per request and as throughput against the yardstick."""
    print("step                                  req/s vs one-query  gunicorn CPU ms  added")
    before = yardstick
    for name in (YARDSTICK, *(name for name, _, _ in STEPS), "POST /lookup/ (found)"):
        result = results[name]
        added = result["cpu_ms"]["gunicorn"] - before["cpu_ms"]["gunicorn"]
        print(f"{name:36} {result['rps'] / yardstick['rps']:8.2f}x  {result['cpu_ms']['gunicorn']:14.2f}  "
              f"{added:+6.2f}")
        before = result


def milliseconds(text: str | None) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def sanity_check(base: str, residents: int, script_dir: Path) -> None:
    """One lookup by hand, the way wrk will send it, must show the person; the premium page must answer."""
    bodies = (script_dir / "lookup_bodies.txt").read_text(encoding="utf-8").splitlines()
    cookie = re.search(r"COOKIE = '([^']+)'", (script_dir / "lookup.lua").read_text(encoding="utf-8")).group(1)
    request = urllib.request.Request(
        f"{base}/lookup/", data=bodies[0].encode(), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                 "X-Forwarded-For": "10.9.8.7"},
    )
    page = urllib.request.urlopen(request).read().decode()
    if FOUND_MARKER not in page:
        sys.exit("The sample lookup did not find the person: was the database seeded with this --residents?")
    premium = urllib.request.urlopen(f"{base}/premium/?{urlencode(PREMIUM_QUERY)}").read().decode()
    if "410" not in premium:
        sys.exit("The premium page does not show the adult amount (410): is the demo standard there?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--duration", default="30s")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--warm-up", default="10s", help="uncounted wrk run before each measured one")
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--database", default=DATABASE_NAME)
    parser.add_argument("--steps", action="store_true",
                        help="also measure the lookup's steps one by one (bench_urls.py)")
    args = parser.parse_args()
    server_url, cache_url = os.environ.get("DATABASE_URL", ""), os.environ.get("CACHE_URL", "")
    if not server_url.startswith("postgres") or not cache_url.startswith("redis"):
        sys.exit("Set DATABASE_URL to the PostgreSQL server and CACHE_URL to a Redis database.")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    env = {
        **os.environ, **BENCH_ENV,
        "DATABASE_URL": urlunsplit(urlsplit(server_url)._replace(path=f"/{args.database}")),
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
        "WEB_CONCURRENCY": str(args.workers), "GUNICORN_BIND": f"127.0.0.1:{args.port}",
    }
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    redis = urlsplit(cache_url)
    subprocess.run(["redis-cli", "-h", redis.hostname, "-p", str(redis.port or 6379), "-n",
                    redis.path.strip("/") or "0", "flushdb"], check=True, capture_output=True)
    base = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory() as directory:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "--access-logfile", "/dev/null"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1)
                    break
                except (urllib.error.URLError, OSError):
                    time.sleep(0.2)
            script = write_lua(args.residents, Path(directory), base)
            sanity_check(base, args.residents, Path(directory))
            load = os.getloadavg()
            print(f"gunicorn workers={args.workers} (sync), wrk -t2 -c{args.connections} -d{args.duration} "
                  f"after {args.warm_up} of warm-up, "
                  f"{os.cpu_count()} cores, load average before {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
            results = {}
            for name, path, lua in (
                ("bare view: ok", "/bench/ok", None),
                (YARDSTICK, "/bench/one-query", None),
                *(STEPS if args.steps else ()),
                ("POST /lookup/ (found)", "/lookup/", script),
                ("GET /premium/", f"/premium/?{urlencode(PREMIUM_QUERY)}", None),
                (YARDSTICK_AGAIN, "/bench/one-query", None),
            ):
                lua = script if lua is LOOKUP else lua
                wrk(base + path, duration=args.warm_up, connections=args.connections, script=lua)
                results[name] = result = measured(base + path, gunicorn_pid=server.pid, duration=args.duration,
                                                  connections=args.connections, script=lua)
                cpu = "  ".join(f"{part} {ms:.2f}" for part, ms in result["cpu_ms"].items())
                print(f"{name:34} {result['rps']:7.0f} req/s  p50 {result['p50']:>8}  p99 {result['p99']:>8}  "
                      f"requests {result['requests']:7d}  errors {result['errors']}\n"
                      f"{'':34} CPU ms per request: {cpu}", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=10)
    yardstick = results[YARDSTICK] = both_yardsticks(results[YARDSTICK], results.pop(YARDSTICK_AGAIN))
    lookup = results["POST /lookup/ (found)"]
    if args.steps:
        print_steps(results, yardstick)
    premium = results["GET /premium/"]
    p99_ratio = milliseconds(lookup["p99"]) / milliseconds(yardstick["p99"])
    print(f"lookup / one-query view: {lookup['rps'] / yardstick['rps']:.2f}x (target >= 0.30x); "
          f"lookup p99 {milliseconds(lookup['p99']):.1f} ms = {p99_ratio:.2f}x the one-query view's "
          f"{milliseconds(yardstick['p99']):.1f} ms (target <= 2x); lookup errors {lookup['errors']} (target 0); "
          f"premium page / one-query view: {premium['rps'] / yardstick['rps']:.2f}x (target >= 1.00x)")
    cpu = {name: sum(result["cpu_ms"].values()) for name, result in results.items()}
    print(f"CPU per request, all parts: one-query view {cpu[YARDSTICK]:.2f} ms, "
          f"lookup {cpu['POST /lookup/ (found)']:.2f} ms: the lookup costs "
          f"{cpu['POST /lookup/ (found)'] / cpu[YARDSTICK]:.1f}x the one-query view")


if __name__ == "__main__":
    main()
