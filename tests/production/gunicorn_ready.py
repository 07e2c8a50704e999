"""gunicorn settings for tests: each web worker says when it has loaded the app and can take requests.

Without this a test that needs several workers could start sending while all but one are still importing
the app, and every request would meet the same worker.
"""

READY = "web worker ready"


def post_worker_init(worker) -> None:
    worker.log.info("%s: %s", READY, worker.pid)
