"""moto_server for ./capstan up, whose state survives a restart.

moto keeps everything in memory. This runs moto_server's own application and request handler
(moto 5.2.5, pinned by scripts/install-moto.sh) behind a small WSGI layer that appends every
request that changes state to a recording, and replays the recording in this process before it
listens, so the port opens once the state of the last run is back.

Replay gives back the same identifiers (instance ids, private DNS names, zones), because moto draws
all of them from one seedable random source (moto.moto_api._internal.mock_random): every request
is handled under one lock, each one that changes state right after seeding that source with its
place in the recording, and the backends of the region are created under a fixed seed before any
request. Reads (Describe*, List*, Get*, GET, HEAD) are neither recorded nor seeded, so polling
does not grow the recording; whatever they draw from the random source is reseeded before the next
write. A POST to /moto-api/reset empties the recording along with moto.

moto's own recorder (MOTO_ENABLE_RECORDING, /moto-api/recorder/*) replays faithfully only when it
is given every request, reads included, since every answer draws a request id from the same random
source: its recording grows with every poll and its replay with it. This keeps its format (JSON
lines of method, url, headers and base64 body), plus the seed of each entry.

Usage: python capstan_moto.py --host 127.0.0.1 --port PORT --recording FILE --region REGION
"""

import argparse
import base64
import io
import json
import logging
import os
import re
import signal
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

from werkzeug.datastructures import EnvironHeaders
from werkzeug.serving import run_simple
from werkzeug.test import EnvironBuilder, run_wsgi_app
from werkzeug.wsgi import get_input_stream

from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_api._internal import mock_random
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

# The seed the region's backends are created under (default VPC, subnets, security groups).
BACKENDS_SEED = 20251
READ_ACTION = re.compile(r"^(Describe|List|Get|Head|Lookup|Search|BatchGet|Scan|Query)[A-Z]")
FORM = "application/x-www-form-urlencoded"


def action(environ, body):
    """The API action a query-protocol or JSON-protocol request names, else None (REST)."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    sources = [environ.get("QUERY_STRING", "")]
    if environ.get("CONTENT_TYPE", "").startswith(FORM):
        sources.append(body.decode("utf-8", "replace"))
    for source in sources:
        values = parse_qs(source).get("Action")
        if values:
            return values[0]
    return None


def changes_state(environ, body):
    if environ.get("PATH_INFO", "").startswith("/moto-api/"):
        return False
    name = action(environ, body)
    if name is not None:
        return not READ_ACTION.match(name)
    return environ["REQUEST_METHOD"] not in ("GET", "HEAD", "OPTIONS")


def is_reset(environ):
    return environ["REQUEST_METHOD"] == "POST" and environ.get("PATH_INFO") == "/moto-api/reset"


def create_backends(region):
    """Creates the region's EC2 and Auto Scaling backends (with ELB's) under a fixed seed, so what
    they make is the same on every start, whether a read or a write touches them first."""
    from moto.autoscaling.models import autoscaling_backends

    mock_random.seed(BACKENDS_SEED)
    autoscaling_backends[DEFAULT_ACCOUNT_ID][region]


class RecordingApp:
    """moto's application, one request at a time, recording those that change state."""

    def __init__(self, app, path, region):
        self.app = app
        self.path = path
        self.region = region
        self.lock = threading.Lock()
        self.next_seed = 0
        self.out = None

    def replay(self):
        entries = []
        if os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as lines:
                for line in lines:
                    try:
                        entries.append(json.loads(line))
                    except ValueError:
                        # The end of a line cut short when the process was killed mid-write.
                        pass
        # Rewrite what was read, so the next line never continues a broken one.
        with open(self.path + ".tmp", "w", encoding="utf-8") as out:
            for entry in entries:
                out.write(json.dumps(entry) + "\n")
        os.replace(self.path + ".tmp", self.path)
        started = time.monotonic()
        failed = 0
        for recorded in entries:
            mock_random.seed(recorded["seed"])
            try:
                if replay_one(self.app, recorded) >= 500:
                    failed += 1
            except Exception as error:  # noqa: BLE001 - one bad entry must not lose the others
                print(f"capstan: replaying {recorded.get('url')} failed: {error!r}", flush=True)
                failed += 1
            self.next_seed = recorded["seed"] + 1
        self.out = open(self.path, "a", encoding="utf-8")
        print(
            f"capstan: replayed {len(entries)} requests from {self.path}"
            f" in {time.monotonic() - started:.1f} s ({failed} answered with a server error)",
            flush=True,
        )

    def __call__(self, environ, start_response):
        body = get_input_stream(environ).read()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        with self.lock:
            if is_reset(environ):
                answer = collect(self.app, environ, start_response)
                self.out.close()
                self.out = open(self.path, "w", encoding="utf-8")
                self.next_seed = 0
                create_backends(self.region)
                return answer
            if not changes_state(environ, body):
                return collect(self.app, environ, start_response)
            seed = self.next_seed
            self.next_seed += 1
            recorded = entry(environ, body, seed)
            mock_random.seed(seed)
            try:
                return collect(self.app, environ, start_response)
            finally:
                # Recorded even when moto failed half-way: replay repeats whatever it did.
                self.out.write(json.dumps(recorded) + "\n")
                self.out.flush()


def collect(app, environ, start_response):
    """Runs the request to its end under the caller's lock, rather than as the server sends it."""
    result = app(environ, start_response)
    try:
        return [b"".join(result)]
    finally:
        if hasattr(result, "close"):
            result.close()


def entry(environ, body, seed):
    headers = {
        name: value
        for name, value in EnvironHeaders(environ).items()
        if name.lower() not in ("content-length", "transfer-encoding")
    }
    query = environ.get("QUERY_STRING", "")
    url = environ.get("PATH_INFO", "/") + ("?" + query if query else "")
    return {
        "method": environ["REQUEST_METHOD"],
        "url": url,
        "headers": headers,
        "body": base64.b64encode(body).decode("ascii"),
        "body_encoded": True,
        "seed": seed,
    }


def replay_one(app, recorded):
    url = urlsplit(recorded["url"])
    body = recorded.get("body") or ""
    data = base64.b64decode(body) if recorded.get("body_encoded") else body.encode("utf-8")
    headers = dict(recorded.get("headers") or {})
    host = headers.get("Host", "127.0.0.1")
    builder = EnvironBuilder(
        path=url.path,
        base_url="http://" + host,
        query_string=url.query,
        method=recorded["method"],
        headers=headers,
        data=data,
    )
    try:
        app_iter, status, _ = run_wsgi_app(app, builder.get_environ())
        try:
            b"".join(app_iter)
        finally:
            if hasattr(app_iter, "close"):
                app_iter.close()
        return int(status.split(" ", 1)[0])
    finally:
        builder.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--recording", required=True)
    parser.add_argument("--region", required=True)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    signal.signal(signal.SIGINT, lambda signum, frame: sys.exit(0))

    app = RecordingApp(DomainDispatcherApplication(create_backend_app), args.recording, args.region)
    create_backends(args.region)
    app.replay()
    # One line per request would grow the log with every poll; errors are still logged.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    print(f"capstan: moto serves on http://{args.host}:{args.port}", flush=True)
    run_simple(
        args.host,
        args.port,
        app,
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
