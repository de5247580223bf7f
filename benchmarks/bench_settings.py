"""Settings of the load tests: the portal's own settings unchanged, with the URLconf that adds the
two yardstick views (bench_urls.py) and static files collected outside the work tree.

    DJANGO_SETTINGS_MODULE=benchmarks.bench_settings gunicorn portal.wsgi
"""

import os

from portal import settings as portal_settings

globals().update({name: value for name, value in vars(portal_settings).items() if name.isupper()})

ROOT_URLCONF = "benchmarks.bench_urls"
# collectstatic for a benchmark must not touch the work tree's staticfiles/.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", "/tmp/portal-bench-static")
