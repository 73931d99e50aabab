#!/usr/bin/env python3
"""A local stand-in for the deployed seed API (manifests/s3-proxy-api.yaml, stage ``--stage``), for the
tests of ``reconcile verify``.

    python3 test/verify/standin.py --s3-endpoint http://127.0.0.1:PORT [--port 0] [--region us-east-1]
                                   [--stage prod] [--access-key testing] [--secret-key testing]

Listens on 127.0.0.1 only and prints exactly one line ``READY http://127.0.0.1:<port>/<stage>`` (the
invoke URL) once listening.

Every call is authenticated as API Gateway does for AWS_IAM methods, with an implementation independent of
the client's signer: botocore's SigV4 (``SigV4Auth`` over an ``AWSRequest`` of what was received: the
method, the raw path, the headers the client lists in SignedHeaders, the body; service ``execute-api``,
this Region, the static test credentials). The payload hash is botocore's sha256 of the bytes received
(a client's x-amz-content-sha256 header, if any, must equal it). A bad signature gets API Gateway's 403
``{"message": "The request signature we calculated does not match ..."}``.

Then the seed's routes are served through S3 (moto's, on the emulator), as the integrations do: GET / →
ListBuckets; GET|PUT|DELETE /{folder} → ListObjects, CreateBucket, DeleteBucket;
GET|HEAD|PUT|DELETE /{folder}/{item} → GetObject, HeadObject, PutObject, DeleteObject. Bodies pass through
(no contentHandling), Content-Type is forwarded on PUT, S3 4xx → 400 and 5xx → 500 (the selection
patterns), anything else → 200 with the route's mapped headers only. The response conversion of
passthrough content handling is modelled: a binary answer (its type in binaryMediaTypes) reaches a caller
whose first Accept type is not binary base64-encoded; a text answer to a binary first Accept type is 500.

Control endpoints (no signature): GET /_standin/log → {"requests": [...]} (method, path, status, auth,
signedHeaders, s3Status); POST /_standin/reset-log; POST /_standin/mode {"loseObjects": bool}: PUT of an
object answers 200 but never reaches S3 (a lost object).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import signal
import sys
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.httpsession import URLLib3Session

HOST = "127.0.0.1"
BINARY_MEDIA_TYPES = {"image/png", "image/jpeg", "image/gif", "application/octet-stream"}
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)
AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request,"
    r"\s*SignedHeaders=(?P<signed>[^,]+),\s*Signature=(?P<signature>[0-9a-f]{64})$"
)
MAX_SKEW = timedelta(minutes=5)

# Response headers each route's 200 integration response maps (method.response.header.X ← S3's header).
MAPPED_HEADERS: dict[tuple[str, str], dict[str, str]] = {
    ("/", "GET"): {"Content-Type": "Content-Type", "Content-Length": "Content-Length", "Timestamp": "Date"},
    ("/{folder}", "GET"): {"Content-Type": "Content-Type", "Date": "Date", "Content-Length": "Content-Length"},
    ("/{folder}", "PUT"): {"Content-Type": "Content-Type", "Content-Length": "Content-Length"},
    ("/{folder}", "DELETE"): {"Content-Type": "Content-Type", "Date": "Date"},
    ("/{folder}/{item}", "GET"): {"Content-Type": "Content-Type"},
    ("/{folder}/{item}", "HEAD"): {"Content-Type": "Content-Type", "Content-Length": "Content-Length"},
    ("/{folder}/{item}", "PUT"): {"Content-Type": "Content-Type", "Content-Length": "Content-Length"},
    ("/{folder}/{item}", "DELETE"): {},
}


class Rejected(Exception):
    """An answer API Gateway gives before the integration: status and {"message": ...}."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class StandIn:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.credentials = Credentials(args.access_key, args.secret_key)
        self.http = URLLib3Session()
        self.lock = threading.Lock()
        self.log: list[dict[str, Any]] = []
        self.lose_objects = False

    # ------------------------------------------------------------------ SigV4, checked by botocore

    def authenticate(self, method: str, raw_path: str, headers: Any, body: bytes) -> list[str]:
        """The signed header names when the signature is valid; raises Rejected otherwise."""
        authorization = headers.get("Authorization")
        if not authorization:
            raise Rejected(403, "Missing Authentication Token")
        match = AUTH_RE.match(authorization.strip())
        if not match:
            raise Rejected(403, "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters (AWS4-HMAC-SHA256).")
        if match["key"] != self.credentials.access_key:
            raise Rejected(403, "The security token included in the request is invalid.")
        if match["service"] != "execute-api":
            raise Rejected(403, "Credential should be scoped to correct service: 'execute-api'. ")
        if match["region"] != self.args.region:
            raise Rejected(403, f"Credential should be scoped to a valid region, not '{match['region']}'. ")
        amz_date = headers.get("X-Amz-Date") or ""
        self.check_date(amz_date, match["date"])
        signed = match["signed"].split(";")
        if "host" not in signed:
            raise Rejected(403, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        missing = [name for name in signed if headers.get(name) is None]
        if missing:
            raise Rejected(403, SIGNATURE_MISMATCH)
        claimed = headers.get("X-Amz-Content-SHA256")
        if claimed is not None and claimed != hashlib.sha256(body).hexdigest():
            raise Rejected(403, SIGNATURE_MISMATCH)
        # The request as received, reduced to the headers the client says it signed.
        received = AWSRequest(method=method, url=f"http://{headers.get('host')}{raw_path}", headers={name: headers.get(name) for name in signed}, data=body)
        if not hmac.compare_digest(self.expected_signature(received, amz_date), match["signature"]):
            raise Rejected(403, SIGNATURE_MISMATCH)
        return signed

    def expected_signature(self, request: AWSRequest, amz_date: str) -> str:
        # botocore computes the canonical request (its payload hash: sha256 of the body received), the
        # string to sign and the signature; the timestamp is the request's (add_auth would take the clock's).
        request.context["timestamp"] = amz_date
        auth = SigV4Auth(self.credentials, "execute-api", self.args.region)
        canonical = auth.canonical_request(request)
        return auth.signature(auth.string_to_sign(request, canonical), request)

    @staticmethod
    def check_date(amz_date: str, scope_date: str) -> None:
        try:
            signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            raise Rejected(403, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.") from None
        if amz_date[:8] != scope_date:
            raise Rejected(403, SIGNATURE_MISMATCH)
        now = datetime.now(timezone.utc)
        if abs(now - signed_at) > MAX_SKEW:
            raise Rejected(403, f"Signature expired: {amz_date} is now earlier than {(now - MAX_SKEW):%Y%m%dT%H%M%SZ}")

    # ------------------------------------------------------------------ the seed's routes through S3

    def route(self, method: str, raw_path: str) -> tuple[str, list[str]]:
        path = urlsplit(raw_path).path
        prefix = f"/{self.args.stage}"
        if path != prefix and not path.startswith(prefix + "/"):
            raise Rejected(403, "Missing Authentication Token")
        segments = [unquote(s) for s in path[len(prefix):].split("/") if s != ""]
        template = ["/", "/{folder}", "/{folder}/{item}"][len(segments)] if len(segments) <= 2 else None
        if template is None or (template, method) not in MAPPED_HEADERS:
            raise Rejected(403, "Missing Authentication Token")  # API Gateway's answer for no such method
        return template, segments

    def integrate(self, method: str, segments: list[str], headers: Any, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """The S3 call of a route: method, path-style URL, Content-Type forwarded on PUT, body as received."""
        url = self.args.s3_endpoint.rstrip("/") + "/" + "/".join(quote(s, safe="") for s in segments)
        forwarded = {"Content-Type": headers.get("Content-Type")} if method == "PUT" and headers.get("Content-Type") else {}
        request = AWSRequest(method=method, url=url, headers=forwarded, data=body if method == "PUT" else b"")
        S3SigV4Auth(self.credentials, "s3", self.args.region).add_auth(request)
        response = self.http.send(request.prepare())
        return response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content or b""

    def answer(self, template: str, method: str, s3: tuple[int, dict[str, str], bytes], accept: str) -> tuple[int, dict[str, str], bytes]:
        status, s3_headers, body = s3
        if 400 <= status <= 599:  # selection patterns 4\d{2} → 400, 5\d{2} → 500; nothing mapped
            return (400 if status < 500 else 500), {"Content-Type": "application/json"}, body
        headers = {name: s3_headers[source.lower()] for name, source in MAPPED_HEADERS[(template, method)].items() if source.lower() in s3_headers}
        converted = convert_response(s3_headers.get("content-type", ""), accept, body)
        if converted is None:
            return 500, {"Content-Type": "application/json"}, b'{"message": "Internal server error"}'
        headers.setdefault("Content-Type", "application/json")
        return 200, headers, converted


def media_type(value: str) -> str:
    return value.split(",")[0].split(";")[0].strip().lower()


def convert_response(content_type: str, accept: str, body: bytes) -> bytes | None:
    """Passthrough content handling, response side: None when API Gateway would fail (500)."""
    binary_answer = media_type(content_type) in BINARY_MEDIA_TYPES
    binary_caller = media_type(accept) in BINARY_MEDIA_TYPES
    if binary_answer and not binary_caller:
        return base64.b64encode(body)
    if binary_caller and not binary_answer and body:
        try:
            return base64.b64decode(body, validate=True)
        except ValueError:
            return None
    return body


def make_handler(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet: the log is /_standin/log
            pass

        def do_GET(self) -> None:
            self.handle_call()

        do_HEAD = do_PUT = do_DELETE = do_POST = do_GET

        def handle_call(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith("/_standin/"):
                return self.control(body)
            entry: dict[str, Any] = {"method": self.command, "path": self.path}
            try:
                template, segments = standin.route(self.command, self.path)
                entry["signedHeaders"] = standin.authenticate(self.command, self.path, self.headers, body)
                entry["auth"] = "valid"
                status, headers, out = self.integrate(template, segments, body, entry)
            except Rejected as rejected:
                entry.setdefault("auth", f"rejected: {rejected.message}")
                status, headers, out = rejected.status, {"Content-Type": "application/json", "x-amzn-ErrorType": "ForbiddenException"}, json.dumps({"message": rejected.message}).encode()
            entry["status"] = status
            with standin.lock:
                standin.log.append(entry)
            self.reply(status, headers, out)

        def integrate(self, template: str, segments: list[str], body: bytes, entry: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
            if standin.lose_objects and self.command == "PUT" and template == "/{folder}/{item}":
                entry["s3Status"] = None  # lost: S3 never sees it
                return 200, {"Content-Type": "application/json"}, b"{}"
            s3 = standin.integrate(self.command, segments, self.headers, body)
            entry["s3Status"] = s3[0]
            return standin.answer(template, self.command, s3, self.headers.get("Accept") or "")

        def control(self, body: bytes) -> None:
            if self.path == "/_standin/log" and self.command == "GET":
                with standin.lock:
                    return self.reply(200, {"Content-Type": "application/json"}, json.dumps({"requests": standin.log}).encode())
            if self.path == "/_standin/reset-log" and self.command == "POST":
                with standin.lock:
                    standin.log.clear()
                return self.reply(200, {"Content-Type": "application/json"}, b"{}")
            if self.path == "/_standin/mode" and self.command == "POST":
                standin.lose_objects = bool(json.loads(body or b"{}").get("loseObjects", False))
                return self.reply(200, {"Content-Type": "application/json"}, json.dumps({"loseObjects": standin.lose_objects}).encode())
            self.reply(404, {"Content-Type": "application/json"}, b'{"message": "no such control endpoint"}')

        def reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            # HEAD: the object's length, no body; otherwise the length of the body sent.
            length = headers.get("Content-Length", "0") if self.command == "HEAD" else str(len(body))
            self.send_header("Content-Length", length)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return Handler


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--s3-endpoint", required=True, help="S3 to integrate with (the emulator)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--access-key", default="testing")
    parser.add_argument("--secret-key", default="testing")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    server = ThreadingHTTPServer((HOST, args.port), make_handler(StandIn(args)))
    server.daemon_threads = True
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    parent = os.getppid()

    def watch_parent() -> None:
        # Re-parented (the test runner was killed): exit rather than linger holding a port.
        while not stop.wait(1.0):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="serve", daemon=True).start()
    threading.Thread(target=watch_parent, name="watch-parent", daemon=True).start()
    print(f"READY http://{HOST}:{server.server_port}/{args.stage}", flush=True)
    while not stop.wait(0.1):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
