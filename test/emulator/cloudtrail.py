"""CloudTrail ``LookupEvents`` for the test AWS emulator (issue 12: "only what changed, between full scans").

moto 5.2.1 has no LookupEvents (its cloudtrail backend only manages trails), so this module keeps its own
event history: ``server.py`` hands it every API Gateway and IAM write call that succeeded (``record``), and
routes the signed CloudTrail ``LookupEvents`` calls here (``app``) instead of to moto.

Everything below follows the sources listed in test/emulator/SOURCES.md section 6; the short names used in
comments (``API-LookupEvents``, ``API-Event``, ``AGW-CT``...) are defined there.

- History: one record per write call that reached moto and succeeded (2xx), including writes whose
  response the faults mode then lost ("applied"): CloudTrail logs what AWS did, not what the client saw.
  Reads (Get*/List*/Head*) and calls to other services are not recorded.
- Delivery delay: an event becomes visible ``delay_ms`` after its call (the delay in force when the
  call was made; real CloudTrail delivers within minutes, "typically about 5 minutes": CT-delivery).
- Lookup semantics (API-LookupEvents): newest first; at most one lookup attribute; MaxResults 1..50,
  default 50; StartTime/EndTime inclusive; NextToken only valid with the same parameters; the Region
  and account of the caller only; IAM events are in us-east-1 (CT-global).
- Quota (API-LookupEvents "two per second, per account, per Region"): a (2, 2/s) token bucket, used by
  server.py's ``--quota`` mode (``QUOTAS``); the throttling answer is ``ThrottlingException``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
Headers = list[tuple[str, str]]

# Token buckets for server.py's Quota (capacity, refill per second), keyed by operation.
# API-LookupEvents: "The rate of lookup requests is limited to two per second, per account, per Region."
QUOTAS: dict[str, tuple[float, float]] = {"LookupEvents": (2, 2.0)}

RECORDED_SERVICES = {"apigateway": "apigateway.amazonaws.com", "iam": "iam.amazonaws.com"}
# API-LookupEvents / the SDK's LookupAttributeKey enum.
ATTRIBUTE_KEYS = ("EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId")
MAX_RESULTS = 50
# AWS keeps 90 days; a long benchmark run must not grow without bound: the oldest events go first.
MAX_EVENTS = 50_000
# CT-global: IAM is a global service; its events are delivered to US East (N. Virginia).
GLOBAL_SERVICE_REGION = "us-east-1"
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"

# (HTTP status, __type, message) for the JSON 1.1 protocol (CloudTrail). ThrottlingException / "Rate
# exceeded": the answer quoted for LookupEvents throttling (SOURCES.md section 6, CT-throttle);
# InternalFailure 500 and ServiceUnavailable 503: the common errors of the CloudTrail API reference.
ERRORS: dict[str, tuple[int, str, str]] = {
    "429": (400, "ThrottlingException", "Rate exceeded"),
    "500": (500, "InternalFailure", "An internal error occurred. Please try again later."),
    "503": (503, "ServiceUnavailable", "Service is unavailable. Please try again later."),
    # a write cannot reach LookupEvents (a read), but the faults mode may still ask for it
    "409": (400, "ConcurrentModificationException", "Unable to complete operation due to concurrent modification."),
}
FAIL_KINDS = ("429", "500", "503", "drop")

_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/,\s]+)/aws4_request")


class LookupError_(ValueError):
    """A 400 client error of LookupEvents: (type, message)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def error_response(kind: str) -> tuple[int, Headers, bytes]:
    status, error_type, message = ERRORS[kind]
    return json_error(status, error_type, message)


def json_error(status: int, error_type: str, message: str) -> tuple[int, Headers, bytes]:
    request_id = str(uuid.uuid4())
    body = json.dumps({"__type": error_type, "message": message}).encode()
    return status, [("Content-Type", JSON_CONTENT_TYPE), ("x-amzn-RequestId", request_id)], body


def handles(service: str, operation: str) -> bool:
    """The calls server.py routes here instead of to moto."""
    return service == "cloudtrail" and operation == "LookupEvents"


# --------------------------------------------------------------------------------------
# Building an event from a call
# --------------------------------------------------------------------------------------


@dataclass
class Event:
    seq: int  # record order: ties within one second are broken by it (newest first)
    time: float  # epoch seconds, whole (CloudTrail's eventTime has second precision: AGW-CT sample)
    deliver_at: float  # epoch seconds when LookupEvents may return it
    account: str
    region: str
    source: str
    name: str
    access_key: str
    username: str
    resources: list[dict[str, str]]
    record: dict[str, Any] = field(default_factory=dict)

    def lookup_item(self) -> dict[str, Any]:
        # API-Event: the shape of one item of LookupEvents' Events.
        return {
            "EventId": self.record["eventID"],
            "EventName": self.name,
            "ReadOnly": "false",
            "AccessKeyId": self.access_key,
            "EventTime": self.time,
            "EventSource": self.source,
            "Username": self.username,
            "Resources": self.resources,
            "CloudTrailEvent": json.dumps(self.record, separators=(",", ":")),
        }

    def attribute(self, key: str) -> list[str]:
        """The values an attribute filter compares with (API-LookupEvents attribute keys)."""
        if key == "EventId":
            return [self.record["eventID"]]
        if key == "EventName":
            return [self.name]
        if key == "ReadOnly":
            return ["false"]
        if key == "Username":
            return [self.username]
        if key == "ResourceType":
            return [r["ResourceType"] for r in self.resources]
        if key == "ResourceName":
            return [r["ResourceName"] for r in self.resources]
        if key == "EventSource":
            return [self.source]
        if key == "AccessKeyId":
            return [self.access_key]
        return []


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def user_identity(access_key: str, account: str) -> tuple[dict[str, Any], str]:
    """CloudTrail's userIdentity and LookupEvents' Username for the caller, as moto's GetCallerIdentity
    sees it (an assumed role's session, an IAM user, else moto's default ``user/moto``).
    Shapes: CT-userIdentity (type, principalId, arn, accountId, accessKeyId, userName / sessionContext)."""
    try:
        from moto.iam.models import iam_backends
        from moto.sts.models import sts_backends

        sts = sts_backends[account]["aws"]
        role = sts.get_assumed_role_from_access_key(access_key)
        if role is not None:
            issuer = role.role_arn
            identity = {
                "type": "AssumedRole",
                "principalId": role.user_id,
                "arn": role.arn,
                "accountId": account,
                "accessKeyId": access_key,
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": issuer, "accountId": account, "userName": issuer.split("/")[-1]}},
            }
            return identity, role.session_name
        user = iam_backends[account]["aws"].get_user_from_access_key_id(access_key)
        if user is not None:
            identity = {"type": "IAMUser", "principalId": user.id, "arn": user.arn, "accountId": account, "accessKeyId": access_key, "userName": user.name}
            return identity, user.name
    except Exception:  # identity is decoration: never let it lose an event
        pass
    arn = f"arn:aws:sts::{account}:user/moto"  # moto's GetCallerIdentity default for unknown keys
    return {"type": "IAMUser", "principalId": "AKIAIOSFODNN7EXAMPLE", "arn": arn, "accountId": account, "accessKeyId": access_key, "userName": "moto"}, "moto"


class ApiGatewayShapes:
    """requestParameters / responseElements of API Gateway events (AGW-CT, STACKD, LS-input; section 6)."""

    # HAL-style link objects API Gateway puts in responseElements of create calls (STACKD: relation
    # names; TAGGER reads responseElements.restapiUpdate.restApiId of CreateRestApi). Only a few are
    # emulated: self + update + delete (+ the root resourceCreate of a new API).
    LINKS: dict[str, tuple[str, list[str]]] = {
        "CreateRestApi": ("restapi", ["restApiId"]),
        "CreateResource": ("resource", ["restApiId", "resourceId"]),
        "CreateDeployment": ("deployment", ["restApiId", "deploymentId"]),
        "PutMethod": ("method", ["restApiId", "resourceId", "httpMethod"]),
        "PutIntegration": ("integration", ["restApiId", "resourceId", "httpMethod"]),
    }
    # Request bodies that are a document, not JSON members (PutRestApi / ImportRestApi: an OpenAPI file).
    # Not recorded (inferred: CloudTrail omits large/binary bodies).
    BLOB_BODY = {"PutRestApi", "ImportRestApi"}

    def __init__(self) -> None:
        import botocore.session

        self.model = botocore.session.get_session().get_service_model("apigateway")

    def request_parameters(self, operation: str, environ: WSGIEnviron, body: bytes) -> dict[str, Any]:
        params: dict[str, Any] = {}
        try:
            op = self.model.operation_model(operation)
        except Exception:
            return {"template": False}
        shape = op.input_shape
        if shape is not None:
            uri_values = self._uri_labels(op.http["requestUri"], environ)
            query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
            for member, member_shape in shape.members.items():
                where = member_shape.serialization.get("location")
                wire = member_shape.serialization.get("name", member)
                if where == "uri" and wire in uri_values:
                    params[member] = uri_values[wire]
                elif where == "querystring" and wire in query:
                    params[member] = query[wire]
        if operation not in self.BLOB_BODY and body:
            try:
                members = json.loads(body)
            except ValueError:
                members = None
            if isinstance(members, dict) and members:
                # The body members go under "<operation>Input" (LS-input: AWS's own validation messages
                # name them 'createRestApiInput.apiKeySource', 'updateMethodResponseInput.patchOperations';
                # STACKD: createRestApiInput, putMethodInput, putIntegrationInput, createDeploymentInput).
                params[_lower_camel(operation) + "Input"] = members
        params["template"] = False  # AGW-CT sample, STACKD
        return params

    @staticmethod
    def _uri_labels(template: str, environ: WSGIEnviron) -> dict[str, str]:
        raw = urlsplit(environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")).path
        path = template.partition("?")[0]
        names: list[str] = []
        parts: list[str] = []
        for seg in [s for s in path.split("/") if s]:
            label = re.fullmatch(r"\{([^}]+)\}", seg)
            if label is None:
                parts.append(re.escape(seg))
            else:
                name = label.group(1).rstrip("+")
                names.append(name)
                parts.append("(.+)" if label.group(1).endswith("+") or name.lower().endswith("arn") else "([^/]+)")
        match = re.fullmatch("/" + "/".join(parts) + "/?", raw)
        if match is None:
            return {}
        return {n: unquote(v) for n, v in zip(names, match.groups())}

    def response_elements(self, operation: str, request: dict[str, Any], payload: bytes) -> dict[str, Any] | None:
        try:
            answer = json.loads(payload) if payload else None
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            return None  # Delete* answer 202/204 without a body: responseElements null (AGW-CT sample)
        for key in ("createdDate", "lastUpdatedDate"):  # STACKD: RFC 3339 in the record
            if isinstance(answer.get(key), (int, float)):
                answer[key] = _iso(answer[key])
        link = self.LINKS.get(operation)
        if link is not None:
            kind, names = link
            ids = {**request, **({"restApiId": answer.get("id")} if operation == "CreateRestApi" else {})}
            if operation == "CreateResource":
                ids["resourceId"] = answer.get("id")
            if operation == "CreateDeployment":
                ids["deploymentId"] = answer.get("id")
            target = {n: ids[n] for n in names if ids.get(n) is not None}
            for relation in ("self", f"{kind}Update", f"{kind}Delete"):
                answer[relation] = {**target, "template": False}
            if operation == "CreateRestApi" and answer.get("rootResourceId"):
                answer["resourceCreate"] = {**target, "parentId": answer["rootResourceId"], "template": False}
        return answer

    @staticmethod
    def resources(request: dict[str, Any], response: dict[str, Any] | None) -> list[dict[str, str]]:
        api_id = request.get("restApiId")
        if api_id is None and response is not None:
            api_id = response.get("id") if "restapiUpdate" in response else None
        arn = request.get("resourceArn")
        if api_id is None and isinstance(arn, str):
            match = re.search(r"/restapis/([^/]+)", arn)
            api_id = match.group(1) if match else None
        return [{"ResourceType": "AWS::ApiGateway::RestApi", "ResourceName": api_id}] if api_id else []


class IamShapes:
    """requestParameters / responseElements of IAM events (IAM-CT, TAGGER; section 6)."""

    INTEGER_PARAMS = {"MaxSessionDuration", "MaxItems"}

    @classmethod
    def request_parameters(cls, body: bytes, environ: WSGIEnviron) -> dict[str, Any]:
        pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            pairs += parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        params: dict[str, Any] = {}
        lists: dict[str, dict[int, Any]] = {}
        for key, value in pairs:
            if key in ("Action", "Version"):
                continue
            parts = key.split(".")
            if len(parts) >= 3 and parts[1] == "member" and parts[2].isdigit():
                # Tags.member.1.Key -> tags: [{key: ...}]; TagKeys.member.1 -> tagKeys: [...]
                items = lists.setdefault(_lower_camel(parts[0]), {})
                index = int(parts[2])
                if len(parts) == 3:
                    items[index] = value
                else:
                    entry = items.setdefault(index, {})
                    if isinstance(entry, dict):
                        entry[_lower_camel(parts[3])] = value
                continue
            params[_lower_camel(key)] = int(value) if key in cls.INTEGER_PARAMS and value.isdigit() else value
        for name, items in lists.items():
            params[name] = [items[i] for i in sorted(items)]
        return params

    @classmethod
    def response_elements(cls, payload: bytes) -> dict[str, Any] | None:
        """The *Result element as JSON when it has content (CreateRole -> {"role": {...}}), else null
        (PutRolePolicy, DeleteRole, TagRole, UpdateAssumeRolePolicy...: IAM-CT)."""
        try:
            root = ET.fromstring(payload)
        except ET.ParseError:
            return None
        result = next((el for el in root if el.tag.split("}")[-1].endswith("Result")), None)
        if result is None or len(result) == 0:
            return None
        value = cls._convert(result)
        return value if isinstance(value, dict) and value else None

    @classmethod
    def _convert(cls, element: ET.Element) -> Any:
        children = list(element)
        if not children:
            text = element.text or ""
            return unquote(text) if "%7B" in text or "%22" in text else text  # policy documents are URL-encoded
        if all(c.tag.split("}")[-1] == "member" for c in children):
            return [cls._convert(c) for c in children]
        return {_lower_camel(c.tag.split("}")[-1]): cls._convert(c) for c in children}

    @staticmethod
    def resources(request: dict[str, Any]) -> list[dict[str, str]]:
        found = []
        if request.get("roleName"):
            found.append({"ResourceType": "AWS::IAM::Role", "ResourceName": request["roleName"]})
        if request.get("policyArn"):
            found.append({"ResourceType": "AWS::IAM::Policy", "ResourceName": request["policyArn"]})
        return found


# --------------------------------------------------------------------------------------
# The history and LookupEvents
# --------------------------------------------------------------------------------------


class CloudTrail:
    def __init__(self, drop_connection: Callable[[WSGIEnviron], None]) -> None:
        self._lock = threading.Lock()
        self._events: list[Event] = []
        self._seq = 0
        self.delay_ms = 0.0
        self._fail: dict[str, Any] | None = None  # {"kind": ..., "times": n | None}
        self._drop = drop_connection
        # Built now (~botocore model load) so that it is paid at start-up, not inside a test's first write.
        self._apigateway = ApiGatewayShapes()

    # ---- configuration (server.py's /_emulator/config keys cloudtrailDelayMs, cloudtrailFail) ----

    @staticmethod
    def check_delay(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError("cloudtrailDelayMs must be a number >= 0")
        return float(value)

    @staticmethod
    def check_fail(spec: Any) -> dict[str, Any] | None:
        """null (off), a kind ("500", "503", "429", "drop"), or {"kind": k, "times": n} (the next n calls)."""
        if spec is None:
            return None
        kind, times = (spec.get("kind"), spec.get("times")) if isinstance(spec, dict) else (spec, None)
        if kind not in FAIL_KINDS:
            raise ValueError(f"cloudtrailFail.kind must be one of {list(FAIL_KINDS)}")
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise ValueError("cloudtrailFail.times must be an integer >= 1")
        return {"kind": kind, "times": times}

    def config(self) -> dict[str, Any]:
        with self._lock:
            fail = None if self._fail is None else dict(self._fail)
        return {"cloudtrailDelayMs": self.delay_ms, "cloudtrailFail": fail}

    def set_fail(self, fail: dict[str, Any] | None) -> None:
        with self._lock:
            self._fail = fail

    def clear(self) -> None:
        with self._lock:
            self._events.clear()

    def deliver_all(self) -> int:
        """Makes every recorded event visible now; returns how many were still pending."""
        now = time.time()
        with self._lock:
            pending = [e for e in self._events if e.deliver_at > now]
            for event in pending:
                event.deliver_at = now
            return len(pending)

    def snapshot(self) -> dict[str, Any]:
        """Every recorded event, delivered or not, oldest first (for test diagnostics)."""
        now = time.time()
        with self._lock:
            events = list(self._events)
        return {
            "delayMs": self.delay_ms,
            "events": [{**e.lookup_item(), "delivered": e.deliver_at <= now, "deliverAt": e.deliver_at, "account": e.account, "region": e.region} for e in events],
        }

    # ---- recording (called by server.py for every AWS call that reached moto) ----

    def record(self, service: str, operation: str, access_key: str, account: str, environ: WSGIEnviron, body: bytes, payload: bytes, response_headers: Headers) -> None:
        source = RECORDED_SERVICES.get(service)
        if source is None:
            return
        try:
            event = self._build(service, source, operation, access_key, account, environ, body, payload, response_headers)
        except Exception as error:  # a bug here must not fail the AWS call the client made
            print(f"emulator: cloudtrail could not record {service}:{operation}: {error!r}", flush=True)
            return
        with self._lock:
            self._seq += 1
            event.seq = self._seq
            self._events.append(event)
            if len(self._events) > MAX_EVENTS:
                del self._events[: len(self._events) - MAX_EVENTS]

    def _build(self, service: str, source: str, operation: str, access_key: str, account: str, environ: WSGIEnviron, body: bytes, payload: bytes, response_headers: Headers) -> Event:
        now = time.time()
        event_time = float(int(now))
        match = _CREDENTIAL_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
        region = match.group(2) if match else GLOBAL_SERVICE_REGION
        if service == "iam":
            region = GLOBAL_SERVICE_REGION
            request = IamShapes.request_parameters(body, environ)
            response = IamShapes.response_elements(payload)
            resources = IamShapes.resources(request)
        else:
            request = self._apigateway.request_parameters(operation, environ, body)
            response = self._apigateway.response_elements(operation, request, payload)
            resources = ApiGatewayShapes.resources(request, response)
        identity, username = user_identity(access_key, account)
        request_id = next((v for k, v in response_headers if k.lower() in ("x-amzn-requestid", "x-amz-request-id")), None) or str(uuid.uuid4())
        # CT-record: the fields of a CloudTrail record (AGW-CT and IAM-CT samples).
        record = {
            "eventVersion": "1.09",
            "userIdentity": identity,
            "eventTime": _iso(event_time),
            "eventSource": source,
            "eventName": operation,
            "awsRegion": region,
            "sourceIPAddress": environ.get("REMOTE_ADDR", "127.0.0.1"),
            "userAgent": environ.get("HTTP_USER_AGENT", ""),
            "requestParameters": request,
            "responseElements": response,
            "requestID": request_id,
            "eventID": str(uuid.uuid4()),
            "readOnly": False,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": account,
            "eventCategory": "Management",
        }
        return Event(
            seq=0, time=event_time, deliver_at=now + self.delay_ms / 1000, account=account, region=region, source=source,
            name=operation, access_key=access_key, username=username, resources=resources, record=record,
        )

    # ---- LookupEvents ----

    def app(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        """WSGI app answering CloudTrail LookupEvents (JSON 1.1) for server.py."""
        with self._lock:
            fail = self._fail
            if fail is not None and fail["times"] is not None:
                fail["times"] -= 1
                if fail["times"] <= 0:
                    self._fail = None
        if fail is not None:
            if fail["kind"] == "drop":
                self._drop(environ)
            return _respond(start_response, *error_response(fail["kind"]))
        length = environ.get("CONTENT_LENGTH") or "0"
        raw = environ["wsgi.input"].read(int(length)) if length.isdigit() and int(length) > 0 else b""
        match = _CREDENTIAL_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
        access_key, region = (match.group(1), match.group(2)) if match else ("", GLOBAL_SERVICE_REGION)
        from moto.iam.models import get_account_id_from

        try:
            request = json.loads(raw or b"{}")
            if not isinstance(request, dict):
                raise LookupError_("SerializationException", "Start of structure or map found where not expected.")
            answer = self.lookup(request, get_account_id_from(access_key), region)
        except ValueError as error:
            error_type = error.error_type if isinstance(error, LookupError_) else "SerializationException"
            return _respond(start_response, *json_error(400, error_type, str(error)))
        body = json.dumps(answer).encode()
        return _respond(start_response, 200, [("Content-Type", JSON_CONTENT_TYPE), ("x-amzn-RequestId", str(uuid.uuid4()))], body)

    def lookup(self, request: dict[str, Any], account: str, region: str) -> dict[str, Any]:
        attributes = request.get("LookupAttributes") or []
        if not isinstance(attributes, list):
            raise LookupError_("InvalidLookupAttributesException", "LookupAttributes must be a list.")
        # API-LookupEvents: "Currently the list can contain only one item."
        if len(attributes) > 1:
            raise LookupError_("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.")
        attribute: tuple[str, str] | None = None
        if attributes:
            item = attributes[0] if isinstance(attributes[0], dict) else {}
            key, value = item.get("AttributeKey"), item.get("AttributeValue")
            if key not in ATTRIBUTE_KEYS:
                raise LookupError_("InvalidLookupAttributesException", f"Lookup attribute key '{key}' is not valid. Valid keys: {', '.join(ATTRIBUTE_KEYS)}.")
            if not isinstance(value, str) or not value:
                raise LookupError_("InvalidLookupAttributesException", "The lookup attribute value must not be empty.")
            attribute = (key, value)

        category = request.get("EventCategory")
        if category is not None and category != "insight":
            raise LookupError_("InvalidEventCategoryException", f"Event category '{category}' is not valid.")

        max_results = request.get("MaxResults", MAX_RESULTS)
        if isinstance(max_results, bool) or not isinstance(max_results, int) or not 1 <= max_results <= MAX_RESULTS:
            raise LookupError_("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")

        start, end = _timestamp(request.get("StartTime")), _timestamp(request.get("EndTime"))
        if start is not None and end is not None and start > end:
            raise LookupError_("InvalidTimeRangeException", "Start time must be before or equal to the end time.")

        # NextToken: the last returned event's (time, seq) position, bound to the query (API-LookupEvents: "must be passed
        # in with the same parameters that were specified in the original call").
        query_key = hashlib.sha256(json.dumps([attribute, start, end, category], default=str).encode()).hexdigest()[:16]
        before: tuple[float, int] | None = None
        token = request.get("NextToken")
        if token is not None:
            try:
                decoded = json.loads(base64.urlsafe_b64decode(str(token).encode()))
                before, token_key = (float(decoded["before"][0]), int(decoded["before"][1])), decoded["query"]
            except Exception:
                raise LookupError_("InvalidNextTokenException", "Invalid NextToken.") from None
            if token_key != query_key:
                raise LookupError_("InvalidNextTokenException", "The NextToken was issued for a request with different parameters.")

        if category == "insight":
            return {"Events": []}  # no Insights events are emulated

        now = time.time()
        with self._lock:
            candidates = [e for e in self._events if e.deliver_at <= now and e.account == account and e.region == region]
        matched = [
            e for e in candidates
            if (start is None or e.time >= start) and (end is None or e.time <= end)
            and (before is None or (e.time, e.seq) < before)
            and (attribute is None or attribute[1] in e.attribute(attribute[0]))
        ]
        matched.sort(key=lambda e: (e.time, e.seq), reverse=True)  # newest first
        page = matched[:max_results]
        answer: dict[str, Any] = {"Events": [e.lookup_item() for e in page]}
        if len(matched) > max_results:
            next_token = {"before": [page[-1].time, page[-1].seq], "query": query_key}
            answer["NextToken"] = base64.urlsafe_b64encode(json.dumps(next_token).encode()).decode()
        return answer


def _timestamp(value: Any) -> float | None:
    """JSON 1.1 timestamps are epoch seconds (the SDKs send numbers); ISO 8601 strings accepted too."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise LookupError_("SerializationException", "Invalid timestamp.")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise LookupError_("SerializationException", f"Invalid timestamp: {value}") from None


def _respond(start_response: StartResponse, status: int, headers: Headers, body: bytes) -> list[bytes]:
    reasons = {200: "OK", 400: "Bad Request", 500: "Internal Server Error", 503: "Service Unavailable"}
    start_response(f"{status} {reasons.get(status, 'Error')}", [*headers, ("Content-Length", str(len(body)))])
    return [body]
