#!/usr/bin/env python3
"""Test AWS emulator: moto's own server app behind a middleware that counts calls and
simulates the network (latency), API Gateway's control-plane quotas, and faults.

    python3 test/emulator/server.py [--port 0] [--latency-ms N] [--quota]
                                    [--faults RATE] [--fault-seed N] [--cloudtrail-delay-ms N]

Listens on 127.0.0.1 only. Once listening it prints exactly one line
``READY http://127.0.0.1:<port>`` on stdout. The installed moto package is not edited:
gaps are filled in-process by ``moto_patches.install()`` when that module exists.

Control endpoints on the same port (no signature needed):
  GET  /_emulator/health        200 {"ok": true}
  GET  /_emulator/calls         call log: total, reads, writes, byOperation, throttled,
                                faults (per kind), appliedThenFailed,
                                log [{op, status, t, accessKey, account}]
  POST /_emulator/reset-calls   zero the call log
  POST /_emulator/reset         wipe all moto state + call log, refill quota buckets,
                                restart the fault PRNG from its seed
  GET  /_emulator/config        {"latencyMs": n, "quota": bool, "faults": {"rate", "seed"} | null,
                                 "cloudtrailDelayMs": n, "cloudtrailFail": {"kind", "times"} | null}
  POST /_emulator/config        any subset of the above; faults null turns faults off;
                                cloudtrailFail: "500" | "503" | "429" | "drop" | {"kind", "times": n} | null
  GET  /_emulator/cloudtrail           every recorded CloudTrail event, delivered or not (cloudtrail.py)
  POST /_emulator/cloudtrail/reset     forget all recorded CloudTrail events
  POST /_emulator/cloudtrail/deliver   make every pending CloudTrail event visible now

CloudTrail LookupEvents (cloudtrail.py, SOURCES.md section 6) is answered here, not by moto: it serves the
API Gateway and IAM write calls this server received, ``cloudtrailDelayMs`` after each call.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cloudtrail  # noqa: E402  (sibling module: CloudTrail LookupEvents, issue 12)

# Must be set before moto is imported: moto reads it when the IAM backend is built
# (also after a reset), and the reconciler attaches AWS managed policies by ARN.
os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"

HOST = "127.0.0.1"  # never any other address: this is a test double with no auth

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
Headers = list[tuple[str, str]]

CONFLICT_MESSAGE = "Unable to complete operation due to concurrent modification. Please try again later."


# --------------------------------------------------------------------------------------
# Identifying the AWS operation of a request
# --------------------------------------------------------------------------------------

_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/,\s]+)/aws4_request")


@dataclass(frozen=True)
class AwsCall:
    service: str  # signing name from the SigV4 credential scope: apigateway, iam, sts, s3
    operation: str  # PascalCase, as the SDK names it: GetResources, PutRolePolicy...
    access_key: str  # stands for the account: quotas are per account
    # An S3 write carrying If-Match / If-None-Match: a 409 fault on it is AWS's
    # ConditionalRequestConflict rather than OperationAborted.
    conditional: bool = False

    @property
    def name(self) -> str:
        return f"{self.service}:{self.operation}"

    @property
    def is_read(self) -> bool:
        # Head* (S3 HeadObject, HeadBucket) read metadata only: reads as well; so does CloudTrail LookupEvents.
        return self.operation.startswith(("Get", "List", "Head", "Lookup"))


def account_of(access_key: str) -> str:
    """The account moto serves a caller: the one whose IAM user or assumed role owns the access key
    (moto's own lookup, as its responses use it), else moto's default account."""
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


class RestJsonRouter:
    """Maps (HTTP method, raw path, query) to an operation name using botocore's service
    model, i.e. the same ``http.requestUri`` templates the SDKs build requests from.

    ``match_members`` (S3): several operations share one template (PUT /{Bucket}/{Key+} is
    PutObject, CopyObject, UploadPart and UploadPartCopy); they differ by their required
    query-string and header members (uploadId, x-amz-copy-source), so a route also needs
    those present, and the route needing most is tried first."""

    def __init__(self, service_name: str, match_members: bool = False) -> None:
        import botocore.session

        model = botocore.session.get_session().get_service_model(service_name)
        self._names = set(model.operation_names)
        routes: list[tuple[tuple[int, int, int], str, re.Pattern[str], dict[str, str], str]] = []
        self._members: dict[str, tuple[list[str], list[str]]] = {}
        for op_name in model.operation_names:
            operation = model.operation_model(op_name)
            http = operation.http
            path, _, query = http["requestUri"].partition("?")
            segments = [s for s in path.split("/") if s]
            parts: list[str] = []
            literals = 0
            for seg in segments:
                label = re.fullmatch(r"\{([^}]+)\}", seg)
                if label is None:
                    parts.append(re.escape(seg))
                    literals += 1
                elif label.group(1).endswith("+") or label.group(1).lower().endswith("arn"):
                    # Greedy labels, and ARNs: the SDK percent-encodes an ARN into one
                    # segment, but a client that sends it decoded (slashes and all) must
                    # still map to TagResource/GetTags rather than to nothing.
                    parts.append(".+")
                else:
                    parts.append("[^/]+")
            pattern = re.compile("/" + "/".join(parts) + "/?")
            required_query = dict(parse_qsl(query, keep_blank_values=True))
            members = _required_members(operation) if match_members else ([], [])
            self._members[op_name] = members
            # Most specific first: literal query (?mode=import) and required members, then
            # literal segments.
            rank = (-len(required_query) - len(members[0]) - len(members[1]), -literals, -len(segments))
            routes.append((rank, http["method"], pattern, required_query, op_name))
        routes.sort(key=lambda r: r[0])
        self._routes = [(m, p, q, n) for _, m, p, q, n in routes]

    def operation(self, method: str, raw_path: str, query: str, headers: dict[str, str] | None = None) -> str | None:
        """``headers``: lower-case names, needed only with ``match_members``."""
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        for route_method, pattern, required_query, name in self._routes:
            if route_method != method or not pattern.fullmatch(raw_path):
                continue
            if not all(params.get(k) == v for k, v in required_query.items()):
                continue
            query_members, header_members = self._members[name]
            if all(k in params for k in query_members) and all(h in (headers or {}) for h in header_members):
                return name
        return None

    def knows(self, operation: str) -> bool:
        return operation in self._names


def _required_members(operation: Any) -> tuple[list[str], list[str]]:
    """Wire names of an operation's required query-string and header members."""
    shape = operation.input_shape
    if shape is None:
        return [], []
    query: list[str] = []
    headers: list[str] = []
    for member in shape.required_members:
        serialization = shape.members[member].serialization
        if serialization.get("location") == "querystring":
            query.append(serialization.get("name", member))
        elif serialization.get("location") == "header":
            headers.append(serialization.get("name", member).lower())
    return query, headers


def identify_call(
    environ: WSGIEnviron, body: bytes, router: RestJsonRouter, s3_router: RestJsonRouter | None = None
) -> AwsCall | None:
    """The AWS call a request stands for, or None when it is not a SigV4-signed request."""
    match = _CREDENTIAL_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match is None:
        return None
    access_key, _region, service = match.group(1), match.group(2), match.group(3).lower()
    method = environ.get("REQUEST_METHOD", "GET")
    if service == "s3" and s3_router is not None:
        return identify_s3_call(environ, s3_router, access_key)
    if service == "apigateway":
        # The raw request target keeps %2F inside a label (the ARN in /tags/{resource_arn})
        # apart from real path separators; PATH_INFO is already decoded.
        target = urlsplit(environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/"))
        operation = router.operation(method, target.path, environ.get("QUERY_STRING", ""))
        return AwsCall(service, operation or f"Unknown[{method} {target.path}]", access_key)
    if environ.get("HTTP_X_AMZ_TARGET"):
        # JSON-protocol services (CloudTrail): X-Amz-Target is "<service prefix>.<Operation>".
        return AwsCall(service, environ["HTTP_X_AMZ_TARGET"].rsplit(".", 1)[-1], access_key)
    # Query-protocol services (IAM, STS): the operation is the Action parameter.
    params = parse_qs(environ.get("QUERY_STRING", ""))
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        params.update(parse_qs(body.decode("utf-8", errors="replace")))
    action = (params.get("Action") or [""])[-1]
    return AwsCall(service, action or f"Unknown[{method}]", access_key)


def identify_s3_call(environ: WSGIEnviron, router: RestJsonRouter, access_key: str) -> AwsCall:
    """S3 is REST-XML, addressed path-style here (/{Bucket}/{Key+}: the clients use
    forcePathStyle against 127.0.0.1); a virtual-hosted request would be misnamed."""
    method = environ.get("REQUEST_METHOD", "GET")
    target = urlsplit(environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/"))
    query = environ.get("QUERY_STRING", "")
    # The JS SDK v3 names ambiguous operations itself (?x-id=PutObject): trust that first.
    x_id = (parse_qs(query).get("x-id") or [""])[-1]
    headers = {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")}
    operation = x_id if router.knows(x_id) else router.operation(method, target.path, query, headers)
    conditional = "if-match" in headers or "if-none-match" in headers
    return AwsCall("s3", operation or f"Unknown[{method} {target.path}]", access_key, conditional)


# --------------------------------------------------------------------------------------
# Modes: quota (token buckets) and faults (seeded PRNG)
# --------------------------------------------------------------------------------------


class TokenBucket:
    def __init__(self, capacity: float, per_second: float) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self.tokens = capacity
        self.updated = time.monotonic()

    def refill(self, now: float) -> None:
        if now > self.updated:  # threads may pass a clock reading taken before ours
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
            self.updated = now


# API Gateway control-plane quotas per account and Region (aws-notes.md, from
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html):
# operation -> (bucket capacity, refill per second). "*" is every API Gateway call.
APIGATEWAY_QUOTAS: dict[str, tuple[float, float]] = {
    "*": (40, 10.0),
    "GetResources": (5, 5 / 2),
    "CreateDeployment": (1, 1 / 5),
    "CreateResource": (5, 5.0),
    "DeleteResource": (5, 5.0),
    "CreateRestApi": (1, 1 / 3),  # REGIONAL and PRIVATE APIs
    # EDGE APIs (AWS's default when no endpointConfiguration is given): 1 per 30 s. Source: the quotas
    # page above ("CreateRestApi: 1 request every 3 seconds per account, edge-optimized: 1 every 30").
    "CreateRestApi#EDGE": (1, 1 / 30),
    "DeleteRestApi": (1, 1 / 30),
    "PutRestApi": (1, 1.0),
    # Usage plans, API keys, custom domain names (same quotas page: "UpdateUsagePlan: 1 request every
    # 20 seconds", "CreateDomainName / UpdateDomainName / DeleteDomainName: 1 request every 30 seconds"
    # each, "CreateApiKey / DeleteApiKey: 5 requests per second" each; see SOURCES.md section 5).
    "UpdateUsagePlan": (1, 1 / 20),
    "CreateDomainName": (1, 1 / 30),
    "UpdateDomainName": (1, 1 / 30),
    "DeleteDomainName": (1, 1 / 30),
    "CreateApiKey": (5, 5.0),
    "DeleteApiKey": (5, 5.0),
}


# CloudTrail LookupEvents: 2 per second per account and Region (cloudtrail.QUOTAS), keyed "cloudtrail:<op>".
QUOTA_TABLE: dict[str, tuple[float, float]] = {**APIGATEWAY_QUOTAS, **{f"cloudtrail:{k}": v for k, v in cloudtrail.QUOTAS.items()}}


class Quota:
    """Token buckets per (account, operation). IAM is not quota-limited here."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], TokenBucket] = {}

    def _bucket(self, account: str, key: str) -> TokenBucket:
        bucket = self._buckets.get((account, key))
        if bucket is None:
            bucket = self._buckets[(account, key)] = TokenBucket(*QUOTA_TABLE[key])
        return bucket

    def admit(self, call: AwsCall, key: str | None = None) -> bool:
        """`key`: the operation's bucket when it is not the operation itself (CreateRestApi#EDGE)."""
        if call.service == "cloudtrail":  # only LookupEvents has a bucket (cloudtrail.QUOTAS)
            keys = [f"cloudtrail:{call.operation}"] if f"cloudtrail:{call.operation}" in QUOTA_TABLE else []
            if not keys:
                return True
        elif call.service != "apigateway":
            return True
        else:
            own = key or call.operation
            keys = ["*"] + ([own] if own in APIGATEWAY_QUOTAS else [])
        with self._lock:
            now = time.monotonic()
            buckets = [self._bucket(call.access_key, k) for k in keys]
            for bucket in buckets:
                bucket.refill(now)
            # All or nothing: a throttled call consumes no bucket, so it does not
            # push the next allowed call further out.
            if any(b.tokens < 1 for b in buckets):
                return False
            for bucket in buckets:
                bucket.tokens -= 1
            return True


def quota_key(environ: WSGIEnviron, call: AwsCall) -> str | None:
    """CreateRestApi's quota depends on the endpoint type in its body: the body is read here and put back
    for moto. Anything else: None (the operation's own bucket)."""
    if call.service != "apigateway" or call.operation != "CreateRestApi":
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        types = (json.loads(body or b"{}").get("endpointConfiguration") or {}).get("types") or []
    except ValueError:
        types = []
    return "CreateRestApi#EDGE" if not types or "EDGE" in types else None


FAULT_KINDS = ("429", "500", "503", "drop", "409")
READ_FAULT_KINDS = ("429", "500", "503", "drop")  # a read cannot conflict


@dataclass(frozen=True)
class Fault:
    kind: str  # one of FAULT_KINDS
    after: bool  # the call reached moto (took effect) and only the response is lost


class Faults:
    def __init__(self, rate: float, seed: int) -> None:
        self.rate = rate
        self.seed = seed
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def draw(self, call: AwsCall) -> Fault | None:
        # Three numbers per call whatever the outcome, so the n-th call's fate depends
        # only on n and on whether it is a write: same seed + same calls = same faults.
        with self._lock:
            hit, which, when = self._rng.random(), self._rng.random(), self._rng.random()
        if hit >= self.rate:
            return None
        kinds = READ_FAULT_KINDS if call.is_read else FAULT_KINDS
        kind = kinds[int(which * len(kinds))]
        # Half the 500s and drops on writes happen after moto applied the write: the
        # product must survive "created, but the response was lost" without duplicates.
        after = not call.is_read and kind in ("500", "drop") and when < 0.5
        return Fault(kind, after)


def exempt_from_faults(call: AwsCall) -> bool:
    # Identity lookups stand for the credential chain, not for the control plane.
    return call.service == "sts" and call.operation == "GetCallerIdentity"


# --------------------------------------------------------------------------------------
# AWS-shaped error responses
# --------------------------------------------------------------------------------------

# (HTTP status, error type, message) per fault kind, for REST-JSON API Gateway.
APIGATEWAY_ERRORS: dict[str, tuple[int, str, str]] = {
    "429": (429, "TooManyRequestsException", "Too Many Requests"),
    "500": (500, "InternalFailure", "An internal error occurred. Please try again later."),
    "503": (503, "ServiceUnavailableException", "Service Unavailable"),
    "409": (409, "ConflictException", CONFLICT_MESSAGE),
}

# (HTTP status, Type, Code, Message) per fault kind, for query-protocol IAM/STS.
QUERY_ERRORS: dict[str, tuple[int, str, str, str]] = {
    "429": (400, "Sender", "Throttling", "Rate exceeded"),
    "500": (500, "Receiver", "ServiceFailure", "An internal error occurred. Please try again later."),
    "503": (503, "Receiver", "ServiceUnavailable", "Service is unavailable. Please try again later."),
    "409": (409, "Sender", "ConcurrentModification", CONFLICT_MESSAGE),
}

QUERY_NAMESPACES = {"iam": "https://iam.amazonaws.com/doc/2010-05-08/", "sts": "https://sts.amazonaws.com/doc/2011-06-15/"}

# (HTTP status, Code, Message) per fault kind, for REST-XML S3, from the S3 error code list
# https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
# S3 has no 429: it throttles with 503 SlowDown. Its 409 on a conditional write is
# ConditionalRequestConflict ("retry the upload", PutObject If-Match / If-None-Match in
# https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html), otherwise OperationAborted.
S3_ERRORS: dict[str, tuple[int, str, str]] = {
    "429": (503, "SlowDown", "Please reduce your request rate."),
    "500": (500, "InternalError", "We encountered an internal error. Please try again."),
    "503": (503, "ServiceUnavailable", "Service is unable to handle request."),
    "409": (409, "OperationAborted", "A conflicting conditional operation is currently in progress against this resource. Try again."),
}
S3_CONDITIONAL_CONFLICT = (
    409,
    "ConditionalRequestConflict",
    "A conflicting operation occurred. If using PutObject you can retry the request. "
    "If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part.",
)


def s3_error_response(kind: str, conditional: bool) -> tuple[int, Headers, bytes]:
    # S3's error body: <Error><Code/><Message/><RequestId/></Error>, no namespace
    # (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses).
    request_id = uuid.uuid4().hex[:16].upper()
    status, code, message = S3_CONDITIONAL_CONFLICT if kind == "409" and conditional else S3_ERRORS[kind]
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
        f"<RequestId>{request_id}</RequestId></Error>"
    )
    return status, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)], xml.encode()


def error_response(service: str, kind: str, conditional: bool = False) -> tuple[int, Headers, bytes]:
    request_id = str(uuid.uuid4())
    if service == "s3":
        return s3_error_response(kind, conditional)
    if service == "cloudtrail":  # JSON 1.1: {"__type", "message"}; a 429 is 400 ThrottlingException
        return cloudtrail.error_response(kind)
    if service == "apigateway":
        status, error_type, message = APIGATEWAY_ERRORS[kind]
        body = json.dumps({"message": message}, separators=(",", ":")).encode()
        headers = [("x-amzn-ErrorType", error_type), ("Content-Type", "application/json"), ("x-amzn-RequestId", request_id)]
        return status, headers, body
    status, type_, code, message = QUERY_ERRORS[kind]
    namespace = QUERY_NAMESPACES.get(service, QUERY_NAMESPACES["iam"])
    xml = (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>{type_}</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], xml.encode()


class DroppedConnection(ConnectionResetError):
    """Raised after resetting the client socket. werkzeug treats ConnectionError as a
    dropped connection: it writes nothing and logs nothing."""


def drop_connection(environ: WSGIEnviron) -> None:
    sock = environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        # SO_LINGER 0 makes the kernel answer with RST rather than FIN, and shutdown
        # cuts the connection now although werkzeug still holds file objects on it.
        # Node reports either as ECONNRESET / "socket hang up".
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise DroppedConnection("emulator fault: connection dropped")


# --------------------------------------------------------------------------------------
# Call recording
# --------------------------------------------------------------------------------------


class CallRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._generation = getattr(self, "_generation", 0) + 1
            self._t0 = time.monotonic()
            self._total = self._reads = self._writes = self._throttled = 0
            self._applied_then_failed = 0
            self._by_operation: dict[str, int] = {}
            self._faults = dict.fromkeys(FAULT_KINDS, 0)
            self._log: list[dict[str, Any]] = []

    def received(self, call: AwsCall) -> tuple[int, float]:
        """Counts a call on arrival (so throttled and faulted calls count too); returns
        a token for ``finished``."""
        with self._lock:
            self._total += 1
            if call.is_read:
                self._reads += 1
            else:
                self._writes += 1
            self._by_operation[call.name] = self._by_operation.get(call.name, 0) + 1
            return self._generation, time.monotonic() - self._t0

    def finished(
        self, token: tuple[int, float], call: AwsCall, status: int, *, throttled: bool = False, fault: Fault | None = None
    ) -> None:
        """Logs the outcome as the client saw it; status 0 = connection dropped."""
        generation, t = token
        with self._lock:
            if generation != self._generation:
                return  # counters were reset while this call was in flight
            # accessKey: which caller (process, account) made the call, from the SigV4 Credential.
            entry: dict[str, Any] = {"op": call.name, "status": status, "t": round(t * 1000, 1), "accessKey": call.access_key, "account": account_of(call.access_key)}
            if throttled:
                self._throttled += 1
                entry["throttled"] = True
            if fault is not None:
                self._faults[fault.kind] += 1
                entry["fault"] = fault.kind
                if fault.after:
                    self._applied_then_failed += 1
                    entry["applied"] = True
            self._log.append(entry)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self._total,
                "reads": self._reads,
                "writes": self._writes,
                "byOperation": dict(sorted(self._by_operation.items())),
                "throttled": self._throttled,
                "faults": dict(self._faults),
                # faulted writes that moto had applied before the client got a 500/drop
                "appliedThenFailed": self._applied_then_failed,
                "log": list(self._log),
            }


# --------------------------------------------------------------------------------------
# The middleware
# --------------------------------------------------------------------------------------


class ConfigError(ValueError):
    pass


class Emulator:
    def __init__(self, moto_app: Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]) -> None:
        self.moto_app = moto_app
        self.router = RestJsonRouter("apigateway")
        self.s3_router = RestJsonRouter("s3", match_members=True)
        self.recorder = CallRecorder()
        self.latency_ms = 0.0
        self.quota: Quota | None = None
        self.faults: Faults | None = None
        self.cloudtrail = cloudtrail.CloudTrail(drop_connection)

    # ---- configuration ----

    def config(self) -> dict[str, Any]:
        faults = self.faults
        return {
            "latencyMs": self.latency_ms,
            "quota": self.quota is not None,
            "faults": None if faults is None else {"rate": faults.rate, "seed": faults.seed},
            **self.cloudtrail.config(),
        }

    def configure(self, changes: dict[str, Any]) -> None:
        """Applies any subset of {latencyMs, quota, faults}. Validates everything first
        so that a bad request changes nothing. Setting quota refills the buckets;
        setting faults restarts the PRNG from its seed."""
        unknown = set(changes) - {"latencyMs", "quota", "faults", "cloudtrailDelayMs", "cloudtrailFail"}
        if unknown:
            raise ConfigError(f"unknown config keys: {sorted(unknown)}")
        latency = changes.get("latencyMs", self.latency_ms)
        if isinstance(latency, bool) or not isinstance(latency, (int, float)) or latency < 0:
            raise ConfigError("latencyMs must be a number >= 0")
        if "quota" in changes and not isinstance(changes["quota"], bool):
            raise ConfigError("quota must be a boolean")
        faults: Faults | None = self.faults
        if "faults" in changes:
            spec = changes["faults"]
            if spec is None:
                faults = None
            else:
                rate, seed = (spec.get("rate"), spec.get("seed", 0)) if isinstance(spec, dict) else (None, None)
                if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
                    raise ConfigError("faults.rate must be a number in [0, 1]")
                if isinstance(seed, bool) or not isinstance(seed, int):
                    raise ConfigError("faults.seed must be an integer")
                faults = Faults(float(rate), seed)
        try:
            ct_delay = cloudtrail.CloudTrail.check_delay(changes.get("cloudtrailDelayMs", self.cloudtrail.delay_ms))
            ct_fail = cloudtrail.CloudTrail.check_fail(changes["cloudtrailFail"]) if "cloudtrailFail" in changes else None
        except ValueError as error:
            raise ConfigError(str(error)) from None
        self.cloudtrail.delay_ms = ct_delay
        if "cloudtrailFail" in changes:
            self.cloudtrail.set_fail(ct_fail)
        self.latency_ms = float(latency)
        if "quota" in changes:
            self.quota = Quota() if changes["quota"] else None
        self.faults = faults

    def reset_all(self) -> None:
        from moto.moto_api._internal import moto_api_backend

        # moto's own reset (what POST /moto-api/reset does) re-initialises every backend
        # before dropping them all; for IAM that loads the AWS managed policies once per
        # partition for nothing (~0.9 s). moto reads this variable at each IAM backend
        # build, so switching it off for the duration skips only that wasted work.
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "false"
        try:
            moto_api_backend.reset()
        finally:
            os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        warm_up(self.moto_app)  # rebuilds IAM with the managed policies
        self.recorder.reset()
        self.cloudtrail.clear()  # the event history is AWS state too (delay and fail switch are kept)
        if self.quota is not None:
            self.quota = Quota()
        if self.faults is not None:
            self.faults = Faults(self.faults.rate, self.faults.seed)

    # ---- WSGI ----

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_emulator/"):
            return self.control(environ, start_response, path[len("/_emulator/") :])
        # Read the whole body up front: IAM's Action is in it, and an early error
        # answer must not leave unread bytes on the socket.
        length = environ.get("CONTENT_LENGTH") or "0"
        body = environ["wsgi.input"].read(int(length)) if length.isdigit() and int(length) > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        environ["emulator.body"] = body  # for the CloudTrail record of a write
        call = identify_call(environ, body, self.router, self.s3_router)
        if call is None:  # unsigned: moto-api, health probes... passed through, not counted
            return self.moto_app(environ, start_response)
        return self.aws_call(environ, start_response, call)

    def aws_call(self, environ: WSGIEnviron, start_response: StartResponse, call: AwsCall) -> Iterable[bytes]:
        token = self.recorder.received(call)
        if self.latency_ms > 0:
            time.sleep(self.latency_ms / 1000)  # stands for the network round trip

        # Drawn for every call, throttled or not, so that the n-th call gets the same
        # fault for the same seed even when quota mode is on too.
        faults = self.faults
        fault = None if faults is None or exempt_from_faults(call) else faults.draw(call)

        quota = self.quota
        if quota is not None and not quota.admit(call, quota_key(environ, call)):
            self.recorder.finished(token, call, 429, throttled=True)
            return respond(start_response, *error_response("cloudtrail" if call.service == "cloudtrail" else "apigateway", "429"))

        if fault is not None and not fault.after:
            if fault.kind == "drop":
                self.recorder.finished(token, call, 0, fault=fault)
                drop_connection(environ)
            status, headers, body = error_response(call.service, fault.kind, call.conditional)
            self.recorder.finished(token, call, status, fault=fault)
            return respond(start_response, status, headers, body)

        # Reach moto; buffer its answer to know the status (and to be able to lose it).
        captured: dict[str, Any] = {}

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None  # moto (Flask) returns an iterable; no write() use

        # CloudTrail LookupEvents is ours (cloudtrail.py): moto 5 has none.
        app = self.cloudtrail.app if cloudtrail.handles(call.service, call.operation) else self.moto_app
        try:
            chunks = app(environ, capture)
            try:
                payload = b"".join(chunks)
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
        except DroppedConnection:  # cloudtrailFail "drop" (cloudtrail.py): the connection is gone
            self.recorder.finished(token, call, 0)
            raise
        except Exception:
            # Flask turns moto's errors into responses; this is a bug in a patch. Log the
            # call (werkzeug answers 500 and prints the traceback to stderr).
            self.recorder.finished(token, call, 500)
            raise

        status_code = int(str(captured.get("status", "500")).split(" ", 1)[0])
        if not call.is_read and 200 <= status_code < 300 and call.service in cloudtrail.RECORDED_SERVICES:
            # A write that took effect (even if a fault now loses its answer): CloudTrail records it.
            self.cloudtrail.record(
                call.service, call.operation, call.access_key, account_of(call.access_key), environ,
                environ.get("emulator.body", b""), payload, captured.get("headers", []),
            )

        if fault is not None:  # fault.after: the write took effect, the answer is lost
            if fault.kind == "drop":
                self.recorder.finished(token, call, 0, fault=fault)
                drop_connection(environ)
            status, headers, body = error_response(call.service, fault.kind, call.conditional)
            self.recorder.finished(token, call, status, fault=fault)
            return respond(start_response, status, headers, body)

        status_line: str = captured.get("status", "500 INTERNAL SERVER ERROR")
        self.recorder.finished(token, call, int(status_line.split(" ", 1)[0]))
        start_response(status_line, captured.get("headers", []))
        return [payload]

    # ---- control endpoints ----

    def control(self, environ: WSGIEnviron, start_response: StartResponse, route: str) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if route == "health" and method == "GET":
                return json_response(start_response, 200, {"ok": True})
            if route == "calls" and method == "GET":
                return json_response(start_response, 200, self.recorder.snapshot())
            if route == "reset-calls" and method == "POST":
                self.recorder.reset()
                return json_response(start_response, 200, {"ok": True})
            if route == "reset" and method == "POST":
                self.reset_all()
                return json_response(start_response, 200, {"ok": True})
            if route == "cloudtrail" and method == "GET":
                return json_response(start_response, 200, self.cloudtrail.snapshot())
            if route == "cloudtrail/reset" and method == "POST":
                self.cloudtrail.clear()
                return json_response(start_response, 200, {"ok": True})
            if route == "cloudtrail/deliver" and method == "POST":
                return json_response(start_response, 200, {"ok": True, "delivered": self.cloudtrail.deliver_all()})
            if route == "config" and method == "GET":
                return json_response(start_response, 200, self.config())
            if route == "config" and method == "POST":
                length = environ.get("CONTENT_LENGTH") or "0"
                raw = environ["wsgi.input"].read(int(length)) if length.isdigit() else b""
                changes = json.loads(raw or b"{}")
                if not isinstance(changes, dict):
                    raise ConfigError("config body must be a JSON object")
                self.configure(changes)
                return json_response(start_response, 200, self.config())
        except (ConfigError, json.JSONDecodeError) as error:
            return json_response(start_response, 400, {"error": str(error)})
        return json_response(start_response, 404, {"error": f"no control endpoint {method} /_emulator/{route}"})


def respond(start_response: StartResponse, status: int, headers: Headers, body: bytes) -> list[bytes]:
    reasons = {200: "OK", 400: "Bad Request", 404: "Not Found", 409: "Conflict", 429: "Too Many Requests",
               500: "Internal Server Error", 503: "Service Unavailable"}
    start_response(f"{status} {reasons.get(status, 'Error')}", [*headers, ("Content-Length", str(len(body)))])
    return [body]


def json_response(start_response: StartResponse, status: int, payload: Any) -> list[bytes]:
    return respond(start_response, status, [("Content-Type", "application/json")], json.dumps(payload).encode())


# --------------------------------------------------------------------------------------
# Start-up
# --------------------------------------------------------------------------------------


def warm_up(moto_app: Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]) -> None:
    """Builds now what moto builds lazily during the first AWS calls, so that it is paid
    at start-up and reset, not inside a test's first timed or quota-limited calls: each
    service's Flask app and URL map (~0.2 s), and, to find the account of a request, the
    IAM backend of every partition with its ~1,000 AWS managed policies (~0.7 s).
    Sends one read per service straight to moto: not counted, nothing created."""
    from werkzeug.test import EnvironBuilder

    reads = [
        ("apigateway", "GET", "/restapis", None),
        ("iam", "POST", "/", "Action=ListRoles&Version=2010-05-08"),
        ("sts", "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15"),
        ("s3", "GET", "/", None),  # ListBuckets: the state store and lease live in S3
    ]
    for service, method, path, form in reads:
        auth = f"AWS4-HMAC-SHA256 Credential=warm-up/20250101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"
        builder = EnvironBuilder(
            path=path, method=method, headers={"Authorization": auth}, data=form,
            content_type="application/x-www-form-urlencoded" if form else None,
        )
        response = moto_app(builder.get_environ(), lambda *_args: lambda _data: None)
        for _ in response:
            pass
        close = getattr(response, "close", None)
        if close is not None:
            close()


def install_patches() -> None:
    """Fills moto's API Gateway / IAM gaps via the sibling moto_patches module, if any."""
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    try:
        import moto_patches  # type: ignore[import-not-found]
    except ModuleNotFoundError as error:
        if error.name != "moto_patches":
            raise  # the module exists but is broken: fail loudly rather than test unpatched moto
        print("emulator: moto_patches.py not found, running plain moto", file=sys.stderr, flush=True)
        return
    moto_patches.install()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="0 = any free port (default)")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay before each AWS call")
    parser.add_argument("--quota", action="store_true", help="enforce API Gateway control-plane quotas")
    parser.add_argument("--faults", type=float, default=None, metavar="RATE", help="share of AWS calls that fail")
    parser.add_argument("--fault-seed", type=int, default=0, help="PRNG seed for --faults")
    parser.add_argument("--cloudtrail-delay-ms", type=float, default=0, help="CloudTrail event delivery delay")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    install_patches()
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        # One log line per request would flood the parent's stderr pipe.
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass

    emulator = Emulator(DomainDispatcherApplication(create_backend_app))
    warm_up(emulator.moto_app)
    try:
        emulator.configure({
            "latencyMs": args.latency_ms,
            "quota": args.quota,
            "faults": None if args.faults is None else {"rate": args.faults, "seed": args.fault_seed},
            "cloudtrailDelayMs": args.cloudtrail_delay_ms,
        })
    except ConfigError as error:
        print(f"emulator: {error}", file=sys.stderr)
        return 2

    server = make_server(HOST, args.port, emulator, threaded=True, request_handler=QuietHandler)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    parent = os.getppid()

    def watch_parent() -> None:
        # If the test runner dies without stopping us (SIGKILL), we are re-parented:
        # exit rather than linger holding memory and a port.
        while not stop.wait(1.0):
            if os.getppid() != parent:
                stop.set()

    # Short poll intervals so that SIGTERM stops the server within ~0.1 s.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="serve", daemon=True).start()
    threading.Thread(target=watch_parent, name="watch-parent", daemon=True).start()
    emulator.recorder.reset()  # log times count from READY, not from the warm-up
    print(f"READY http://{HOST}:{server.server_port}", flush=True)
    while not stop.wait(0.1):  # short waits keep the main thread responsive to signals
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
