"""gunicorn settings; every value can be overridden on the command line or by environment."""

import multiprocessing
import os

from clinic_site.logs import gunicorn_logging_config

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Pages are rendered from stored HTML, so the work is mostly I/O-free Python: a couple of
# sync workers per core is the usual starting point.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound. "Now and then"
# in requests: a page from the page cache takes about a millisecond, so a few thousand
# would restart every worker every few seconds under load, each time paying for a boot
# and (with the local-memory cache) for making its pages again.
max_requests = 50_000
max_requests_jitter = 5_000
# JSON lines on stdout, like the site's own logs (clinic_site/logs.py). The site logs each
# request with its request id, so gunicorn's own access log is off unless asked for.
logconfig_dict = gunicorn_logging_config()
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 27's control socket lives at one path per user (~/.gunicorn/gunicorn.ctl), so a
# second gunicorn on the machine (a benchmark, a test, another site) fails to start. The
# site never uses it.
control_socket_disable = True
