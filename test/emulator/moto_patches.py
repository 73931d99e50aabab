"""In-process patches that make moto 5.2.1 behave like real API Gateway (REST v1), IAM and S3
for everything apigw-reconciler calls. Call ``install()`` once, before the server handles
its first request (moto builds its URL map lazily on the first request of a service).

Nothing in the installed moto package is edited: methods are added to / replaced on
moto's classes at run time. Every patch carries a one-line comment saying what AWS does.
See /work/shared/aws-notes.md for the list of gaps this fills.
"""

from __future__ import annotations

import copy
import json
import re
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from typing import Any, Callable, Iterator
from urllib.parse import quote, unquote

_INSTALLED = False
# One lock for every API Gateway call: the threaded server would otherwise interleave
# read-modify-write sequences on the same API (AWS serialises them per API, answering
# ConflictException on real overlap; here we simply serialise).
_LOCK = threading.RLock()

HTTP_VERBS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "ANY"]
PATCH_OPS = ["add", "remove", "replace", "move", "copy", "test"]
PATH_PART_RE = re.compile(r"^\{?[a-zA-Z0-9._\-:]+\+?\}?$")


def install() -> None:
    """Apply every patch (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    _patch_errors()
    _patch_routes()
    _patch_models()
    _patch_responses()
    _patch_iam()
    _patch_s3()
    _INSTALLED = True


# --------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------


def _exc() -> Any:
    from moto.apigateway import exceptions

    return exceptions


def _bad(message: str) -> Exception:
    return _exc().BadRequestException(message)


def _not_found(message: str = "Invalid Resource identifier specified") -> Exception:
    return _exc().NotFoundException(message)


def _conflict(message: str) -> Exception:
    return _exc().ConflictException(message)


def _unescape(segment: str) -> str:
    # JSON Pointer (RFC 6901) as API Gateway uses it: "~1" is "/", "~0" is "~".
    return segment.replace("~1", "/").replace("~0", "~")


class _Op:
    """One API Gateway PatchOperation, validated the way AWS validates the envelope."""

    def __init__(self, raw: Any):
        if not isinstance(raw, dict):
            raise _bad("Invalid patch operation specified")
        self.op = raw.get("op")
        self.path = raw.get("path")
        self.value = raw.get("value")
        self.from_ = raw.get("from")
        if self.op not in PATCH_OPS:
            # AWS: enum validation of op.
            raise _bad(
                f"Invalid patch operation specified. Must be one of: [{', '.join(PATCH_OPS)}]"
            )
        if not isinstance(self.path, str) or not self.path.startswith("/"):
            raise _bad(f"Invalid patch path '{self.path}' specified for op '{self.op}'")
        self.raw_segments = self.path[1:].split("/")
        self.segments = [_unescape(s) for s in self.raw_segments]

    @property
    def head(self) -> str:
        return self.segments[0]

    def key(self) -> str:
        """The map key after the first segment (`/requestTemplates/application~1json` -> application/json)."""
        if len(self.segments) != 2 or self.segments[1] == "":
            raise self.invalid()
        return self.segments[1]

    def need_value(self) -> str:
        # AWS: every add/replace carries a string value.
        if self.value is None:
            raise _bad(f"Invalid null or empty value in patch operation '{self.op}' on '{self.path}'")
        return str(self.value)

    def invalid(self, allowed: list[str] | None = None) -> Exception:
        msg = f"Invalid patch path '{self.path}' specified for op '{self.op}'."
        if allowed:
            msg += f" Must be one of: [{', '.join(allowed)}]"
        return _bad(msg)

    def bad_op(self, allowed_ops: list[str]) -> Exception:
        return _bad(
            f"Invalid patch operation '{self.op}' specified for path '{self.path}'. "
            f"Must be one of: [{', '.join(allowed_ops)}]"
        )


def _ops(raw_ops: Any) -> list[_Op]:
    if raw_ops is None:
        return []
    if not isinstance(raw_ops, list):
        raise _bad("Invalid patch operations specified")
    return [_Op(o) for o in raw_ops]


def _to_bool(op: _Op) -> bool:
    v = op.need_value().strip().lower()
    if v not in ("true", "false"):
        # AWS: booleans in patch values are the strings "true"/"false".
        raise _bad(f"Invalid boolean value '{op.value}' for '{op.path}'")
    return v == "true"


def _to_int(op: _Op, lo: int | None = None, hi: int | None = None) -> int:
    try:
        v = int(op.need_value())
    except ValueError:
        raise _bad(f"Invalid numeric value '{op.value}' for '{op.path}'")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise _bad(f"Value {v} for '{op.path}' is out of range")
    return v


def _to_float(op: _Op) -> float:
    try:
        return float(op.need_value())
    except ValueError:
        raise _bad(f"Invalid numeric value '{op.value}' for '{op.path}'")


def _enum(op: _Op, allowed: list[str]) -> str:
    v = op.need_value()
    if v not in allowed:
        raise _bad(f"Invalid value '{v}' for '{op.path}'. Must be one of: [{', '.join(allowed)}]")
    return v


def _map_op(current: dict[str, Any] | None, op: _Op, convert: Callable[[_Op], Any]) -> dict[str, Any] | None:
    """add/replace/remove one key of a string-keyed map (requestParameters, requestTemplates...)."""
    key = op.key()
    result = dict(current or {})
    if op.op in ("add", "replace"):
        result[key] = convert(op)
    elif op.op == "remove":
        result.pop(key, None)
    else:
        raise op.bad_op(["add", "replace", "remove"])
    return result or None


@contextmanager
def _atomic(obj: Any, attrs: list[str]) -> Iterator[None]:
    # AWS applies a PATCH request's operations all-or-nothing.
    saved = {a: copy.deepcopy(getattr(obj, a, None)) for a in attrs}
    try:
        yield
    except Exception:
        for a, v in saved.items():
            setattr(obj, a, v)
        raise


def _page(items: list[Any], querystring: dict[str, Any]) -> tuple[list[Any], str | None]:
    """AWS paging: `limit` (default 25, max 500) and an opaque `position`."""
    limit_raw = (querystring.get("limit") or [None])[0]
    position = (querystring.get("position") or [None])[0]
    limit = 25
    if limit_raw not in (None, ""):
        try:
            limit = int(limit_raw)
        except ValueError:
            raise _bad("Invalid limit specified")
        if limit < 1 or limit > 500:
            # AWS: limit must be within 1..500.
            raise _bad("The maximum limit is 500 and the minimum is 1")
    start = 0
    if position not in (None, ""):
        try:
            start = int(position)
        except ValueError:
            raise _bad("Invalid position parameter")
        if start < 0:
            raise _bad("Invalid position parameter")
    page = items[start : start + limit]
    nxt = str(start + limit) if start + limit < len(items) else None
    return page, nxt


def _paged_body(items: list[dict[str, Any]], nxt: str | None) -> str:
    body: dict[str, Any] = {"item": items}
    if nxt is not None:
        body["position"] = nxt
    return json.dumps(body)


def _split(path: str) -> list[str]:
    return path.split("/")


def _omit_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------


def _patch_errors() -> None:
    from moto.core.exceptions import JsonRESTError

    exc = _exc()

    # AWS: every NotFoundException is HTTP 404 (moto's base class answers 400).
    exc.NotFoundException.code = 404

    def api_error_init(self: Any, error_type: str, message: str, *args: Any, **kwargs: Any) -> None:
        JsonRESTError.__init__(self, error_type, message, *args, **kwargs)
        # AWS: error body is {"message": ...}; the type travels in x-amzn-ErrorType.
        self.description = json.dumps({"message": message})

    exc.ApiGatewayException.__init__ = api_error_init


# --------------------------------------------------------------------------------------
# routing
# --------------------------------------------------------------------------------------


def _patch_routes() -> None:
    from moto.apigateway import urls
    from moto.apigateway.responses import APIGatewayResponse

    # AWS: /tags/{resource_arn} takes a URL-encoded ARN which the server decodes to
    # "arn:aws:apigateway:us-east-1::/restapis/{id}" (slashes included): match it all.
    urls.url_paths["{0}/tags/(?P<resourceArn>.+)$"] = APIGatewayResponse.dispatch


# --------------------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------------------

_STAGE_SETTING_KEYS: dict[str, tuple[str, str]] = {
    # patch sub-path -> (MethodSetting field, type)
    "metrics/enabled": ("metricsEnabled", "bool"),
    "logging/loglevel": ("loggingLevel", "loglevel"),
    "logging/dataTrace": ("dataTraceEnabled", "bool"),
    "throttling/burstLimit": ("throttlingBurstLimit", "int"),
    "throttling/rateLimit": ("throttlingRateLimit", "float"),
    "caching/enabled": ("cachingEnabled", "bool"),
    "caching/ttlInSeconds": ("cacheTtlInSeconds", "int"),
    "caching/dataEncrypted": ("cacheDataEncrypted", "bool"),
    "caching/requireAuthorizationForCacheControl": ("requireAuthorizationForCacheControl", "bool"),
    "caching/unauthorizedCacheControlHeaderStrategy": ("unauthorizedCacheControlHeaderStrategy", "strategy"),
}

_STAGE_PATHS = [
    "/deploymentId",
    "/description",
    "/variables/{name}",
    "/tracingEnabled",
    "/cacheClusterEnabled",
    "/cacheClusterSize",
    "/clientCertificateId",
    "/accessLogSettings",
    "/accessLogSettings/destinationArn",
    "/accessLogSettings/format",
] + [f"/{{resourcePath}}/{{httpMethod}}/{k}" for k in _STAGE_SETTING_KEYS]


def _default_method_setting() -> dict[str, Any]:
    # AWS: a new method-settings entry starts with these values (throttling -1 = inherit).
    return {
        "metricsEnabled": False,
        "loggingLevel": "OFF",
        "dataTraceEnabled": False,
        "throttlingBurstLimit": -1,
        "throttlingRateLimit": -1.0,
        "cachingEnabled": False,
        "cacheTtlInSeconds": 300,
        "cacheDataEncrypted": False,
        "requireAuthorizationForCacheControl": True,
        "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
    }


def _method_response_json(mr: Any) -> dict[str, Any]:
    # AWS: MethodResponse omits empty maps.
    d: dict[str, Any] = {"statusCode": str(mr.status_code)}
    if mr.response_parameters:
        d["responseParameters"] = mr.response_parameters
    if mr.response_models:
        d["responseModels"] = mr.response_models
    return d


def _integration_response_json(ir: Any) -> dict[str, Any]:
    # AWS: IntegrationResponse omits unset fields; an empty template reads back as null.
    d: dict[str, Any] = {"statusCode": str(ir.status_code)}
    if ir.selection_pattern:
        d["selectionPattern"] = ir.selection_pattern
    if ir.response_parameters:
        d["responseParameters"] = ir.response_parameters
    if ir.response_templates:
        d["responseTemplates"] = ir.response_templates
    if ir.content_handling:
        d["contentHandling"] = ir.content_handling
    return d


def _integration_json(i: Any) -> dict[str, Any]:
    # AWS: Integration omits unset fields, always carries cacheKeyParameters.
    d: dict[str, Any] = {"type": i.integration_type}
    if i.http_method and i.integration_type != "MOCK":
        d["httpMethod"] = i.http_method
    for key, attr in [
        ("uri", "uri"),
        ("credentials", "credentials"),
        ("passthroughBehavior", "passthrough_behaviour"),
        ("contentHandling", "content_handling"),
        ("timeoutInMillis", "timeout_in_millis"),
        ("cacheNamespace", "cache_namespace"),
        ("connectionType", "connection_type"),
        ("connectionId", "connection_id"),
        ("tlsConfig", "tls_config"),
    ]:
        v = getattr(i, attr, None)
        if v not in (None, ""):
            d[key] = v
    if i.request_parameters:
        d["requestParameters"] = i.request_parameters
    if i.request_templates:
        d["requestTemplates"] = i.request_templates
    d["cacheKeyParameters"] = list(i.cache_key_parameters or [])
    if i.integration_responses:
        d["integrationResponses"] = {k: _integration_response_json(v) for k, v in i.integration_responses.items()}
    return d


def _method_json(m: Any) -> dict[str, Any]:
    # AWS: Method omits unset fields and empty maps.
    d: dict[str, Any] = {
        "httpMethod": m.http_method,
        "authorizationType": m.authorization_type,
        "apiKeyRequired": bool(m.api_key_required),
    }
    for key, attr in [
        ("authorizerId", "authorizer_id"),
        ("requestValidatorId", "request_validator_id"),
        ("operationName", "operation_name"),
    ]:
        v = getattr(m, attr, None)
        if v not in (None, ""):
            d[key] = v
    if m.authorization_scopes:
        d["authorizationScopes"] = list(m.authorization_scopes)
    if m.request_parameters:
        d["requestParameters"] = m.request_parameters
    if m.request_models:
        d["requestModels"] = m.request_models
    if m.method_responses:
        d["methodResponses"] = {k: _method_response_json(v) for k, v in m.method_responses.items()}
    if m.method_integration is not None:
        d["methodIntegration"] = _integration_json(m.method_integration)
    return d


def _resource_dict(self: Any, embed_methods: bool = False) -> dict[str, Any]:
    # AWS: without embed=methods each method is an empty stub {"GET": {}}.
    d: dict[str, Any] = {"id": self.id, "path": self.get_path()}
    if self.parent_id:
        d["parentId"] = self.parent_id
        d["pathPart"] = self.path_part
    if self.resource_methods:
        if embed_methods:
            d["resourceMethods"] = {k: _method_json(v) for k, v in self.resource_methods.items()}
        else:
            d["resourceMethods"] = {k: {} for k in self.resource_methods}
    return d


def _stage_json(self: Any) -> dict[str, Any]:
    # AWS: Stage always reports tracingEnabled, omits unset fields, includes tags.
    d: dict[str, Any] = {
        "stageName": self.name,
        "deploymentId": self.deployment_id,
        "cacheClusterEnabled": bool(self.cache_cluster_enabled),
        "tracingEnabled": bool(self.tracing_enabled),
        "methodSettings": self.method_settings or {},
    }
    if self.description:
        d["description"] = self.description
    if self.variables:
        d["variables"] = self.variables
    if self.cache_cluster_enabled:
        d["cacheClusterSize"] = self.cache_cluster_size or "0.5"
        d["cacheClusterStatus"] = "AVAILABLE"
    if self.access_log_settings:
        d["accessLogSettings"] = self.access_log_settings
    if getattr(self, "client_certificate_id", None):
        d["clientCertificateId"] = self.client_certificate_id
    if self.web_acl_arn is not None:
        d["webAclArn"] = self.web_acl_arn
    if self.tags:
        d["tags"] = self.tags
    created = getattr(self, "created_date", None)
    if created is None:
        created = self.created_date = int(time.time())
    d["createdDate"] = created
    d["lastUpdatedDate"] = getattr(self, "last_updated_date", None) or created
    return d


def _deployment_json(self: Any) -> dict[str, Any]:
    # AWS: Deployment is {id, description?, createdDate}.
    d: dict[str, Any] = {"id": self.id, "createdDate": self.created_date}
    if self.description:
        d["description"] = self.description
    return d


def _rest_api_dict(self: Any) -> dict[str, Any]:
    # AWS: RestApi omits unset fields; tags always included.
    d = {
        "id": self.id,
        "name": self.name,
        "description": self.description or None,
        "version": None if self.version == "V1" else self.version,
        "binaryMediaTypes": list(self.binaryMediaTypes) if self.binaryMediaTypes else None,
        "createdDate": self.create_date,
        "apiKeySource": self.api_key_source,
        "endpointConfiguration": self.endpoint_configuration,
        "tags": dict(self.tags or {}),
        "policy": self.policy or None,
        "disableExecuteApiEndpoint": bool(self.disableExecuteApiEndpoint),
        "minimumCompressionSize": self.minimum_compression_size,
        "rootResourceId": self.root_resource_id,
    }
    return _omit_none(d)


_REST_API_PATHS = [
    "/name",
    "/description",
    "/binaryMediaTypes/{type}",
    "/policy",
    "/endpointConfiguration/types/0",
    "/endpointConfiguration/vpcEndpointIds",
    "/minimumCompressionSize",
    "/apiKeySource",
    "/disableExecuteApiEndpoint",
]


def _rest_api_apply(self: Any, patch_operations: Any) -> None:
    ops = _ops(patch_operations)
    fields = [
        "name",
        "description",
        "binaryMediaTypes",
        "policy",
        "endpoint_configuration",
        "minimum_compression_size",
        "api_key_source",
        "disableExecuteApiEndpoint",
    ]
    with _atomic(self, fields):
        for op in ops:
            head, segs = op.head, op.segments
            if head == "name" and len(segs) == 1:
                if op.op != "replace":
                    raise op.bad_op(["replace"])
                if not op.need_value():
                    raise _bad("Name must be non-empty")
                self.name = op.value
            elif head == "description" and len(segs) == 1:
                if op.op in ("add", "replace"):
                    self.description = op.need_value()
                elif op.op == "remove":
                    self.description = None
                else:
                    raise op.bad_op(["add", "replace", "remove"])
            elif head == "binaryMediaTypes" and len(segs) == 2 and segs[1]:
                # AWS: the media type is the path key, written with ~1 for "/".
                media = segs[1]
                types = list(self.binaryMediaTypes or [])
                if op.op == "add":
                    if media not in types:
                        types.append(media)
                elif op.op == "remove":
                    if media in types:
                        types.remove(media)
                elif op.op == "replace":
                    new = op.need_value()
                    types = [new if t == media else t for t in types]
                    if media not in self.binaryMediaTypes and new not in types:
                        types.append(new)
                else:
                    raise op.bad_op(["add", "remove", "replace"])
                self.binaryMediaTypes = types
            elif head == "policy" and len(segs) == 1:
                if op.op == "replace":
                    self.policy = op.value or None
                elif op.op == "remove":
                    self.policy = None
                else:
                    raise op.bad_op(["replace", "remove"])
            elif head == "endpointConfiguration" and segs[1:] == ["types", "0"]:
                if op.op != "replace":
                    raise op.bad_op(["replace"])
                ec = dict(self.endpoint_configuration or {})
                ec["types"] = [_enum(op, ["EDGE", "REGIONAL", "PRIVATE"])]
                self.endpoint_configuration = ec
            elif head == "endpointConfiguration" and segs[1:] == ["vpcEndpointIds"]:
                ec = dict(self.endpoint_configuration or {})
                ids = list(ec.get("vpcEndpointIds") or [])
                if op.op == "add":
                    if op.need_value() not in ids:
                        ids.append(op.value)
                elif op.op == "remove":
                    ids = [i for i in ids if i != op.value]
                else:
                    raise op.bad_op(["add", "remove"])
                ec["vpcEndpointIds"] = ids
                if not ids:
                    ec.pop("vpcEndpointIds")
                self.endpoint_configuration = ec
            elif head == "minimumCompressionSize" and len(segs) == 1:
                if op.op != "replace":
                    raise op.bad_op(["replace"])
                self.minimum_compression_size = None if op.value in (None, "") else _to_int(op, 0, 10485760)
            elif head == "apiKeySource" and len(segs) == 1:
                if op.op != "replace":
                    raise op.bad_op(["replace"])
                self.api_key_source = _enum(op, ["HEADER", "AUTHORIZER"])
            elif head == "disableExecuteApiEndpoint" and len(segs) == 1:
                if op.op != "replace":
                    raise op.bad_op(["replace"])
                self.disableExecuteApiEndpoint = _to_bool(op)
            else:
                raise op.invalid(_REST_API_PATHS)


def _apply_method_ops(m: Any, ops: list[_Op]) -> None:
    allowed = [
        "/authorizationType",
        "/authorizerId",
        "/apiKeyRequired",
        "/operationName",
        "/requestValidatorId",
        "/requestParameters/{param}",
        "/requestModels/{contentType}",
        "/authorizationScopes",
    ]
    fields = [
        "authorization_type",
        "authorizer_id",
        "api_key_required",
        "operation_name",
        "request_validator_id",
        "request_parameters",
        "request_models",
        "authorization_scopes",
    ]
    with _atomic(m, fields):
        for op in ops:
            head, n = op.head, len(op.segments)
            if n == 1 and head in ("authorizationType", "authorizerId", "operationName", "requestValidatorId"):
                attr = {
                    "authorizationType": "authorization_type",
                    "authorizerId": "authorizer_id",
                    "operationName": "operation_name",
                    "requestValidatorId": "request_validator_id",
                }[head]
                if op.op in ("add", "replace"):
                    value: Any = op.need_value()
                    if head == "authorizationType":
                        value = _enum(op, ["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"])
                    setattr(m, attr, value)
                elif op.op == "remove" and head != "authorizationType":
                    setattr(m, attr, None)
                else:
                    raise op.bad_op(["replace"])
            elif n == 1 and head == "apiKeyRequired":
                if op.op not in ("add", "replace"):
                    raise op.bad_op(["replace"])
                m.api_key_required = _to_bool(op)
            elif head == "requestParameters" and n == 2:
                # AWS: method request parameter values are "required" flags.
                m.request_parameters = _map_op(m.request_parameters, op, _to_bool)
            elif head == "requestModels" and n == 2:
                m.request_models = _map_op(m.request_models, op, lambda o: o.need_value())
            elif head == "authorizationScopes" and n == 1:
                scopes = list(m.authorization_scopes or [])
                if op.op == "add":
                    scopes.append(op.need_value())
                elif op.op == "remove":
                    scopes = [s for s in scopes if s != op.value]
                else:
                    raise op.bad_op(["add", "remove"])
                m.authorization_scopes = scopes or None
            else:
                raise op.invalid(allowed)


def _validate_credentials(value: str | None) -> None:
    # AWS: integration credentials must be an ARN ("Invalid ARN specified in the request").
    if value and not value.startswith("arn:"):
        raise _exc().InvalidArn()


def _apply_integration_ops(i: Any, ops: list[_Op]) -> None:
    allowed = [
        "/uri",
        "/credentials",
        "/httpMethod",
        "/passthroughBehavior",
        "/contentHandling",
        "/timeoutInMillis",
        "/cacheNamespace",
        "/connectionType",
        "/connectionId",
        "/requestParameters/{param}",
        "/requestTemplates/{contentType}",
        "/cacheKeyParameters/{param}",
        "/tlsConfig/insecureSkipVerification",
    ]
    fields = [
        "uri",
        "credentials",
        "http_method",
        "passthrough_behaviour",
        "content_handling",
        "timeout_in_millis",
        "cache_namespace",
        "connection_type",
        "connection_id",
        "request_parameters",
        "request_templates",
        "cache_key_parameters",
        "tls_config",
    ]
    with _atomic(i, fields):
        for op in ops:
            head, n = op.head, len(op.segments)
            simple = {
                "uri": "uri",
                "credentials": "credentials",
                "httpMethod": "http_method",
                "passthroughBehavior": "passthrough_behaviour",
                "contentHandling": "content_handling",
                "cacheNamespace": "cache_namespace",
                "connectionType": "connection_type",
                "connectionId": "connection_id",
            }
            if n == 1 and head in simple:
                attr = simple[head]
                if op.op in ("add", "replace"):
                    value: Any = op.need_value()
                    if head == "passthroughBehavior":
                        value = _enum(op, ["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"])
                    elif head == "contentHandling":
                        value = _enum(op, ["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"])
                    elif head == "connectionType":
                        value = _enum(op, ["INTERNET", "VPC_LINK"])
                    elif head == "httpMethod":
                        value = _enum(op, HTTP_VERBS)
                    elif head == "credentials":
                        _validate_credentials(value)
                    setattr(i, attr, value)
                elif op.op == "remove" and head in ("credentials", "contentHandling", "connectionId"):
                    setattr(i, attr, None)
                else:
                    raise op.bad_op(["replace"])
            elif n == 1 and head == "timeoutInMillis":
                if op.op not in ("add", "replace"):
                    raise op.bad_op(["replace"])
                # AWS: integration timeout is at least 50 ms.
                i.timeout_in_millis = _to_int(op, 50, None)
            elif head == "requestParameters" and n == 2:
                i.request_parameters = _map_op(i.request_parameters, op, lambda o: o.need_value())
            elif head == "requestTemplates" and n == 2:
                i.request_templates = _map_op(i.request_templates, op, lambda o: o.value or None)
            elif head == "cacheKeyParameters" and n == 2:
                key = op.key()
                params = list(i.cache_key_parameters or [])
                if op.op == "add":
                    if key not in params:
                        params.append(key)
                elif op.op == "remove":
                    params = [p for p in params if p != key]
                else:
                    raise op.bad_op(["add", "remove"])
                i.cache_key_parameters = params
            elif op.segments == ["tlsConfig", "insecureSkipVerification"]:
                if op.op not in ("add", "replace"):
                    raise op.bad_op(["replace"])
                i.tls_config = dict(i.tls_config or {}, insecureSkipVerification=_to_bool(op))
            else:
                raise op.invalid(allowed)


def _apply_method_response_ops(mr: Any, ops: list[_Op]) -> None:
    allowed = ["/responseParameters/{header}", "/responseModels/{contentType}"]
    with _atomic(mr, ["response_parameters", "response_models"]):
        for op in ops:
            if op.head == "responseParameters" and len(op.segments) == 2:
                # AWS: method response header values are "required" flags.
                mr.response_parameters = _map_op(mr.response_parameters, op, _to_bool)
            elif op.head == "responseModels" and len(op.segments) == 2:
                mr.response_models = _map_op(mr.response_models, op, lambda o: o.need_value())
            else:
                raise op.invalid(allowed)


def _apply_integration_response_ops(ir: Any, ops: list[_Op]) -> None:
    allowed = [
        "/selectionPattern",
        "/contentHandling",
        "/responseParameters/{header}",
        "/responseTemplates/{contentType}",
    ]
    fields = ["selection_pattern", "content_handling", "response_parameters", "response_templates"]
    with _atomic(ir, fields):
        for op in ops:
            n = len(op.segments)
            if n == 1 and op.head == "selectionPattern":
                if op.op in ("add", "replace"):
                    ir.selection_pattern = op.value or None
                elif op.op == "remove":
                    ir.selection_pattern = None
                else:
                    raise op.bad_op(["replace", "remove"])
            elif n == 1 and op.head == "contentHandling":
                if op.op in ("add", "replace"):
                    ir.content_handling = _enum(op, ["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"])
                elif op.op == "remove":
                    ir.content_handling = None
                else:
                    raise op.bad_op(["replace", "remove"])
            elif op.head == "responseParameters" and n == 2:
                # AWS: integration response parameter values are mapping expressions.
                ir.response_parameters = _map_op(ir.response_parameters, op, lambda o: o.need_value())
            elif op.head == "responseTemplates" and n == 2:
                ir.response_templates = _map_op(ir.response_templates, op, lambda o: o.value or None) or {}
            else:
                raise op.invalid(allowed)


def _apply_stage_ops(api: Any, stage: Any, ops: list[_Op]) -> None:
    fields = [
        "deployment_id",
        "description",
        "variables",
        "tracing_enabled",
        "cache_cluster_enabled",
        "cache_cluster_size",
        "client_certificate_id",
        "access_log_settings",
        "method_settings",
    ]

    def invalid(op: _Op) -> Exception:
        # AWS words unknown stage paths this way.
        return _bad(f"Invalid method setting path: {op.path}. Must be one of: [{', '.join(_STAGE_PATHS)}]")

    with _atomic(stage, fields):
        for op in ops:
            segs, raw, n = op.segments, op.raw_segments, len(op.segments)
            head = segs[0]
            if n == 1 and head == "deploymentId":
                if op.op != "replace":
                    # (AWS also allows "copy" from /canarySettings/deploymentId; no canaries here.)
                    raise op.bad_op(["replace"])
                dep_id = op.need_value()
                # AWS: the stage must point at an existing deployment.
                if dep_id not in api.deployments:
                    raise _bad("Invalid deployment identifier specified")
                stage.deployment_id = dep_id
            elif n == 1 and head == "description":
                if op.op in ("add", "replace"):
                    stage.description = op.value or ""
                elif op.op == "remove":
                    stage.description = ""
                else:
                    raise op.bad_op(["replace"])
            elif head == "variables" and n == 2 and segs[1]:
                variables = dict(stage.variables or {})
                if op.op in ("add", "replace"):
                    variables[segs[1]] = op.need_value()
                elif op.op == "remove":
                    variables.pop(segs[1], None)
                else:
                    raise op.bad_op(["replace", "remove"])
                stage.variables = variables
            elif n == 1 and head == "tracingEnabled":
                if op.op not in ("add", "replace"):
                    raise op.bad_op(["replace"])
                stage.tracing_enabled = _to_bool(op)
            elif n == 1 and head == "cacheClusterEnabled":
                if op.op not in ("add", "replace"):
                    raise op.bad_op(["replace"])
                stage.cache_cluster_enabled = _to_bool(op)
            elif n == 1 and head == "cacheClusterSize":
                if op.op not in ("add", "replace"):
                    raise op.bad_op(["replace"])
                stage.cache_cluster_size = _enum(op, ["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"])
            elif n == 1 and head == "clientCertificateId":
                if op.op in ("add", "replace"):
                    stage.client_certificate_id = op.need_value()
                elif op.op == "remove":
                    stage.client_certificate_id = None
                else:
                    raise op.bad_op(["replace", "remove"])
            elif head == "accessLogSettings" and n == 1:
                if op.op != "remove":
                    raise op.bad_op(["remove"])
                stage.access_log_settings = None
            elif head == "accessLogSettings" and n == 2 and segs[1] in ("destinationArn", "format"):
                if op.op not in ("add", "replace"):
                    raise op.bad_op(["replace"])
                stage.access_log_settings = dict(stage.access_log_settings or {}, **{segs[1]: op.need_value()})
            elif n >= 4 and "/".join(segs[-2:]) in _STAGE_SETTING_KEYS:
                # /{resourcePath}/{httpMethod}/{setting}: the key is kept as written
                # ("*/*", "~1path/GET"), AWS returns it as the methodSettings map key.
                if raw[-3] not in HTTP_VERBS + ["*"]:
                    raise invalid(op)
                key = "/".join(raw[:-2])
                field, kind = _STAGE_SETTING_KEYS["/".join(segs[-2:])]
                if op.op not in ("add", "replace"):
                    raise op.bad_op(["replace"])
                if kind == "bool":
                    value: Any = _to_bool(op)
                elif kind == "int":
                    value = _to_int(op)
                elif kind == "float":
                    value = _to_float(op)
                elif kind == "loglevel":
                    value = _enum(op, ["OFF", "ERROR", "INFO"])
                else:
                    value = _enum(
                        op, ["FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER"]
                    )
                settings = copy.deepcopy(stage.method_settings or {})
                settings.setdefault(key, _default_method_setting())[field] = value
                stage.method_settings = settings
            elif op.op == "remove" and n >= 2 and raw[-1] in HTTP_VERBS + ["*"]:
                # AWS: "remove /{resourcePath}/{httpMethod}" drops the whole override entry.
                settings = dict(stage.method_settings or {})
                settings.pop("/".join(raw), None)
                stage.method_settings = settings
            else:
                raise invalid(op)
    stage.last_updated_date = int(time.time())


def _validate_tags(tags: Any) -> dict[str, str]:
    if tags is None:
        return {}
    if not isinstance(tags, dict):
        raise _bad("Invalid tags specified")
    if len(tags) > 50:
        # AWS: at most 50 tags per resource.
        raise _bad("Too many tags: a resource can have at most 50 tags")
    for k, v in tags.items():
        if not k or len(k) > 128 or len(str(v)) > 256:
            raise _bad(f"Invalid tag: {k}")
        if k.lower().startswith("aws:"):
            # AWS: the aws: prefix is reserved.
            raise _bad("Tag keys cannot start with 'aws:'")
    return {str(k): str(v) for k, v in tags.items()}


def _patch_models() -> None:
    from moto.apigateway import models as m

    # AWS: response shapes omit unset fields (see each helper above).
    m.Method.to_json = _method_json
    m.Integration.to_json = _integration_json
    m.MethodResponse.to_json = _method_response_json
    m.IntegrationResponse.to_json = _integration_response_json
    m.Resource.to_dict = _resource_dict
    m.Stage.to_json = _stage_json
    m.Deployment.to_json = _deployment_json
    m.RestAPI.to_dict = _rest_api_dict
    # AWS: UpdateRestApi with real patch semantics (binaryMediaTypes add/remove, ~1, booleans).
    m.RestAPI.apply_patch_operations = _rest_api_apply

    backend_cls = m.APIGatewayBackend
    orig_create_rest_api = backend_cls.create_rest_api

    def create_rest_api(self: Any, name: str, description: str, *args: Any, **kwargs: Any) -> Any:
        # AWS: a RestApi needs a name; tags are validated (aws: prefix reserved, <= 50).
        if not name:
            raise _bad("Invalid REST API name specified")
        kwargs["tags"] = _validate_tags(kwargs.get("tags"))
        return orig_create_rest_api(self, name, description, *args, **kwargs)

    backend_cls.create_rest_api = create_rest_api

    def delete_rest_api(self: Any, function_id: str) -> Any:
        # AWS: deleting an absent API is 404 NotFoundException.
        api = self.get_rest_api(function_id)
        return self.apis.pop(api.id)

    backend_cls.delete_rest_api = delete_rest_api

    def create_resource(self: Any, function_id: str, parent_resource_id: str, path_part: str) -> Any:
        api = self.get_rest_api(function_id)
        # AWS: a missing parent is 404 and nothing is created.
        parent = api.resources.get(parent_resource_id)
        if parent is None:
            raise _not_found("Invalid Resource identifier specified")
        if not path_part or not PATH_PART_RE.match(path_part):
            raise _exc().InvalidResourcePathException()
        _check_child_allowed(api, parent, path_part, exclude_id=None)
        return api.add_child(path=path_part, parent_id=parent.id)

    backend_cls.create_resource = create_resource

    def delete_resource(self: Any, function_id: str, resource_id: str) -> Any:
        api = self.get_rest_api(function_id)
        res = api.resources.get(resource_id)
        if res is None:
            raise _not_found("Invalid Resource identifier specified")
        if not res.parent_id:
            # AWS: the root resource cannot be deleted.
            raise _bad("Cannot delete the root resource")
        # AWS: deleting a resource deletes its whole subtree.
        for rid in _subtree_ids(api, resource_id):
            api.resources.pop(rid, None)
        return res

    backend_cls.delete_resource = delete_resource

    orig_put_method = backend_cls.put_method

    def put_method(self: Any, function_id: str, resource_id: str, method_type: str, *args: Any, **kwargs: Any) -> Any:
        resource = self.get_resource(function_id, resource_id)
        if method_type not in HTTP_VERBS:
            raise _bad(f"Invalid HttpMethod specified. Valid options are {','.join(sorted(HTTP_VERBS))}")
        if method_type in resource.resource_methods:
            # AWS: PutMethod never overwrites; it answers 409.
            raise _conflict("Method already exists for this resource")
        return orig_put_method(self, function_id, resource_id, method_type, *args, **kwargs)

    backend_cls.put_method = put_method

    def delete_method(self: Any, function_id: str, resource_id: str, method_type: str) -> None:
        # AWS: deleting an absent method is 404.
        resource = self.get_resource(function_id, resource_id)
        resource.get_method(method_type)
        resource.resource_methods.pop(method_type, None)

    backend_cls.delete_method = delete_method

    orig_put_integration = backend_cls.put_integration

    def put_integration(self: Any, function_id: str, resource_id: str, method_type: str, *args: Any, **kwargs: Any) -> Any:
        self.get_method(function_id, resource_id, method_type)
        _validate_credentials(kwargs.get("credentials"))
        # AWS: PutIntegration replaces the integration, dropping its integration responses.
        integration = orig_put_integration(self, function_id, resource_id, method_type, *args, **kwargs)
        # AWS: defaults it reports on GetIntegration.
        if integration.passthrough_behaviour is None:
            integration.passthrough_behaviour = "WHEN_NO_MATCH"
        if integration.timeout_in_millis is None:
            integration.timeout_in_millis = 29000
        else:
            integration.timeout_in_millis = int(integration.timeout_in_millis)
        if integration.cache_namespace is None:
            integration.cache_namespace = resource_id
        if integration.request_templates is not None and not integration.request_templates:
            integration.request_templates = None
        return integration

    backend_cls.put_integration = put_integration

    def get_integration(self: Any, function_id: str, resource_id: str, method_type: str) -> Any:
        method = self.get_method(function_id, resource_id, method_type)
        if method.method_integration is None:
            # AWS: a method without integration answers 404.
            raise _not_found("Invalid Integration identifier specified")
        return method.method_integration

    backend_cls.get_integration = get_integration

    def delete_integration(self: Any, function_id: str, resource_id: str, method_type: str) -> Any:
        integration = self.get_integration(function_id, resource_id, method_type)
        self.get_method(function_id, resource_id, method_type).method_integration = None
        return integration

    backend_cls.delete_integration = delete_integration

    def get_method_response(self: Any, function_id: str, resource_id: str, method_type: str, code: str) -> Any:
        method = self.get_method(function_id, resource_id, method_type)
        mr = method.get_response(code)
        if mr is None:
            # AWS: an absent method response is 404.
            raise _not_found("Invalid Response status code specified")
        return mr

    backend_cls.get_method_response = get_method_response

    def delete_method_response(self: Any, function_id: str, resource_id: str, method_type: str, code: str) -> Any:
        mr = self.get_method_response(function_id, resource_id, method_type, code)
        self.get_method(function_id, resource_id, method_type).delete_response(code)
        return mr

    backend_cls.delete_method_response = delete_method_response

    def delete_integration_response(self: Any, function_id: str, resource_id: str, method_type: str, code: str) -> Any:
        integration = self.get_integration(function_id, resource_id, method_type)
        ir = integration.get_integration_response(code)  # AWS: 404 when absent
        integration.integration_responses.pop(code, None)
        return ir

    backend_cls.delete_integration_response = delete_integration_response

    def get_deployment(self: Any, function_id: str, deployment_id: str) -> Any:
        api = self.get_rest_api(function_id)
        dep = api.deployments.get(deployment_id)
        if dep is None:
            # AWS: an absent deployment is 404.
            raise _exc().DeploymentNotFoundException()
        return dep

    backend_cls.get_deployment = get_deployment

    def delete_deployment(self: Any, function_id: str, deployment_id: str) -> Any:
        api = self.get_rest_api(function_id)
        dep = self.get_deployment(function_id, deployment_id)
        if any(s.deployment_id == deployment_id for s in api.stages.values()):
            # AWS: a deployment that a stage points at cannot be deleted (400).
            raise _exc().StageStillActive()
        return api.deployments.pop(dep.id)

    backend_cls.delete_deployment = delete_deployment


def _subtree_ids(api: Any, root_id: str) -> list[str]:
    ids, frontier = [root_id], [root_id]
    while frontier:
        current = frontier.pop()
        for r in api.resources.values():
            if r.parent_id == current:
                ids.append(r.id)
                frontier.append(r.id)
    return ids


def _check_child_allowed(api: Any, parent: Any, path_part: str, exclude_id: str | None) -> None:
    if parent.path_part.startswith("{") and parent.path_part.endswith("+}"):
        # AWS: a greedy path variable cannot have children.
        raise _bad(f"Cannot create a child of a resource with a greedy path variable: {parent.path_part}")
    for sibling in api.resources.values():
        if sibling.parent_id != parent.id or sibling.id == exclude_id:
            continue
        if sibling.path_part == path_part:
            # AWS: sibling path parts are unique.
            raise _conflict(f"Another resource with the same parent already has this name: {path_part}")
        if path_part.startswith("{") and sibling.path_part.startswith("{"):
            # AWS: at most one variable path part among siblings.
            raise _bad(
                f"A sibling ({sibling.path_part}) of this resource already has a variable path part -- only one is allowed"
            )


# --------------------------------------------------------------------------------------
# responses (one method per botocore operation, snake_case)
# --------------------------------------------------------------------------------------


def _patch_responses() -> None:
    from moto.apigateway.responses import APIGatewayResponse as R

    orig_call_action = R.call_action

    def call_action(self: Any) -> Any:
        with _LOCK:
            try:
                status, headers, body = orig_call_action(self)
                if not any(k.lower() == "content-type" for k in headers):
                    # AWS: API Gateway answers are application/json (moto's Flask says text/html).
                    headers["Content-Type"] = "application/json"
                return status, headers, body
            except Exception as e:  # a moto bug, never an AWS answer
                traceback.print_exc(file=sys.stderr)
                # AWS never answers HTML: a JSON 500 keeps the SDK error readable.
                body = json.dumps({"message": f"emulator internal error: {type(e).__name__}: {e}"})
                return 500, {"Content-Type": "application/json", "x-amzn-ErrorType": "InternalFailure"}, body

    R.call_action = call_action

    def ids(self: Any) -> list[str]:
        return _split(self.path)

    def create_rest_api(self: Any) -> Any:
        from moto.apigateway.utils import deserialize_body

        if self.body and deserialize_body(self.body):
            return _orig(R, "create_rest_api")(self)
        body = json.loads(self.body or "{}")
        ec = body.get("endpointConfiguration")
        if ec and any(t not in ("EDGE", "REGIONAL", "PRIVATE") for t in ec.get("types") or []):
            raise _bad("Invalid endpoint configuration type")
        aks = body.get("apiKeySource")
        if aks is not None and aks not in ("HEADER", "AUTHORIZER"):
            raise _bad("Invalid apiKeySource")
        api = self.backend.create_rest_api(
            body.get("name"),
            body.get("description"),
            api_key_source=aks,
            endpoint_configuration=ec,
            tags=body.get("tags"),
            policy=body.get("policy"),
            minimum_compression_size=body.get("minimumCompressionSize"),
            disable_execute_api_endpoint=body.get("disableExecuteApiEndpoint"),
        )
        # AWS: CreateRestApi keeps binaryMediaTypes (moto drops them).
        api.binaryMediaTypes = list(body.get("binaryMediaTypes") or [])
        if body.get("version"):
            api.version = body["version"]
        return 201, {"status": 201}, json.dumps(api.to_dict())

    def get_rest_apis(self: Any) -> Any:
        # AWS: GetRestApis pages by limit (default 25) / position and includes tags.
        apis = [a.to_dict() for a in self.backend.list_apis()]
        page, nxt = _page(apis, self.querystring)
        return 200, {}, _paged_body(page, nxt)

    def update_rest_api(self: Any) -> Any:
        api = self.backend.get_rest_api(ids(self)[2])
        api.apply_patch_operations(self._get_param("patchOperations"))
        return 200, {}, json.dumps(api.to_dict())

    def _embed(self: Any) -> bool:
        values = self.querystring.get("embed") or []
        return any("methods" in [p.strip() for p in str(v).split(",")] for v in values)

    def get_resources(self: Any) -> Any:
        # AWS: limit/position paging; methods embedded only with embed=methods.
        api = self.backend.get_rest_api(ids(self)[2])
        embed = _embed(self)
        items = [r.to_dict(embed_methods=embed) for r in api.resources.values()]
        page, nxt = _page(items, self.querystring)
        return 200, {}, _paged_body(page, nxt)

    def get_resource(self: Any) -> Any:
        parts = ids(self)
        res = self.backend.get_resource(parts[2], parts[4])
        return 200, {}, json.dumps(res.to_dict(embed_methods=_embed(self)))

    def create_resource(self: Any) -> Any:
        parts = ids(self)
        res = self.backend.create_resource(parts[2], parts[4], self._get_param("pathPart"))
        return 201, {"status": 201}, json.dumps(res.to_dict())

    def update_resource(self: Any) -> Any:
        parts = ids(self)
        api = self.backend.get_rest_api(parts[2])
        res = self.backend.get_resource(parts[2], parts[4])
        ops = _ops(self._get_param("patchOperations"))
        if not res.parent_id and ops:
            # AWS: the root resource cannot be renamed or moved.
            raise _bad("Cannot update the root resource")
        path_part, parent_id = res.path_part, res.parent_id
        for op in ops:
            if op.op != "replace":
                raise op.bad_op(["replace"])
            if op.segments == ["pathPart"]:
                path_part = op.need_value()
                if not PATH_PART_RE.match(path_part):
                    raise _exc().InvalidResourcePathException()
            elif op.segments == ["parentId"]:
                parent_id = op.need_value()
            else:
                raise op.invalid(["/pathPart", "/parentId"])
        parent = api.resources.get(parent_id)
        if parent is None:
            raise _not_found("Invalid Resource identifier specified")
        if parent_id in _subtree_ids(api, res.id):
            # AWS: a resource cannot move under itself.
            raise _bad("Resource cannot be moved under itself or one of its descendants")
        _check_child_allowed(api, parent, path_part, exclude_id=res.id)
        # AWS: rename/move in place; the id (and its methods) stay.
        res.path_part, res.parent_id = path_part, parent_id
        return 200, {}, json.dumps(res.to_dict())

    def get_method(self: Any) -> Any:
        parts = ids(self)
        return 200, {}, json.dumps(self.backend.get_method(parts[2], parts[4], parts[6]).to_json())

    def update_method(self: Any) -> Any:
        parts = ids(self)
        method = self.backend.get_method(parts[2], parts[4], parts[6])
        _apply_method_ops(method, _ops(self._get_param("patchOperations")))
        return 200, {}, json.dumps(method.to_json())

    def get_integration(self: Any) -> Any:
        parts = ids(self)
        return 200, {}, json.dumps(self.backend.get_integration(parts[2], parts[4], parts[6]).to_json())

    def update_integration(self: Any) -> Any:
        parts = ids(self)
        integration = self.backend.get_integration(parts[2], parts[4], parts[6])
        _apply_integration_ops(integration, _ops(self._get_param("patchOperations")))
        return 200, {}, json.dumps(integration.to_json())

    def update_method_response(self: Any) -> Any:
        parts = ids(self)
        mr = self.backend.get_method_response(parts[2], parts[4], parts[6], parts[8])
        _apply_method_response_ops(mr, _ops(self._get_param("patchOperations")))
        return 200, {}, json.dumps(mr.to_json())

    def update_integration_response(self: Any) -> Any:
        parts = ids(self)
        ir = self.backend.get_integration_response(parts[2], parts[4], parts[6], parts[9])
        _apply_integration_response_ops(ir, _ops(self._get_param("patchOperations")))
        return 200, {}, json.dumps(ir.to_json())

    def create_deployment(self: Any) -> Any:
        from moto.apigateway.models import Deployment, Stage
        from moto.apigateway.utils import ApigwDeploymentIdentifier

        api_id = ids(self)[2]
        api = self.backend.get_rest_api(api_id)
        body = json.loads(self.body or "{}")
        methods = [mt for r in api.resources.values() for mt in r.resource_methods.values()]
        if not methods:
            # AWS: nothing to deploy.
            raise _bad("The REST API doesn't contain any methods")
        if any(mt.method_integration is None for mt in methods):
            # AWS: every method needs an integration before it can be deployed.
            raise _bad("No integration defined for method")
        stage_name = body.get("stageName")
        dep_id = ApigwDeploymentIdentifier(self.backend.account_id, self.backend.region_name, stage_name=stage_name or "").generate(
            list(api.deployments.keys())
        )
        dep = Deployment(dep_id, stage_name or "", body.get("description") or "")
        api.deployments[dep_id] = dep
        if stage_name:
            stage = api.stages.get(stage_name)
            if stage is None:
                stage = Stage(
                    name=stage_name,
                    deployment_id=dep_id,
                    variables=dict(body.get("variables") or {}),
                    description=body.get("stageDescription") or "",
                    cacheClusterEnabled=body.get("cacheClusterEnabled") or False,
                    cacheClusterSize=body.get("cacheClusterSize"),
                    tracing_enabled=body.get("tracingEnabled"),
                )
                stage.created_date = int(time.time())
                api.stages[stage_name] = stage
            else:
                # AWS: deploying onto an existing stage only moves it to the new deployment;
                # its variables, method settings, description and tags stay.
                stage.deployment_id = dep_id
                if body.get("variables"):
                    stage.variables = dict(stage.variables or {}, **body["variables"])
                stage.last_updated_date = int(time.time())
        return 201, {"status": 201}, json.dumps(dep.to_json())

    def get_deployments(self: Any) -> Any:
        api = self.backend.get_rest_api(ids(self)[2])
        # AWS: GetDeployments pages by limit (default 25) / position.
        page, nxt = _page([d.to_json() for d in api.deployments.values()], self.querystring)
        return 200, {}, _paged_body(page, nxt)

    def update_deployment(self: Any) -> Any:
        parts = ids(self)
        dep = self.backend.get_deployment(parts[2], parts[4])
        ops = _ops(self._get_param("patchOperations"))
        new_description = dep.description
        for op in ops:
            if op.segments != ["description"]:
                raise op.invalid(["/description"])
            if op.op in ("add", "replace"):
                new_description = op.value or ""
            elif op.op == "remove":
                new_description = ""
            else:
                raise op.bad_op(["replace"])
        # AWS: only the description of a deployment can change.
        dep.description = new_description
        return 200, {}, json.dumps(dep.to_json())

    def get_stages(self: Any) -> Any:
        api = self.backend.get_rest_api(ids(self)[2])
        dep = (self.querystring.get("deploymentId") or [None])[0]
        stages = [s for s in api.stages.values() if not dep or s.deployment_id == dep]
        # AWS: GetStages is not paged; tags are included.
        return 200, {}, json.dumps({"item": [s.to_json() for s in stages]})

    def update_stage(self: Any) -> Any:
        parts = ids(self)
        api = self.backend.get_rest_api(parts[2])
        stage = self.backend.get_stage(parts[2], parts[4])
        _apply_stage_ops(api, stage, _ops(self._get_param("patchOperations")))
        return 200, {}, json.dumps(stage.to_json())

    def _tag_target(self: Any) -> Any:
        raw = self.raw_path if getattr(self, "raw_path", None) else self.path
        arn = unquote(raw.split("/tags/", 1)[1])
        m = re.match(r"^arn:[^:]+:apigateway:([^:]*)::/restapis/([^/]+)(?:/stages/([^/]+))?$", arn)
        if not m:
            # AWS: only ARNs of taggable resources are accepted.
            raise _bad(f"Invalid resource ARN: {arn}")
        api = self.backend.get_rest_api(m.group(2))
        if m.group(3):
            return self.backend.get_stage(api.id, m.group(3))
        return api

    def get_tags(self: Any) -> Any:
        target = _tag_target(self)
        return 200, {}, json.dumps({"tags": dict(target.tags or {})})

    def tag_resource(self: Any) -> Any:
        target = _tag_target(self)
        body = json.loads(self.body or "{}")
        merged = dict(target.tags or {})
        merged.update(body.get("tags") or {})
        # AWS: TagResource merges; the result must still satisfy the tag rules.
        target.tags = _validate_tags(merged)
        return 204, {"status": 204}, ""

    def untag_resource(self: Any) -> Any:
        target = _tag_target(self)
        keys = self.querystring.get("tagKeys") or []
        target.tags = {k: v for k, v in (target.tags or {}).items() if k not in keys}
        return 204, {"status": 204}, ""

    def delete_rest_api(self: Any) -> Any:
        self.backend.delete_rest_api(ids(self)[2])
        return 202, {"status": 202}, ""

    for fn in [
        create_rest_api,
        get_rest_apis,
        update_rest_api,
        get_resources,
        get_resource,
        create_resource,
        update_resource,
        get_method,
        update_method,
        get_integration,
        update_integration,
        update_method_response,
        update_integration_response,
        create_deployment,
        get_deployments,
        update_deployment,
        get_stages,
        update_stage,
        get_tags,
        tag_resource,
        untag_resource,
        delete_rest_api,
    ]:
        _ORIGINALS.setdefault(fn.__name__, getattr(R, fn.__name__, None))
        setattr(R, fn.__name__, fn)


_ORIGINALS: dict[str, Any] = {}


def _orig(cls: Any, name: str) -> Any:
    return _ORIGINALS[name]


# --------------------------------------------------------------------------------------
# IAM
# --------------------------------------------------------------------------------------


def _rfc3986(value: Any) -> Any:
    # AWS IAM: policy documents come back percent-encoded per RFC 3986 (only A-Za-z0-9-._~ kept).
    return quote(value, safe="") if isinstance(value, str) else value


def _patch_iam() -> None:
    from moto.core.responses import EmptyResult
    from moto.iam.responses import IamResponse

    for key, fn in list(IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER.items()):
        if key.endswith("PolicyDocument") and getattr(fn, "__name__", "") == "url_encode":
            IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER[key] = _rfc3986

    def update_role(self: Any) -> Any:
        from moto.iam.exceptions import ValidationError

        role = self.backend.get_role(self._get_param("RoleName"))
        description = self._get_param("Description")
        duration = self._get_param("MaxSessionDuration")
        if duration is not None:
            duration = int(duration)
            if duration < 3600 or duration > 43200:
                # AWS: MaxSessionDuration is 1 to 12 hours.
                raise ValidationError(
                    f"1 validation error detected: Value '{duration}' at 'maxSessionDuration' failed to "
                    "satisfy constraint: Member must have value less than or equal to 43200"
                )
        # AWS: UpdateRole changes only the fields it is given (moto reset the others).
        if description is not None:
            role.description = description
        if duration is not None:
            role.max_session_duration = duration
        return EmptyResult()

    IamResponse.update_role = update_role


# --------------------------------------------------------------------------------------
# S3
# --------------------------------------------------------------------------------------

# One lock for S3's object writes. moto 5.2.1 already evaluates If-Match / If-None-Match on
# PutObject and If-Match on DeleteObject (412 PreconditionFailed with S3's XML error body),
# but checks the condition and then writes without a lock: under the threaded server two
# PutObject If-None-Match: * on a new key can both succeed (seen with 8 concurrent 2 MB
# uploads). AWS evaluates the condition atomically with the write: "If multiple conditional
# writes occur for the same object name, the first write operation to finish succeeds" and
# the others get 412 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html,
# https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html); the same holds for
# conditional deletes on general purpose buckets
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html).
# Serialising the check and the write gives that; AWS's 409 ConditionalRequestConflict for
# overlapping requests is left to faults mode.
_S3_LOCK = threading.RLock()


def _patch_s3() -> None:
    from moto.s3.responses import S3Response

    for name in ("put_object", "delete_object"):
        original = getattr(S3Response, name)

        def serialised(self: Any, _original: Callable[[Any], Any] = original) -> Any:
            with _S3_LOCK:
                return _original(self)

        setattr(S3Response, name, serialised)
