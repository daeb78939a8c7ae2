"""gunicorn settings for production (behind a reverse proxy).

Sync workers: steadier than gthread for Sanad's CPU-bound pages on 2 cores
(STACK-NOTES). The access log carries no client address, user agent, referrer
or query string: %(U)s is the path alone.
"""

import multiprocessing
import os

bind = os.environ.get("SANAD_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SANAD_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = int(os.environ.get("SANAD_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
# Uploads are streamed; a slow phone on mobile data must not be cut off early.
limit_request_line = 4094
forwarded_allow_ips = os.environ.get("SANAD_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms"
# The error log without client addresses or raw request lines (malformed requests).
logger_class = "config.gunicorn_logging.PrivateLogger"
# gunicorn 27 opens a control socket shared by every instance on the machine.
control_socket_disable = True
wsgi_app = "config.wsgi:application"
