"""gunicorn settings for production: `gunicorn portal.wsgi` picks this file up by itself."""

import multiprocessing
import os

# The loopback address: production runs behind nginx (deploy/nginx/), and a client that reached
# gunicorn directly could hold its sync workers with slow requests.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: the pages are short database reads, and connections are kept per worker.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 30
keepalive = 5
accesslog = "-"
# The request line only: query strings could carry personal data from a mistyped link.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
