"""In-process patches that make moto 5.2.1 behave like real API Gateway (REST v1), IAM and S3
for everything apigw-reconciler calls. Call ``install()`` once, before the server handles
its first request (moto builds its URL map lazily on the first request of a service).

Nothing in the installed moto package is edited: methods are added to / replaced on
moto's classes at run time. Every patch carries a one-line comment saying what AWS does.
See /work/shared/aws-notes.md for the list of gaps this fills, and test/emulator/SOURCES.md for
where each emulated AWS behaviour comes from (AWS docs, LocalStack AWS-validated snapshots,
terraform-provider-aws) and what those sources leave open.
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
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import quote, unquote

_INSTALLED = False
# One lock for every API Gateway call: the threaded server would otherwise interleave
# read-modify-write sequences on the same API (AWS serialises them per API, answering
# ConflictException on real overlap; here we simply serialise).
_LOCK = threading.RLock()

HTTP_VERBS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "ANY"]
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
    _patch_kinds()
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


_VALIDATION_EXCEPTION: Any = None


def _validation(message: str) -> Exception:
    # AWS: request-shape errors are ValidationException (HTTP 400), set up in _patch_errors.
    return _VALIDATION_EXCEPTION(message)


def _unescape(segment: str) -> str:
    # JSON Pointer (RFC 6901) as API Gateway uses it: "~1" is "/", "~0" is "~".
    return segment.replace("~1", "/").replace("~0", "~")


class _Op:
    """One API Gateway PatchOperation (the op enum is checked by ``_ops``)."""

    def __init__(self, raw: Any):
        if not isinstance(raw, dict):
            raise _bad("Invalid patch operation specified")
        self.op = raw.get("op")
        self.path = raw.get("path")
        self.value = raw.get("value")
        self.from_ = raw.get("from")
        if not isinstance(self.path, str) or not self.path.startswith("/"):
            # AWS (LocalStack snapshot test_update_gateway_response): "Invalid patch path null".
            raise _bad(f"Invalid patch path {'null' if self.path is None else self.path}")
        self.raw_segments = self.path[1:].split("/")
        self.segments = [_unescape(s) for s in self.raw_segments]

    @property
    def head(self) -> str:
        return self.segments[0]

    def key(self) -> str:
        """The map key after the first segment (`/requestTemplates/application~1json` -> application/json)."""
        return self.segments[1]

    def need_value(self) -> str:
        # AWS: every add/replace carries a string value.
        if self.value is None:
            raise _bad(f"Invalid null or empty value in patch operation '{self.op}' on '{self.path}'")
        return str(self.value)


# The order AWS lists the op enum in its ValidationException (LocalStack snapshot
# test_update_method_response_wrong_operations).
_OP_ENUM = ["add", "remove", "move", "test", "replace", "copy"]


def _ops(raw_ops: Any, operation: str) -> list[_Op]:
    """The PatchOperations of one Update* call; ``operation`` names it ("UpdateMethod")."""
    if raw_ops is None:
        return []
    if not isinstance(raw_ops, list):
        raise _bad("Invalid patch operations specified")
    # AWS: an op outside the enum is a ValidationException naming each bad member (1-based),
    # "1 validation error detected: Value 'x' at 'updateMethodResponseInput.patchOperations.1.member.op'
    # failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]"
    # (LocalStack snapshots test_update_method_response_wrong_operations, test_update_rest_api_ip_address_type).
    input_name = operation[0].lower() + operation[1:] + "Input"
    errors = [
        f"Value '{o.get('op')}' at '{input_name}.patchOperations.{i}.member.op' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(_OP_ENUM)}]"
        for i, o in enumerate(raw_ops, start=1)
        if isinstance(o, dict) and o.get("op") not in _OP_ENUM
    ]
    if errors:
        n = len(errors)
        raise _validation(f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(errors))
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


def _map_op(
    current: dict[str, Any] | None,
    op: _Op,
    convert: Callable[[_Op], Any],
    missing: Callable[[], Exception] | None = None,
) -> dict[str, Any] | None:
    """add/replace/remove one key of a string-keyed map (requestParameters, requestTemplates...).
    ``missing``: the error AWS gives for replace/remove of a key that is not there (None: no error)."""
    key = op.key()
    result = dict(current or {})
    if op.op in ("replace", "remove") and key not in result and missing is not None:
        raise missing()
    if op.op == "remove":
        result.pop(key, None)
    else:
        result[key] = convert(op)
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

    class ValidationException(exc.ApiGatewayException):  # type: ignore[misc,valid-type]
        # AWS: request-shape errors (an op outside the enum...) are ValidationException, HTTP 400.
        code = 400

        def __init__(self, message: str) -> None:
            super().__init__("ValidationException", message)

    global _VALIDATION_EXCEPTION
    _VALIDATION_EXCEPTION = ValidationException


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

# AWS's own list in its "Invalid method setting path" message, verbatim (missing commas included):
# LocalStack AWS-validated snapshot test_apigateway_common.py::TestStages::test_create_update_stages.
_STAGE_PATHS_MESSAGE = (
    "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, "
    "/accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, "
    "/{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, "
    "/{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit"
    "/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, "
    "/{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, "
    "/{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, "
    "/{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, "
    "/*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit "
    "/*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, "
    "/*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, "
    "/variables/{variable_name}, /tracingEnabled]"
)


# --------------------------------------------------------------------------------------
# The patch ops AWS accepts on each path: ONE table for every Update* call
# --------------------------------------------------------------------------------------
# Each row: (path pattern, accepted ops). A "{name}" segment matches one non-empty path
# segment as written (~1 kept), so "/requestParameters/{param}" is one map key and a bare
# "/requestParameters" matches no row (AWS: "Invalid patch path /requestParameters"). The
# first matching row wins. The source of every row is in test/emulator/SOURCES.md
# ("Patch ops per path"); in short: LocalStack AWS-validated snapshots for UpdateRestApi
# (/minimumCompressionSize, /description, /binaryMediaTypes, /endpointConfiguration), UpdateMethod
# (/operationName, /requestValidatorId), UpdateResource and UpdateStage (/accessLogSettings, method
# settings); the paths and ops terraform-provider-aws and aws-controllers-k8s send for the rest.
PATCH_OPS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "UpdateRestApi": [
        ("/name", ("replace",)),
        ("/description", ("replace", "remove")),
        ("/binaryMediaTypes/{mediaType}", ("add", "replace", "remove")),
        ("/policy", ("replace",)),
        ("/endpointConfiguration/types/{index}", ("replace",)),
        ("/endpointConfiguration/vpcEndpointIds", ("add", "remove")),
        ("/minimumCompressionSize", ("replace",)),
        ("/apiKeySource", ("replace",)),
        ("/disableExecuteApiEndpoint", ("replace",)),
    ],
    "UpdateResource": [
        ("/parentId", ("replace",)),
        ("/pathPart", ("replace",)),
    ],
    "UpdateMethod": [
        ("/authorizationType", ("replace",)),
        ("/authorizerId", ("replace",)),
        ("/apiKeyRequired", ("replace",)),
        ("/operationName", ("replace",)),
        ("/requestValidatorId", ("replace",)),
        ("/authorizationScopes", ("add", "remove")),
        ("/requestParameters/{param}", ("add", "replace", "remove")),
        ("/requestModels/{contentType}", ("add", "replace", "remove")),
    ],
    "UpdateIntegration": [
        ("/uri", ("replace",)),
        ("/credentials", ("replace",)),
        ("/httpMethod", ("replace",)),
        ("/passthroughBehavior", ("replace",)),
        ("/contentHandling", ("replace",)),
        ("/timeoutInMillis", ("replace",)),
        ("/cacheNamespace", ("replace",)),
        ("/connectionType", ("replace",)),
        ("/connectionId", ("replace",)),
        ("/tlsConfig/insecureSkipVerification", ("replace",)),
        ("/requestParameters/{param}", ("add", "replace", "remove")),
        ("/requestTemplates/{contentType}", ("add", "replace", "remove")),
        ("/cacheKeyParameters/{param}", ("add", "remove")),
    ],
    "UpdateMethodResponse": [
        ("/responseParameters/{header}", ("add", "replace", "remove")),
        ("/responseModels/{contentType}", ("add", "replace", "remove")),
    ],
    "UpdateIntegrationResponse": [
        ("/selectionPattern", ("replace",)),
        ("/contentHandling", ("replace",)),
        ("/responseParameters/{header}", ("add", "replace", "remove")),
        ("/responseTemplates/{contentType}", ("add", "replace", "remove")),
    ],
    "UpdateStage": [
        ("/deploymentId", ("replace",)),
        ("/description", ("replace",)),
        ("/tracingEnabled", ("replace",)),
        ("/cacheClusterEnabled", ("replace",)),
        ("/cacheClusterSize", ("replace",)),
        ("/clientCertificateId", ("replace",)),
        ("/variables/{name}", ("replace", "remove")),
        ("/accessLogSettings", ("remove",)),
        ("/accessLogSettings/destinationArn", ("add", "replace")),
        ("/accessLogSettings/format", ("add", "replace")),
        *[(f"/{{resourcePath}}/{{httpMethod}}/{k}", ("replace",)) for k in _STAGE_SETTING_KEYS],
        # a whole method-settings entry ("*/*", "~1files/GET") goes with remove /{resourcePath}/{httpMethod}
        ("/{resourcePath}/{httpMethod}", ("remove",)),
    ],
}


def _path_matches(pattern: str, path: str) -> bool:
    want, got = pattern[1:].split("/"), path[1:].split("/")
    if len(want) != len(got):
        return False
    return all(g != "" if w.startswith("{") and w.endswith("}") else w == g for w, g in zip(want, got))


def _cannot_remove(path: str) -> Exception:
    # AWS: a stage "remove" that is not a variable or /accessLogSettings is read as the removal of a
    # method-settings entry named by the path; when there is none, 400 with this text (trailing space
    # included): LocalStack snapshots TestStages::test_update_stage_remove_wildcard ("*/*"),
    # TestApiGatewayStage::test_stage_access_log_settings_validation ("accessLogSettings/destinationArn").
    return _bad(f"Cannot remove method setting {path[1:]} because there is no method setting for this method ")


def _accepted(operation: str, op: _Op) -> str:
    """The PATCH_OPS row ``op`` falls under; raises AWS's 400 when the path or the op is not accepted."""
    for pattern, allowed in PATCH_OPS[operation]:
        if _path_matches(pattern, op.path):
            if op.op in allowed:
                return pattern
            raise _op_not_accepted(operation, op, pattern, allowed)
    raise _path_not_accepted(operation, op)


def _op_not_accepted(operation: str, op: _Op, pattern: str, allowed: tuple[str, ...]) -> Exception:
    if operation == "UpdateResource":
        # AWS (LocalStack snapshot TestApiGatewayApiResource::test_update_resource_behaviour, two spaces verbatim).
        return _bad(f"Invalid patch path  '{op.path}' specified for op '{op.op}'. Please choose supported operations")
    if operation == "UpdateStage":
        if op.op == "remove":
            return _cannot_remove(op.path)
        # AWS (LocalStack snapshot test_apigateway_canary.py "update-stage-add-deployment"):
        # "Invalid add operation with path: /canarySettings/deploymentId".
        return _bad(f"Invalid {op.op} operation with path: {op.path}")
    if operation == "UpdateRestApi" and pattern.startswith("/endpointConfiguration/types/"):
        # AWS, verbatim (LocalStack snapshot TestApiGatewayApiRestApi::test_update_rest_api_ip_address_type).
        return _bad("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
    # AWS, verbatim: "Invalid patch operation specified. Must be one of: [replace]" (LocalStack snapshots
    # TestApiGatewayApiMethod::test_update_method_validation, TestApiGatewayApiRestApi::test_update_rest_api_compression).
    return _bad(f"Invalid patch operation specified. Must be one of: [{', '.join(allowed)}]")


def _path_not_accepted(operation: str, op: _Op) -> Exception:
    if operation == "UpdateResource":
        # AWS (LocalStack snapshot test_update_resource_behaviour, two spaces verbatim).
        return _bad(
            f"Invalid patch path  '{op.path}' specified for op '{op.op}'. Must be one of: [/parentId, /pathPart]"
        )
    if operation == "UpdateStage":
        if op.op == "remove":
            return _cannot_remove(op.path)
        # AWS (LocalStack snapshot TestStages::test_create_update_stages).
        return _bad(f"Invalid method setting path: {op.path}. Must be one of: {_STAGE_PATHS_MESSAGE}")
    # AWS: "Invalid patch path /httpMethod" (UpdateMethod), "Invalid patch path /binaryMediaTypes"
    # (UpdateRestApi), "Invalid patch path /wrong/method.response.header.my-header" (UpdateMethodResponse):
    # LocalStack snapshots test_update_method_validation, test_update_rest_api_behaviour,
    # test_update_method_lack_response_parameters_and_models.
    return _bad(f"Invalid patch path {op.path}")


def _default_method_setting() -> dict[str, Any]:
    # AWS: a method-settings entry created when */* does not exist starts with these values:
    # throttling at the account-level defaults (burst 5000, rate 10000.0), no loggingLevel until one
    # is set (LocalStack AWS-validated snapshots TestStages::test_update_stage_remove_wildcard and
    # test_create_update_stages; terraform-provider-aws method_settings_test.go reads logging_level "").
    # A new per-method entry starts as a copy of */* instead (see _apply_stage_ops).
    return {
        "cacheDataEncrypted": False,
        "cacheTtlInSeconds": 300,
        "cachingEnabled": False,
        "dataTraceEnabled": False,
        "metricsEnabled": False,
        "requireAuthorizationForCacheControl": True,
        "throttlingBurstLimit": 5000,
        "throttlingRateLimit": 10000.0,
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
        "policy": _policy_text(self.policy),
        "disableExecuteApiEndpoint": bool(self.disableExecuteApiEndpoint),
        "minimumCompressionSize": self.minimum_compression_size,
        "rootResourceId": self.root_resource_id,
    }
    return _omit_none(d)


# --------------------------------------------------------------------------------------
# resource policies
# --------------------------------------------------------------------------------------

_EXECUTE_API_SHORTHAND = "execute-api:/"


def _expand_policy(api: Any, text: str | None) -> str | None:
    """The policy as AWS stores it: `execute-api:/…` in Resource / NotResource expanded to
    `arn:{partition}:execute-api:{region}:{account}:{apiId}/…`, compact JSON.

    AWS docs (apigateway-resource-policies-examples.html): "API Gateway converts the abbreviated
    syntax to the full ARN when you save the policy … using the current Region, your AWS account ID,
    and the ID of the REST API". LocalStack AWS-validated snapshot test_apigateway_integrations.py::
    test_create_execute_api_vpc_endpoint ("api-details"): Resource ["execute-api:/*"] reads back as the
    single string "arn:<partition>:execute-api:<region>:111111111111:<id>/*"."""
    if not text:
        return None
    from moto.utilities.utils import get_partition

    try:
        doc = json.loads(text)
    except ValueError:
        return text  # (what AWS answers to a malformed policy is not in the sources: kept as sent)
    if not isinstance(doc, dict):
        return text
    prefix = f"arn:{get_partition(api.region_name)}:execute-api:{api.region_name}:{api.account_id}:{api.id}/"
    statements = doc.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            continue
        for key in ("Resource", "NotResource"):
            if key not in statement:
                continue
            values = statement[key] if isinstance(statement[key], list) else [statement[key]]
            values = [
                prefix + v[len(_EXECUTE_API_SHORTHAND) :] if isinstance(v, str) and v.startswith(_EXECUTE_API_SHORTHAND) else v
                for v in values
            ]
            # AWS: a one-element list reads back as a single string (snapshot above).
            statement[key] = values[0] if len(values) == 1 else values
    return json.dumps(doc, separators=(",", ":"))


def _policy_text(stored: str | None) -> str | None:
    """The policy field as GetRestApi / CreateRestApi / UpdateRestApi return it: the JSON document
    escaped once more as a JSON string body, forward slashes escaped too, e.g.
    {\"Version\":\"2012-10-17\",…\"Resource\":\"arn:aws:execute-api:us-east-1:123456789012:abc\/*\"}.

    terraform-provider-aws rest_api.go flattenAPIPolicy: "The API returns policy as an escaped JSON
    string {\\\"Version\\\":…} … may contain escaped forward slashes" (also PR #4606 "the AWS API escapes
    [forward slashes] in its JSON responses"); LocalStack issue #3325 (AWS's answer quoted); LocalStack
    test_create_execute_api_vpc_endpoint decodes it with unicode_escape before json.loads."""
    if not stored:
        return None
    return json.dumps(stored)[1:-1].replace("/", "\\/")


def _compression_size(op: _Op) -> int | None:
    # AWS: replace with no value or "" turns compression off (the field reads back absent); otherwise
    # 0..10485760, else this 400 (LocalStack snapshot TestApiGatewayApiRestApi::test_update_rest_api_compression).
    if op.value in (None, ""):
        return None
    try:
        size = int(str(op.value))
    except ValueError:
        size = -1
    if size < 0 or size > 10485760:
        raise _bad("Invalid minimum compression size, must be between 0 and 10485760")
    return size


def _rest_api_apply(self: Any, patch_operations: Any) -> None:
    ops = _ops(patch_operations, "UpdateRestApi")
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
            row = _accepted("UpdateRestApi", op)
            if row == "/name":
                if not op.value:
                    raise _bad("Name must be non-empty")
                self.name = str(op.value)
            elif row == "/description":
                # AWS: remove (or replace with no value) drops the description (LocalStack snapshot
                # TestApiGatewayApiRestApi::test_update_rest_api_operation_add_remove).
                self.description = (op.value or None) if op.op == "replace" else None
            elif row == "/binaryMediaTypes/{mediaType}":
                # AWS: the media type is the path key, written with ~1 for "/"; replace drops the old type
                # and appends the new one at the end (snapshot test_update_rest_api_operation_add_remove:
                # [png, jpeg] replace png->gif gives [jpeg, gif]).
                media = op.segments[1]
                types = list(self.binaryMediaTypes or [])
                if op.op == "add":
                    if media not in types:
                        types.append(media)
                elif op.op == "remove":
                    types = [t for t in types if t != media]
                else:
                    new = op.need_value()
                    types = [t for t in types if t not in (media, new)] + [new]
                self.binaryMediaTypes = types
            elif row == "/policy":
                # AWS: the stored policy has execute-api:/ expanded (see _expand_policy).
                self.policy = _expand_policy(self, op.value)
            elif row == "/endpointConfiguration/types/{index}":
                ec = dict(self.endpoint_configuration or {})
                ec["types"] = [_enum(op, ["EDGE", "REGIONAL", "PRIVATE"])]
                self.endpoint_configuration = ec
            elif row == "/endpointConfiguration/vpcEndpointIds":
                ec = dict(self.endpoint_configuration or {})
                ids = list(ec.get("vpcEndpointIds") or [])
                if op.op == "add":
                    if op.need_value() not in ids:
                        ids.append(str(op.value))
                else:
                    ids = [i for i in ids if i != op.value]
                ec["vpcEndpointIds"] = ids
                if not ids:
                    ec.pop("vpcEndpointIds")
                self.endpoint_configuration = ec
            elif row == "/minimumCompressionSize":
                self.minimum_compression_size = _compression_size(op)
            elif row == "/apiKeySource":
                self.api_key_source = _enum(op, ["HEADER", "AUTHORIZER"])
            elif row == "/disableExecuteApiEndpoint":
                self.disableExecuteApiEndpoint = _to_bool(op)


# --------------------------------------------------------------------------------------
# mappings validated when written
# --------------------------------------------------------------------------------------


def _mapping_error(*errors: str) -> Exception:
    # AWS wraps every mapping error in this envelope (HTTP 400 BadRequestException), e.g.
    # "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping
    # expression parameter specified: method.request.path.page]". Sources: aws-cdk issue #17318,
    # Testlio/lambda-tools #56, awsdocs developer-guide #24 (PutIntegration), aws-solutions-constructs #1130,
    # aws-apigateway-importer #209 (PutIntegrationResponse), aws-apigateway-importer #121
    # ("No method response exists for method."), terraform-provider-aws PR #40124 (UpdateIntegration).
    return _bad(f"Invalid mapping expression specified: Validation Result: warnings : [], errors : [{', '.join(errors)}]")


# Where a method.request.* mapping source must be declared: multi-value sources read the plain
# querystring/header parameter (AWS docs rest-api-parameter-mapping-sources.html).
_METHOD_REQUEST_SOURCE = re.compile(r"^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$")
_DECLARED_AS = {"multivaluequerystring": "querystring", "multivalueheader": "header"}


def _check_request_mappings(method: Any, sources: Iterable[Any]) -> None:
    """PutIntegration / UpdateIntegration: every method.request.{path|querystring|header}.X mapped from
    must be declared in the method's requestParameters."""
    declared = set((method.request_parameters or {}).keys())
    bad = []
    for source in sources:
        m = _METHOD_REQUEST_SOURCE.match(str(source))
        if m and f"method.request.{_DECLARED_AS.get(m.group(1), m.group(1))}.{m.group(2)}" not in declared:
            bad.append(f"Invalid mapping expression parameter specified: {source}")
    if bad:
        raise _mapping_error(*bad)


def _check_response_mappings(method: Any, status_code: str, targets: Iterable[str]) -> None:
    """PutIntegrationResponse / UpdateIntegrationResponse: every method.response.header.X mapped to must
    be declared in the method response of the same status code. Without responseParameters AWS does not
    look for the method response at all (LocalStack AWS-validated snapshot
    TestApigatewayIntegrationResponse::test_lifecycle_integration_response puts one with none)."""
    targets = list(targets)
    if not targets:
        return
    mr = method.get_response(str(status_code))
    if mr is None:
        raise _mapping_error("No method response exists for method.")
    declared = mr.response_parameters or {}
    bad = [f"Invalid mapping expression parameter specified: {t}" for t in targets if t not in declared]
    if bad:
        raise _mapping_error(*bad)


def _invalid_parameter_name() -> Exception:
    # AWS: replace/remove of a parameter that is not there is 404 "Invalid parameter name specified"
    # (LocalStack snapshot TestApigatewayMethodResponse::test_update_method_wrong_param_names; for
    # integration requestParameters terraform-provider-aws PR #40124).
    return _not_found("Invalid parameter name specified")


def _content_type_not_found() -> Exception:
    # AWS (LocalStack snapshot test_update_method_wrong_param_names, responseModels).
    return _not_found("Content-Type specified was not found")


# --------------------------------------------------------------------------------------
# Update* of methods, integrations, responses, stages (rows: PATCH_OPS)
# --------------------------------------------------------------------------------------


def _apply_method_ops(m: Any, ops: list[_Op]) -> None:
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
    cleared_by_empty_replace = {
        "/authorizerId": "authorizer_id",
        "/operationName": "operation_name",
        "/requestValidatorId": "request_validator_id",
    }
    with _atomic(m, fields):
        for op in ops:
            row = _accepted("UpdateMethod", op)
            if row == "/authorizationType":
                m.authorization_type = _enum(op, ["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"])
            elif row in cleared_by_empty_replace:
                # AWS accepts only replace here; replace with no value clears the field (how
                # terraform-provider-aws / aws-controllers-k8s clear scalars).
                setattr(m, cleared_by_empty_replace[row], op.value or None)
            elif row == "/apiKeyRequired":
                # AWS: any value but "true" reads as false (LocalStack snapshot test_update_method_validation,
                # "wrong-value-type": replace "whatever" -> 200, apiKeyRequired false).
                m.api_key_required = str(op.value).strip().lower() == "true"
            elif row == "/authorizationScopes":
                scopes = list(m.authorization_scopes or [])
                if op.op == "add":
                    scopes.append(op.need_value())
                else:
                    scopes = [s for s in scopes if s != op.value]
                m.authorization_scopes = scopes or None
            elif row == "/requestParameters/{param}":
                # AWS: method request parameter values are "required" flags. Removing one that an
                # integration still maps from is not refused (terraform-provider-aws issue #39801).
                m.request_parameters = _map_op(m.request_parameters, op, _to_bool)
            elif row == "/requestModels/{contentType}":
                m.request_models = _map_op(m.request_models, op, lambda o: o.need_value())


def _validate_credentials(value: str | None) -> None:
    # AWS: integration credentials must be an ARN ("Invalid ARN specified in the request").
    if value and not value.startswith("arn:"):
        raise _exc().InvalidArn()


def _apply_integration_ops(i: Any, ops: list[_Op], method: Any) -> None:
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
            row = _accepted("UpdateIntegration", op)
            if row == "/uri":
                i.uri = op.need_value()
            elif row == "/credentials":
                # replace with no value clears (only replace is accepted: see PATCH_OPS).
                _validate_credentials(op.value)
                i.credentials = op.value or None
            elif row == "/httpMethod":
                i.http_method = _enum(op, HTTP_VERBS)
            elif row == "/passthroughBehavior":
                i.passthrough_behaviour = _enum(op, ["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"])
            elif row == "/contentHandling":
                # replace with no value clears (terraform-provider-aws sends replace "" when it is dropped).
                i.content_handling = _enum(op, ["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"]) if op.value else None
            elif row == "/timeoutInMillis":
                # AWS: integration timeout is at least 50 ms.
                i.timeout_in_millis = _to_int(op, 50, None)
            elif row == "/cacheNamespace":
                i.cache_namespace = op.need_value()
            elif row == "/connectionType":
                i.connection_type = _enum(op, ["INTERNET", "VPC_LINK"])
            elif row == "/connectionId":
                i.connection_id = op.value or None
            elif row == "/tlsConfig/insecureSkipVerification":
                i.tls_config = dict(i.tls_config or {}, insecureSkipVerification=_to_bool(op))
            elif row == "/requestParameters/{param}":
                i.request_parameters = _map_op(i.request_parameters, op, lambda o: o.need_value(), _invalid_parameter_name)
                if op.op != "remove":
                    # AWS: the mapping source must be a declared method request parameter.
                    _check_request_mappings(method, [op.value])
            elif row == "/requestTemplates/{contentType}":
                i.request_templates = _map_op(i.request_templates, op, lambda o: o.value or None)
            elif row == "/cacheKeyParameters/{param}":
                key = op.key()
                params = list(i.cache_key_parameters or [])
                if op.op == "add":
                    if key not in params:
                        params.append(key)
                else:
                    params = [p for p in params if p != key]
                i.cache_key_parameters = params


def _apply_method_response_ops(mr: Any, ops: list[_Op]) -> None:
    with _atomic(mr, ["response_parameters", "response_models"]):
        for op in ops:
            row = _accepted("UpdateMethodResponse", op)
            if row == "/responseParameters/{header}":
                # AWS: method response header values are "required" flags.
                mr.response_parameters = _map_op(mr.response_parameters, op, _to_bool, _invalid_parameter_name)
            elif row == "/responseModels/{contentType}":
                mr.response_models = _map_op(mr.response_models, op, lambda o: o.need_value(), _content_type_not_found)


def _apply_integration_response_ops(ir: Any, ops: list[_Op], method: Any) -> None:
    fields = ["selection_pattern", "content_handling", "response_parameters", "response_templates"]
    with _atomic(ir, fields):
        for op in ops:
            row = _accepted("UpdateIntegrationResponse", op)
            if row == "/selectionPattern":
                # only replace is accepted; replace with no value clears the pattern.
                ir.selection_pattern = op.value or None
            elif row == "/contentHandling":
                ir.content_handling = _enum(op, ["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"]) if op.value else None
            elif row == "/responseParameters/{header}":
                # AWS: integration response parameter values are mapping expressions; the header mapped
                # to must be declared in the method response (see _check_response_mappings).
                ir.response_parameters = _map_op(ir.response_parameters, op, lambda o: o.need_value())
                if op.op != "remove":
                    _check_response_mappings(method, ir.status_code, [op.key()])
            elif row == "/responseTemplates/{contentType}":
                ir.response_templates = _map_op(ir.response_templates, op, lambda o: o.value or None) or {}


_ACCESS_LOG_PATHS = ("/accessLogSettings/destinationArn", "/accessLogSettings/format")


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
    with _atomic(stage, fields):
        for op in ops:
            if op.path.startswith("/accessLogSettings") and op.op in ("add", "replace") and op.path not in _ACCESS_LOG_PATHS:
                # AWS, verbatim ("one of :" included): LocalStack snapshot test_stage_access_log_settings_validation.
                raise _bad(
                    "Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]"
                )
            row = _accepted("UpdateStage", op)
            raw = op.raw_segments
            if row == "/deploymentId":
                # (AWS also allows "copy" from /canarySettings/deploymentId; no canaries here.)
                dep_id = op.need_value()
                # AWS: the stage must point at an existing deployment.
                if dep_id not in api.deployments:
                    raise _bad("Invalid deployment identifier specified")
                stage.deployment_id = dep_id
            elif row == "/description":
                # only replace is accepted; replace with no value (or "") clears it.
                stage.description = op.value or ""
            elif row == "/variables/{name}":
                # AWS: a new variable is set with replace, like an existing one; add is refused (see PATCH_OPS).
                variables = dict(stage.variables or {})
                if op.op == "replace":
                    variables[op.segments[1]] = op.need_value()
                else:
                    variables.pop(op.segments[1], None)
                stage.variables = variables
            elif row == "/tracingEnabled":
                stage.tracing_enabled = _to_bool(op)
            elif row == "/cacheClusterEnabled":
                stage.cache_cluster_enabled = _to_bool(op)
            elif row == "/cacheClusterSize":
                stage.cache_cluster_size = _enum(op, ["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"])
            elif row == "/clientCertificateId":
                stage.client_certificate_id = op.value or None
            elif row == "/accessLogSettings":
                stage.access_log_settings = None
            elif row in _ACCESS_LOG_PATHS:
                if not op.value:
                    # AWS (LocalStack snapshot test_stage_access_log_settings_validation).
                    raise _bad("Access Log value must not be empty")
                stage.access_log_settings = dict(stage.access_log_settings or {}, **{op.segments[1]: str(op.value)})
            elif row == "/{resourcePath}/{httpMethod}":
                # AWS: remove /{resourcePath}/{httpMethod} drops the whole entry; 400 when there is none
                # (LocalStack snapshot test_update_stage_remove_wildcard).
                settings = dict(stage.method_settings or {})
                if op.path[1:] not in settings:
                    raise _cannot_remove(op.path)
                del settings[op.path[1:]]
                stage.method_settings = settings
            else:
                # /{resourcePath}/{httpMethod}/{setting}: the key is kept as written ("*/*", "~1path/GET",
                # "test/GET"); AWS returns it as the methodSettings map key.
                if raw[1] not in HTTP_VERBS + ["*"]:
                    raise _path_not_accepted("UpdateStage", op)
                key = "/".join(raw[:2])
                field, kind = _STAGE_SETTING_KEYS["/".join(op.segments[2:])]
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
                if key not in settings:
                    # AWS: a new entry starts as a copy of the */* entry as it is now (later */* changes do not
                    # reach it), or of the defaults when there is no */* (LocalStack AWS-validated snapshot
                    # TestStages::test_create_update_stages: "test/GET" carries */*'s cachingEnabled true and
                    # throttlingRateLimit 10000.0 next to its own burstLimit 124; "update-stage-override").
                    settings[key] = copy.deepcopy(settings.get("*/*") or _default_method_setting())
                settings[key][field] = value
                stage.method_settings = settings
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
        api = orig_create_rest_api(self, name, description, *args, **kwargs)
        # AWS: the stored policy has execute-api:/ expanded to this API's ARN (see _expand_policy).
        api.policy = _expand_policy(api, api.policy)
        return api

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
        method = self.get_method(function_id, resource_id, method_type)
        _validate_credentials(kwargs.get("credentials"))
        # AWS: a mapping from an undeclared method request parameter is refused (_check_request_mappings).
        _check_request_mappings(method, (kwargs.get("request_parameters") or {}).values())
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

    orig_put_integration_response = backend_cls.put_integration_response

    def put_integration_response(
        self: Any, function_id: str, resource_id: str, method_type: str, status_code: str, *args: Any, **kwargs: Any
    ) -> Any:
        method = self.get_method(function_id, resource_id, method_type)
        self.get_integration(function_id, resource_id, method_type)  # AWS: 404 without an integration
        response_parameters = kwargs.get("response_parameters", args[2] if len(args) > 2 else None)
        # AWS: every header mapped to must be declared in the method response (_check_response_mappings).
        _check_response_mappings(method, status_code, (response_parameters or {}).keys())
        return orig_put_integration_response(self, function_id, resource_id, method_type, status_code, *args, **kwargs)

    backend_cls.put_integration_response = put_integration_response

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
        ops = _ops(self._get_param("patchOperations"), "UpdateResource")
        path_part, parent_id = res.path_part, res.parent_id
        for op in ops:
            row = _accepted("UpdateResource", op)
            if not res.parent_id:
                # AWS, verbatim (LocalStack snapshot TestApiGatewayApiResource::test_update_resource_on_root).
                raise _bad(f"Root resource cannot update its {row[1:]}.")
            if row == "/pathPart":
                path_part = op.need_value()
                if not PATH_PART_RE.match(path_part):
                    raise _exc().InvalidResourcePathException()
            else:
                parent_id = op.need_value()
        parent = api.resources.get(parent_id)
        if parent is None:
            raise _not_found("Invalid Resource identifier specified")
        if parent_id in _subtree_ids(api, res.id):
            # AWS, verbatim (snapshot test_update_resource_behaviour): a resource cannot move under itself.
            raise _bad("Resources cannot be cyclical.")
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
        _apply_method_ops(method, _ops(self._get_param("patchOperations"), "UpdateMethod"))
        return 200, {}, json.dumps(method.to_json())

    def get_integration(self: Any) -> Any:
        parts = ids(self)
        return 200, {}, json.dumps(self.backend.get_integration(parts[2], parts[4], parts[6]).to_json())

    def update_integration(self: Any) -> Any:
        parts = ids(self)
        method = self.backend.get_method(parts[2], parts[4], parts[6])
        integration = self.backend.get_integration(parts[2], parts[4], parts[6])
        _apply_integration_ops(integration, _ops(self._get_param("patchOperations"), "UpdateIntegration"), method)
        return 200, {}, json.dumps(integration.to_json())

    def update_method_response(self: Any) -> Any:
        parts = ids(self)
        mr = self.backend.get_method_response(parts[2], parts[4], parts[6], parts[8])
        _apply_method_response_ops(mr, _ops(self._get_param("patchOperations"), "UpdateMethodResponse"))
        return 200, {}, json.dumps(mr.to_json())

    def update_integration_response(self: Any) -> Any:
        parts = ids(self)
        method = self.backend.get_method(parts[2], parts[4], parts[6])
        ir = self.backend.get_integration_response(parts[2], parts[4], parts[6], parts[9])
        _apply_integration_response_ops(ir, _ops(self._get_param("patchOperations"), "UpdateIntegrationResponse"), method)
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
        ops = _ops(self._get_param("patchOperations"), "UpdateDeployment")
        new_description = dep.description
        for op in ops:
            if op.segments != ["description"]:
                raise _bad(f"Invalid patch path {op.path}")
            if op.op in ("add", "replace"):
                new_description = op.value or ""
            elif op.op == "remove":
                new_description = ""
            else:
                raise _bad("Invalid patch operation specified. Must be one of: [replace]")
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
        _apply_stage_ops(api, stage, _ops(self._get_param("patchOperations"), "UpdateStage"))
        return 200, {}, json.dumps(stage.to_json())

    def _tag_target(self: Any) -> Any:
        raw = self.raw_path if getattr(self, "raw_path", None) else self.path
        arn = unquote(raw.split("/tags/", 1)[1])
        # AWS: usage plans, API keys and custom domain names are tagged by their ARNs
        # arn:{p}:apigateway:{region}::/usageplans/{id}, …::/apikeys/{id}, …::/domainnames/{name}
        # (terraform-provider-aws usage_plan.go, api_key.go, domain_name.go tag through them).
        kind = re.match(r"^arn:[^:]+:apigateway:[^:]*::/(usageplans|apikeys|domainnames)/([^/]+)$", arn)
        if kind:
            if kind.group(1) == "usageplans":
                return self.backend.get_usage_plan(kind.group(2))  # 404 Invalid Usage Plan ID specified
            if kind.group(1) == "apikeys":
                return self.backend.get_api_key(kind.group(2))  # 404 Invalid API Key identifier specified
            return self.backend.get_domain_name(kind.group(2))  # 404 Invalid domain name identifier specified
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
# usage plans, API keys, custom domain names, base path mappings
# --------------------------------------------------------------------------------------
# Sources for every behaviour below: test/emulator/SOURCES.md section 5 ("Usage plans, API keys,
# custom domain names"). In short: LocalStack AWS-validated snapshots (test_apigateway_common.py::
# TestUsagePlans, test_apigateway_extended.py::TestApigatewayApiKeysCrud), AWS's messages quoted in
# public issues, terraform-provider-aws / aws-controllers-k8s for the patch paths clients send.

_QUOTA_PERIODS = ["DAY", "WEEK", "MONTH"]
# AWS's SecurityPolicy enum as the SDK (client-api-gateway 3.1142 enums.d.ts) lists it.
_SECURITY_POLICIES = [
    "SecurityPolicy_TLS12_2018_EDGE",
    "SecurityPolicy_TLS12_PFS_2025_EDGE",
    "SecurityPolicy_TLS13_1_2_2021_06",
    "SecurityPolicy_TLS13_1_2_Ext2_FIPS_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_Ext2_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_PQ_2025_09",
    "SecurityPolicy_TLS13_1_3_2025_09",
    "SecurityPolicy_TLS13_1_3_FIPS_2025_09",
    "SecurityPolicy_TLS13_2025_EDGE",
    "TLS_1_0",
    "TLS_1_2",
]
_ENDPOINT_ACCESS_MODES = ["BASIC", "STRICT"]
_ENDPOINT_TYPES = ["PRIVATE", "EDGE", "REGIONAL"]  # AWS's order (LocalStack snapshot test_create_rest_api_with_endpoint_configuration)
# AWS: Route 53 hosted zone of API Gateway's Regional endpoints, per Region (AWS General Reference
# https://docs.aws.amazon.com/general/latest/gr/apigateway.html "Route 53 Hosted Zone ID" column, as
# copied by codenize-tools/roadworker); the edge (CloudFront) zone is Z2FDTNDATAQYW2 in every Region.
_REGIONAL_ZONES = {
    "us-east-2": "ZOJJZC49E0EPZ",
    "us-east-1": "Z1UJRXOUMOOFQ8",
    "us-west-1": "Z2MUQ32089INYE",
    "us-west-2": "Z2OJLYMUO9EFXC",
    "ap-south-1": "Z3VO1THU9YC4UR",
    "ap-northeast-3": "Z2YQB5RD63NC85",
    "ap-northeast-2": "Z20JF4UZKIW1U8",
    "ap-southeast-1": "ZL327KTPIQFUL",
    "ap-southeast-2": "Z2RPCDW04V8134",
    "ap-northeast-1": "Z1YSHQZHG15GKL",
    "ca-central-1": "Z19DQILCV0OWEC",
    "eu-central-1": "Z1U9ULNL0V5AJ3",
    "eu-west-1": "ZLY8HYME6SFDD",
    "eu-west-2": "ZJ5UAJN8Y3Z2Q",
    "eu-west-3": "Z3KY65QIEKYHQQ",
    "sa-east-1": "ZCMLWB8V5SYIT",
}
_EDGE_ZONE = "Z2FDTNDATAQYW2"
_NONE_BASE_PATH = "(none)"


def _enum_violation(input_name: str, member: str, value: Any, allowed: list[str]) -> Exception:
    # AWS: a body member outside its enum is a ValidationException naming the input member, e.g.
    # "1 validation error detected: Value 'HTTPS_PROXY' at 'putIntegrationInput.type' failed to satisfy
    # constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]"
    # (LocalStack snapshot test_apigateway_api.py::TestApigatewayIntegration::test_put_integration_wrong_type).
    # The order of the values is AWS's own; ours is inferred.
    return _validation(
        f"1 validation error detected: Value '{value}' at '{input_name}.{member}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    )


def _required(input_name: str, member: str) -> Exception:
    # AWS: a missing required member is a ValidationException (Coral's wording; inferred for these inputs).
    return _validation(
        f"1 validation error detected: Value null at '{input_name}.{member}' failed to satisfy constraint: Member must not be null"
    )


def _patch_path_error(op: _Op, accepted: dict[str, list[str]]) -> Exception:
    """AWS's answer to a path an op does not take on usage plans, API keys, domain names and base path
    mappings: the list of paths accepted for that op, two spaces after "path" (sic). Verbatim for
    UpdateApiKey replace (LocalStack snapshot test_update_api_key_immutable_field) and UpdateUsagePlan
    remove (AWS's answer quoted in boto/boto3#2629); the same shape for the other ops (inferred)."""
    if op.op not in accepted:
        # (inferred) an op none of this resource's paths take
        return _bad(f"Invalid patch operation specified. Must be one of: [{', '.join(sorted(accepted))}]")
    return _bad(f"Invalid patch path  '{op.path}' specified for op '{op.op}'. Must be one of: [{', '.join(accepted[op.op])}]")


def _tags_into(d: dict[str, Any], tags: Any, always: bool) -> None:
    # AWS: GetUsagePlan, UpdateUsagePlan and UpdateApiKey return "tags": {} when there are none; Create*
    # responses and list items omit empty tags, and carry them when there are some (LocalStack snapshots
    # test_usage_plan_crud "get-usage-plan", "get-usage-plans"; test_api_key_required_for_methods
    # "create-usage-plan"; test_negative_get_usage_plan_api_keys "update-api-key-name").
    if tags or always:
        d["tags"] = dict(tags or {})


def _number(raw: Any, kind: type, what: str) -> Any:
    try:
        return kind(raw)
    except (TypeError, ValueError):
        raise _bad(f"Invalid {what} specified")  # (inferred)


def _throttle_settings(raw: Any) -> dict[str, Any]:
    """AWS: burstLimit is an integer, rateLimit a double (LocalStack snapshot test_api_key_required_for_methods:
    rateLimit 2 reads back 2.0)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _bad("Invalid throttle settings specified")
    t: dict[str, Any] = {}
    if raw.get("burstLimit") is not None:
        t["burstLimit"] = _number(raw["burstLimit"], int, "burst limit")
    if raw.get("rateLimit") is not None:
        t["rateLimit"] = _number(raw["rateLimit"], float, "rate limit")
    return t


def _quota_settings(raw: Any) -> dict[str, Any]:
    """AWS: limit and offset are integers; a quota without offset reads back offset 0 (LocalStack CFN
    snapshot test_update_usage_plan, test_usage_plan_crud "update-usage-plan")."""
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise _bad("Invalid quota settings specified")
    q: dict[str, Any] = {}
    if raw.get("limit") is not None:
        q["limit"] = _number(raw["limit"], int, "quota limit")
    q["offset"] = _number(raw.get("offset") or 0, int, "quota offset")
    if raw.get("period") is not None:
        if raw["period"] not in _QUOTA_PERIODS:
            raise _enum_violation("createUsagePlanInput", "quota.period", raw["period"], _QUOTA_PERIODS)
        q["period"] = raw["period"]
    return q


def _api_stage_json(s: dict[str, Any]) -> dict[str, Any]:
    d: dict[str, Any] = {"apiId": s["apiId"], "stage": s["stage"]}
    if s.get("throttle"):
        d["throttle"] = copy.deepcopy(s["throttle"])
    return d


def _usage_plan_json(plan: Any, tags_always: bool) -> dict[str, Any]:
    # AWS: UsagePlan always carries apiStages ([] when none), omits unset fields (LocalStack snapshots
    # test_usage_plan_crud, test_get_usage_plan_api_keys "create-usage-plan": {apiStages: [], id, name}).
    d: dict[str, Any] = {"id": plan.id, "name": plan.name, "apiStages": [_api_stage_json(s) for s in plan.api_stages]}
    if plan.description:
        d["description"] = plan.description
    if plan.throttle:
        d["throttle"] = dict(plan.throttle)
    if plan.quota:
        d["quota"] = dict(plan.quota)
    if plan.product_code:
        d["productCode"] = plan.product_code
    _tags_into(d, plan.tags, tags_always)
    return d


def _api_key_json(key: Any, include_value: bool, tags_always: bool) -> dict[str, Any]:
    # AWS: ApiKey omits an empty name/description/customerId; value only when asked for (and always in the
    # CreateApiKey answer, never in UpdateApiKey's); stageKeys always (LocalStack snapshots test_get_api_keys,
    # test_create_api_key_with_invalid_name "create-api-key-empty-name", test_negative_get_usage_plan_api_keys).
    d: dict[str, Any] = {
        "id": key.id,
        "enabled": bool(key.enabled),
        "createdDate": key.created_date,
        "lastUpdatedDate": key.last_updated_date,
        "stageKeys": list(key.stage_keys or []),
    }
    if include_value:
        d["value"] = key.value
    if key.name:
        d["name"] = key.name
    if key.customer_id:
        d["customerId"] = key.customer_id
    if key.description:
        d["description"] = key.description
    _tags_into(d, key.tags, tags_always)
    return d


def _usage_plan_key_json(key: Any) -> dict[str, Any]:
    # AWS: a usage plan key is the API key as it is now, value included (LocalStack snapshots
    # test_get_usage_plan_api_keys "create-up-key", "get-up-keys").
    d: dict[str, Any] = {"id": key.id, "type": "API_KEY", "value": key.value}
    if key.name:
        d["name"] = key.name
    return d


def _endpoint_type(dn: Any) -> str:
    types = (dn.endpoint_configuration or {}).get("types") or ["EDGE"]
    return str(types[0])


def _domain_json(dn: Any, tags_always: bool) -> dict[str, Any]:
    """AWS: a REGIONAL domain reports its regional name and the Region's hosted zone, an EDGE one its
    CloudFront name and zone Z2FDTNDATAQYW2 (SDK DomainName docs: distribution* are edge-only, regional*
    regional-only; AWS General Reference for the zone ids), plus domainNameArn."""
    from moto.utilities.utils import get_partition

    region = getattr(dn, "region_name", "us-east-1")
    d: dict[str, Any] = {
        "domainName": dn.domain_name,
        "domainNameArn": f"arn:{get_partition(region)}:apigateway:{region}::/domainnames/{dn.domain_name}",
        "domainNameStatus": dn.domain_name_status,
        "domainNameStatusMessage": dn.status_message,
        "endpointConfiguration": copy.deepcopy(dn.endpoint_configuration),
        "securityPolicy": dn.security_policy,
    }
    if _endpoint_type(dn) == "EDGE":
        d["distributionDomainName"] = dn.distribution_domain_name
        d["distributionHostedZoneId"] = _EDGE_ZONE
        d["certificateUploadDate"] = dn.certificate_upload_date
    else:
        d["regionalDomainName"] = dn.regional_domain_name
        if region in _REGIONAL_ZONES:
            d["regionalHostedZoneId"] = _REGIONAL_ZONES[region]
    for key, attr in [
        ("certificateName", "certificate_name"),
        ("certificateArn", "certificate_arn"),
        ("regionalCertificateName", "regional_certificate_name"),
        ("regionalCertificateArn", "regional_certificate_arn"),
        ("endpointAccessMode", "endpoint_access_mode"),
        ("ownershipVerificationCertificateArn", "ownership_verification_certificate_arn"),
        ("policy", "policy"),
    ]:
        v = getattr(dn, attr, None)
        if v:
            d[key] = v
    if getattr(dn, "mutual_tls", None):
        d["mutualTlsAuthentication"] = dict(dn.mutual_tls)
    _tags_into(d, dn.tags, tags_always)
    return d


def _mapping_json(m: Any) -> dict[str, Any]:
    # AWS: BasePathMapping is {basePath, restApiId, stage?} (moto adds a "domain_name" key).
    d: dict[str, Any] = {"basePath": m.base_path, "restApiId": m.rest_api_id}
    if m.stage:
        d["stage"] = m.stage
    return d


def _certificate_region_check(arn: str, region: str) -> None:
    # AWS: an ACM certificate ARN in another Region than the one it must be in:
    # "Invalid certificate ARN: arn:aws:acm:us-east-1:…. Certificate must be in 'us-west-2'." (quoted in
    # amplify-education/serverless-domain-manager#49 for REGIONAL; Miserlou/Zappa#1142 and
    # architect/architect#25 for EDGE, which needs us-east-1).
    m = re.match(r"^arn:[^:]+:acm:([^:]*):[^:]*:certificate/.+$", arn)
    if m is None:
        raise _bad(f"Invalid certificate ARN: {arn}")  # (inferred for a non-ACM ARN)
    if m.group(1) != region:
        raise _bad(f"Invalid certificate ARN: {arn}. Certificate must be in '{region}'.")


def _check_domain_certificates(dn: Any, client_region: str) -> None:
    """The certificate a domain's endpoint type needs, in the right Region (run on create and after an update)."""
    kind = _endpoint_type(dn)
    if kind == "REGIONAL":
        if dn.certificate_arn or dn.certificate_body:
            # AWS (quoted in anomalyco/sst#4131, 2024).
            raise _bad("Cannot import certificates for EDGE while REGIONAL is active.")
        if not dn.regional_certificate_arn:
            # AWS's wording for EDGE (quoted in hashicorp/terraform-provider-aws#3276); REGIONAL by analogy (inferred).
            raise _bad("A certificate was not provided for the endpoint type REGIONAL.")
        _certificate_region_check(dn.regional_certificate_arn, client_region)
    elif kind == "EDGE":
        if dn.regional_certificate_arn:
            raise _bad("Cannot import certificates for REGIONAL while EDGE is active.")  # (inferred, mirror of the above)
        if not dn.certificate_arn and not dn.certificate_body:
            raise _bad("A certificate was not provided for the endpoint type EDGE.")
        if dn.certificate_arn:
            from moto.utilities.utils import get_partition

            # AWS: edge-optimized custom domains use ACM certificates from us-east-1 (the partition's
            # CloudFront Region; other partitions are not checked here).
            if get_partition(client_region) == "aws":
                _certificate_region_check(dn.certificate_arn, "us-east-1")


def _parse_api_stage(value: Any) -> tuple[str, str]:
    # AWS: "{apiId}:{stageName}"; no value, or one without ':', is 400 "Invalid API Stage specified"
    # (LocalStack snapshot test_usage_plan_crud "update-wrong-api-stages-no-value", "…-wrong-value").
    if not isinstance(value, str) or ":" not in value:
        raise _bad("Invalid API Stage specified")
    api_id, stage = value.split(":", 1)
    if not api_id or not stage:
        raise _bad("Invalid API Stage specified")
    return api_id, stage


def _stage_exists(backend: Any, api_id: str, stage: str) -> bool:
    api = backend.apis.get(api_id)
    return api is not None and stage in api.stages


def _invalid_plan_stage(api_id: str, stage: str, plan_id: str) -> Exception:
    # AWS, verbatim (LocalStack snapshot test_usage_plan_crud "update-wrong-api-stages-wrong-api", "…-wrong-stage").
    return _not_found(f"Invalid API Stage {{api: {api_id}, stage: {stage}}} specified for usageplan {plan_id}")


# UpdateUsagePlan: the paths AWS accepts per op. "remove" is AWS's own list, verbatim ("apidId" sic;
# quoted in boto/boto3#2629); "add" / "replace" are the paths terraform-provider-aws usage_plan.go sends
# with those ops (and LocalStack snapshot test_usage_plan_crud: replace on /throttle/… and /quota/… of a
# plan that had neither), listed in the same style (inferred).
_STAGE_THROTTLE = "/apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>"
_USAGE_PLAN_PATHS: dict[str, list[str]] = {
    "add": ["/apiStages", "/productCode", "/throttle/burstLimit", "/throttle/rateLimit", "/quota/limit", "/quota/offset", "/quota/period"],
    "remove": ["/apiStages", "/quota", "/throttle", "/productCode", _STAGE_THROTTLE, "/apiStages/<apidId:stageName>/throttle"],
    "replace": [
        "/name",
        "/description",
        "/productCode",
        "/throttle/burstLimit",
        "/throttle/rateLimit",
        "/quota/limit",
        "/quota/offset",
        "/quota/period",
        _STAGE_THROTTLE + "/burstLimit",
        _STAGE_THROTTLE + "/rateLimit",
    ],
}


def _usage_plan_row(op: _Op) -> str:
    s = op.raw_segments
    row: str | None = None
    if s[0] == "apiStages" and len(s) >= 3 and s[2] == "throttle":
        if op.op == "remove" and len(s) == 3:
            row = "/apiStages/<apidId:stageName>/throttle"
        elif op.op == "remove" and len(s) >= 5:
            row = _STAGE_THROTTLE
        elif op.op == "replace" and len(s) >= 6 and s[-1] in ("burstLimit", "rateLimit"):
            row = f"{_STAGE_THROTTLE}/{s[-1]}"
    elif op.path in _USAGE_PLAN_PATHS.get(op.op, []):
        row = op.path
    if row is None:
        raise _patch_path_error(op, _USAGE_PLAN_PATHS)
    return row


def _apply_usage_plan_ops(backend: Any, plan: Any, ops: list[_Op]) -> None:
    with _atomic(plan, ["name", "description", "product_code", "throttle", "quota", "api_stages"]):
        plan.throttle = dict(plan.throttle or {})
        plan.quota = dict(plan.quota or {})
        plan.api_stages = copy.deepcopy(plan.api_stages or [])
        for op in ops:
            row = _usage_plan_row(op)
            if row == "/name":
                plan.name = op.need_value()
            elif row == "/description":
                plan.description = op.value or None  # replace "" clears (terraform-provider-aws)
            elif row == "/productCode":
                plan.product_code = None if op.op == "remove" else op.need_value()
            elif row == "/throttle":
                plan.throttle = {}
            elif row == "/throttle/burstLimit":
                plan.throttle["burstLimit"] = _to_int(op)
            elif row == "/throttle/rateLimit":
                plan.throttle["rateLimit"] = _to_float(op)  # a double: "12.5" stays 12.5
            elif row == "/quota":
                plan.quota = {}
            elif row.startswith("/quota/"):
                # AWS: a quota set through a patch starts with offset 0 (snapshot test_usage_plan_crud).
                plan.quota.setdefault("offset", 0)
                field = row[len("/quota/") :]
                plan.quota[field] = _enum(op, _QUOTA_PERIODS) if field == "period" else _to_int(op, 0)
            elif row == "/apiStages":
                api_id, stage = _parse_api_stage(op.value)
                present = any(s["apiId"] == api_id and s["stage"] == stage for s in plan.api_stages)
                if op.op == "add":
                    if not _stage_exists(backend, api_id, stage):
                        # AWS: "API Stage not found: {apiId}:{stage}" (NotFoundException; quoted in
                        # boto/boto3#825, serverless/serverless#2831, aws/serverless-application-model#1560).
                        raise _not_found(f"API Stage not found: {api_id}:{stage}")
                    if present:
                        # (inferred: AWS's answer to adding a stage the plan already has is unrecorded)
                        raise _conflict(f"API Stage {{api: {api_id}, stage: {stage}}} already exists in usageplan {plan.id}")
                    plan.api_stages.append({"apiId": api_id, "stage": stage})
                else:
                    if not _stage_exists(backend, api_id, stage) or not present:
                        raise _invalid_plan_stage(api_id, stage, plan.id)
                    plan.api_stages = [s for s in plan.api_stages if not (s["apiId"] == api_id and s["stage"] == stage)]
            else:
                # per-stage, per-method throttling: /apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}[/…]
                # (terraform-provider-aws usage_plan.go: path "/{resourcePath}/{VERB}" after …/throttle/).
                api_id, stage = _parse_api_stage(_unescape(op.raw_segments[1]))
                entry = next((s for s in plan.api_stages if s["apiId"] == api_id and s["stage"] == stage), None)
                if entry is None:
                    raise _invalid_plan_stage(api_id, stage, plan.id)  # (inferred for throttle paths)
                throttle = dict(entry.get("throttle") or {})
                rest = op.raw_segments[3:]
                if row == "/apiStages/<apidId:stageName>/throttle":
                    throttle = {}
                elif row == _STAGE_THROTTLE:
                    throttle.pop(_unescape("/".join(rest)), None)
                else:
                    key = _unescape("/".join(rest[:-1]))
                    settings = dict(throttle.get(key) or {})
                    settings["burstLimit" if rest[-1] == "burstLimit" else "rateLimit"] = (
                        _to_int(op) if rest[-1] == "burstLimit" else _to_float(op)
                    )
                    throttle[key] = settings
                if throttle:
                    entry["throttle"] = throttle
                else:
                    entry.pop("throttle", None)


# UpdateApiKey: replace on these four only, AWS's list verbatim (LocalStack snapshot
# test_update_api_key_immutable_field); add/remove on /stages/{restApiId}~1{stageName} (legacy stage keys,
# aws-controllers-k8s api_key/hooks.go).
_API_KEY_PATHS: dict[str, list[str]] = {
    "add": ["/stages"],
    "remove": ["/stages"],
    "replace": ["/description", "/enabled", "/name", "/customerId"],
}


def _check_api_key_texts(name: Any, description: Any) -> None:
    # AWS, verbatim (LocalStack snapshots test_create_api_key_with_invalid_name,
    # test_update_api_key_invalid_description_length: create and update).
    if name is not None and len(str(name)) > 1024:
        raise _bad("Invalid API Key name, can be at most 1024 characters.")
    if description is not None and len(str(description)) > 125000:
        raise _bad("Invalid API Key description specified.")


def _apply_api_key_ops(key: Any, ops: list[_Op]) -> None:
    with _atomic(key, ["name", "description", "enabled", "customer_id", "stage_keys"]):
        for op in ops:
            s = op.raw_segments
            if op.op in ("add", "remove") and s[0] == "stages" and len(s) == 2 and s[1]:
                stage_key = _unescape(s[1])  # "{restApiId}/{stageName}"
                keys = [k for k in (key.stage_keys or []) if k != stage_key]
                key.stage_keys = keys + [stage_key] if op.op == "add" else keys
                continue
            if op.path not in _API_KEY_PATHS.get(op.op, []) or op.op != "replace":
                raise _patch_path_error(op, _API_KEY_PATHS)
            if op.path == "/enabled":
                # AWS: anything but "true" reads as false (LocalStack snapshot test_update_api_key_invalid_enabled_type).
                key.enabled = str(op.value).strip().lower() == "true"
            elif op.path == "/name":
                _check_api_key_texts(op.value, None)
                key.name = op.value or None
            elif op.path == "/description":
                _check_api_key_texts(None, op.value)
                key.description = op.value or None
            else:
                key.customer_id = op.value or None
    key.last_updated_date = int(time.time())


# UpdateDomainName: the paths terraform-provider-aws domain_name.go and aws-controllers-k8s
# domain_name/hooks.go send; the message shape is AWS's (quoted in hashicorp/terraform#8789:
# "Invalid patch path  '/certificate_body' specified for op 'replace'. Must be one of: [/certificateName]"),
# today's lists are inferred.
_DOMAIN_PATHS: dict[str, list[str]] = {
    "add": ["/regionalCertificateArn", "/regionalCertificateName", "/ownershipVerificationCertificateArn"],
    "remove": ["/regionalCertificateArn", "/regionalCertificateName", "/ownershipVerificationCertificateArn"],
    "replace": [
        "/certificateName",
        "/certificateArn",
        "/regionalCertificateName",
        "/regionalCertificateArn",
        "/securityPolicy",
        "/endpointConfiguration/types/0",
        "/mutualTlsAuthentication/truststoreUri",
        "/mutualTlsAuthentication/truststoreVersion",
        "/ownershipVerificationCertificateArn",
        "/policy",
    ],
}
_DOMAIN_ATTRS = {
    "/certificateName": "certificate_name",
    "/certificateArn": "certificate_arn",
    "/regionalCertificateName": "regional_certificate_name",
    "/regionalCertificateArn": "regional_certificate_arn",
    "/ownershipVerificationCertificateArn": "ownership_verification_certificate_arn",
    "/policy": "policy",
}


def _apply_domain_ops(dn: Any, ops: list[_Op], client_region: str) -> None:
    fields = [*_DOMAIN_ATTRS.values(), "security_policy", "endpoint_configuration", "mutual_tls"]
    with _atomic(dn, fields):
        for op in ops:
            if op.path not in _DOMAIN_PATHS.get(op.op, []):
                raise _patch_path_error(op, _DOMAIN_PATHS)
            if op.path in _DOMAIN_ATTRS:
                setattr(dn, _DOMAIN_ATTRS[op.path], None if op.op == "remove" else (op.value or None))
            elif op.path == "/securityPolicy":
                dn.security_policy = _enum(op, _SECURITY_POLICIES)  # (wording inferred)
            elif op.path == "/endpointConfiguration/types/0":
                ec = dict(dn.endpoint_configuration or {})
                ec["types"] = [_enum(op, ["EDGE", "REGIONAL"])]
                dn.endpoint_configuration = ec
            else:
                # terraform-provider-aws: replace /mutualTlsAuthentication/truststoreUri "" turns mTLS off.
                mtls = dict(dn.mutual_tls or {})
                mtls[op.segments[1]] = op.value or None
                dn.mutual_tls = {k: v for k, v in mtls.items() if v} if mtls.get("truststoreUri") else None
        # AWS: the result must still carry the certificate its endpoint type needs, in the right Region.
        _check_domain_certificates(dn, client_region)


_BASE_PATH_MAPPING_PATHS: dict[str, list[str]] = {
    # terraform-provider-aws base_path_mapping.go (replace /basePath, /restapiId — lower-case "api", sic —
    # and /stage); AWS's answer to anything else is unrecorded (message shape inferred).
    "replace": ["/basePath", "/restapiId", "/stage"],
}


def _check_mapping_slot(mappings: dict[str, Any], base_path: str) -> None:
    if base_path in mappings:
        raise _exc().BasePathConflictException()  # AWS: "Base path already exists for this domain name"
    if mappings and (base_path == _NONE_BASE_PATH or _NONE_BASE_PATH in mappings):
        # AWS, verbatim (quoted in amplify-education/serverless-domain-manager#179; aws-cdk#17915: with an
        # empty base path mapping no other mapping can be created, and the other way round).
        raise _conflict("Only one base path mapping is allowed if the base path is empty.")


def _check_mapping_target(backend: Any, base_path: str, rest_api_id: Any, stage: Any) -> None:
    exc = _exc()
    if "/" in base_path:
        raise exc.InvalidBasePathException()
    if rest_api_id not in backend.apis:
        raise exc.InvalidRestApiIdForBasePathMappingException()  # "Invalid REST API identifier specified"
    if stage and stage not in backend.apis[rest_api_id].stages:
        raise exc.InvalidStageException()  # "Invalid stage identifier specified"


def _drop_plan_stages(backend: Any, api_id: str, stage: str | None) -> None:
    # AWS: a stage that is deleted leaves every usage plan that referenced it (terraform-provider-aws#14100:
    # stage recreation "will remove downstream resources such as … aws_api_gateway_usage_plan associated
    # with that stage"); a deleted API takes its stages with it (inferred).
    for plan in backend.usage_plans.values():
        plan.api_stages = [
            s for s in (plan.api_stages or []) if not (s["apiId"] == api_id and (stage is None or s["stage"] == stage))
        ]


def _patch_kinds() -> None:
    from moto.apigateway import models as m
    from moto.apigateway.responses import APIGatewayResponse as R

    backend_cls = m.APIGatewayBackend
    exc = _exc()

    # ---- backend: cross-object rules ----

    patched_delete_rest_api = backend_cls.delete_rest_api

    def delete_rest_api(self: Any, function_id: str) -> Any:
        api = self.get_rest_api(function_id)
        domains = [d for d, ms in self.base_path_mappings.items() if any(x.rest_api_id == api.id for x in ms.values())]
        if domains:
            # AWS, verbatim (quoted in serverless/serverless#3638 and glomex/gcdt#373; several domains
            # joined with ", " is inferred).
            raise _bad(
                f"Deleting RestApi {api.id} failed. Please remove all base path mappings related to the RestApi "
                f"in your domains: {', '.join(domains)}."
            )
        deleted = patched_delete_rest_api(self, function_id)
        _drop_plan_stages(self, api.id, None)
        return deleted

    backend_cls.delete_rest_api = delete_rest_api

    orig_delete_stage = backend_cls.delete_stage

    def delete_stage(self: Any, function_id: str, stage_name: str) -> None:
        orig_delete_stage(self, function_id, stage_name)
        _drop_plan_stages(self, function_id, stage_name)

    backend_cls.delete_stage = delete_stage

    def delete_usage_plan(self: Any, usage_plan_id: str) -> None:
        plan = self.get_usage_plan(usage_plan_id)  # AWS: 404 "Invalid Usage Plan ID specified"
        if plan.api_stages:
            first = plan.api_stages[0]
            # AWS, verbatim (quoted in aws/aws-sdk-js#3841, serverless/serverless#4006).
            raise _bad(
                f"Cannot delete Usage Plan {plan.id} because there are API Stages associated with it, "
                f"including {first['apiId']}:{first['stage']}"
            )
        self.usage_plans.pop(plan.id)
        # AWS: the plan's keys go with it (LocalStack snapshot "get-up-keys-bad-usage-plan": an unknown plan has none).
        self.usage_plan_keys.pop(plan.id, None)

    backend_cls.delete_usage_plan = delete_usage_plan

    def delete_api_key(self: Any, api_key_id: str) -> None:
        self.get_api_key(api_key_id)  # 404 "Invalid API Key identifier specified"
        self.keys.pop(api_key_id)
        # AWS: a deleted key leaves every usage plan (LocalStack snapshot test_get_usage_plan_api_keys
        # "get-up-keys-after-delete").
        for keys in self.usage_plan_keys.values():
            keys.pop(api_key_id, None)

    backend_cls.delete_api_key = delete_api_key

    def delete_domain_name(self: Any, domain_name: str) -> None:
        self.get_domain_name(domain_name)  # 404 "Invalid domain name identifier specified"
        self.domain_names.pop(domain_name)
        # AWS: deleting a domain deletes its base path mappings (quoted in aws/chalice#1918: "deleted my
        # custom domain name … entirely with all the mappings").
        self.base_path_mappings.pop(domain_name, None)

    backend_cls.delete_domain_name = delete_domain_name

    def _mappings(self: Any, domain_name: str) -> dict[str, Any]:
        self.get_domain_name(domain_name)  # 404 first
        return self.base_path_mappings.setdefault(domain_name, {})

    def create_base_path_mapping(self: Any, domain_name: str, rest_api_id: str, base_path: str, stage: str) -> Any:
        mappings = _mappings(self, domain_name)
        # AWS: an empty (or omitted) base path is stored and addressed as "(none)" (SDK doc "Specify
        # '(none)' if you do not want callers to specify any base path name"; terraform-provider-aws).
        path = base_path or _NONE_BASE_PATH
        _check_mapping_target(self, path, rest_api_id, stage)
        _check_mapping_slot(mappings, path)
        mapping = m.BasePathMapping(domain_name=domain_name, rest_api_id=rest_api_id, basePath=path, stage=stage or None)
        mappings[path] = mapping
        return mapping

    backend_cls.create_base_path_mapping = create_base_path_mapping

    def get_base_path_mappings(self: Any, domain_name: str) -> list[Any]:
        # AWS: a domain without mappings answers an empty list (moto: KeyError, 500).
        return list(_mappings(self, domain_name).values())

    backend_cls.get_base_path_mappings = get_base_path_mappings

    def get_base_path_mapping(self: Any, domain_name: str, base_path: str) -> Any:
        mapping = _mappings(self, domain_name).get(base_path or _NONE_BASE_PATH)
        if mapping is None:
            raise exc.BasePathNotFoundException()  # "Invalid base path mapping identifier specified"
        return mapping

    backend_cls.get_base_path_mapping = get_base_path_mapping

    def delete_base_path_mapping(self: Any, domain_name: str, base_path: str) -> None:
        mapping = self.get_base_path_mapping(domain_name, base_path)
        self.base_path_mappings[domain_name].pop(mapping.base_path)

    backend_cls.delete_base_path_mapping = delete_base_path_mapping

    def update_base_path_mapping(self: Any, domain_name: str, base_path: str, patch_operations: Any) -> Any:
        mapping = self.get_base_path_mapping(domain_name, base_path)
        path, api_id, stage = mapping.base_path, mapping.rest_api_id, mapping.stage
        for op in _ops(patch_operations, "UpdateBasePathMapping"):
            if op.path not in _BASE_PATH_MAPPING_PATHS.get(op.op, []):
                raise _patch_path_error(op, _BASE_PATH_MAPPING_PATHS)
            if op.path == "/basePath":
                path = op.value or _NONE_BASE_PATH
            elif op.path == "/restapiId":
                api_id = op.need_value()
            else:
                stage = op.value or None
        _check_mapping_target(self, path, api_id, stage)
        others = {k: v for k, v in self.base_path_mappings[domain_name].items() if k != mapping.base_path}
        _check_mapping_slot(others, path)
        # AWS: a renamed mapping is addressed by its new base path (terraform-provider-aws base_path_mapping.go).
        self.base_path_mappings[domain_name] = {**others, path: mapping}
        mapping.base_path, mapping.rest_api_id, mapping.stage = path, api_id, stage
        return mapping

    backend_cls.update_base_path_mapping = update_base_path_mapping

    # ---- responses ----

    def body(self: Any) -> dict[str, Any]:
        parsed = json.loads(self.body or "{}")
        if not isinstance(parsed, dict):
            raise _bad("Invalid request body")
        return parsed

    def query(self: Any, name: str) -> str | None:
        return (self.querystring.get(name) or [None])[0]

    def flag(self: Any, name: str) -> bool:
        return str(query(self, name) or "").lower() == "true"

    def part(self: Any, i: int) -> str:
        return unquote(self.path.split("/")[i])

    # usage plans

    def create_usage_plan(self: Any) -> Any:
        b = body(self)
        if not b.get("name"):
            raise _required("createUsagePlanInput", "name")
        stages = []
        for raw in b.get("apiStages") or []:
            api_id, stage = (raw or {}).get("apiId"), (raw or {}).get("stage")
            if not api_id or not stage or not _stage_exists(self.backend, api_id, stage):
                # AWS, verbatim with its literal "%s" (quoted in aws/aws-cdk#6169, 2020; aws/aws-sdk#354, 2022).
                raise _bad("Invalid API Stage {api: %s, stage: %s} specified for usageplan %s")
            entry: dict[str, Any] = {"apiId": api_id, "stage": stage}
            throttle = {k: _throttle_settings(v) for k, v in ((raw or {}).get("throttle") or {}).items()}
            if throttle:
                entry["throttle"] = throttle
            stages.append(entry)
        payload = {
            "name": b["name"],
            "description": b.get("description") or None,
            "apiStages": stages,
            "throttle": _throttle_settings(b.get("throttle")),
            "quota": _quota_settings(b.get("quota")),
            "tags": _validate_tags(b.get("tags")),
        }
        plan = self.backend.create_usage_plan(payload)
        return 201, {"status": 201}, json.dumps(_usage_plan_json(plan, tags_always=False))

    def get_usage_plan(self: Any) -> Any:
        plan = self.backend.get_usage_plan(part(self, 2))
        return 200, {}, json.dumps(_usage_plan_json(plan, tags_always=True))

    def get_usage_plans(self: Any) -> Any:
        # AWS: paged by limit/position; keyId keeps the plans holding that key.
        plans = [_usage_plan_json(p, tags_always=False) for p in self.backend.get_usage_plans(api_key_id=query(self, "keyId"))]
        page, nxt = _page(plans, self.querystring)
        return 200, {}, _paged_body(page, nxt)

    def update_usage_plan(self: Any) -> Any:
        plan = self.backend.get_usage_plan(part(self, 2))
        _apply_usage_plan_ops(self.backend, plan, _ops(self._get_param("patchOperations"), "UpdateUsagePlan"))
        return 200, {}, json.dumps(_usage_plan_json(plan, tags_always=True))

    def delete_usage_plan(self: Any) -> Any:
        self.backend.delete_usage_plan(part(self, 2))
        return 202, {"status": 202}, ""

    # usage plan keys

    def create_usage_plan_key(self: Any) -> Any:
        plan = self.backend.get_usage_plan(part(self, 2))  # AWS: 404 "Invalid Usage Plan ID specified"
        b = body(self)
        if b.get("keyType") != "API_KEY":
            # AWS: the only key type is API_KEY (SDK UsagePlanKey doc); its answer to another is unrecorded (inferred).
            raise _bad(f"Invalid key type specified: {b.get('keyType')}")
        key = self.backend.get_api_key(b.get("keyId") or "")  # 404 "Invalid API Key identifier specified"
        keys = self.backend.usage_plan_keys.setdefault(plan.id, {})
        if key.id in keys:
            raise _conflict(f"API Key {key.id} is already a member of usage plan {plan.id}")  # (inferred wording)
        mine = {(s["apiId"], s["stage"]) for s in plan.api_stages}
        for other_id, other_keys in self.backend.usage_plan_keys.items():
            other = self.backend.usage_plans.get(other_id)
            if other_id == plan.id or other is None or key.id not in other_keys:
                continue
            shared = [s for s in other.api_stages if (s["apiId"], s["stage"]) in mine]
            if shared:
                # AWS docs (api-gateway-api-usage-plans.html): "A given API key can only be associated with one
                # usage plan for each stage of your API". The wording is inferred.
                raise _conflict(
                    f"Usage Plan {plan.id} cannot be added because API Key {key.id} cannot reference multiple "
                    f"Usage Plans with the same API Stage: {shared[0]['apiId']}:{shared[0]['stage']}"
                )
        keys[key.id] = m.UsagePlanKey(plan_id=key.id, plan_type="API_KEY", name=key.name, value=key.value)
        return 201, {"status": 201}, json.dumps(_usage_plan_key_json(key))

    def _plan_keys(self: Any, plan_id: str) -> list[Any]:
        # AWS: read from the API keys as they are now (names, values).
        return [self.backend.keys[k] for k in self.backend.usage_plan_keys.get(plan_id, {}) if k in self.backend.keys]

    def get_usage_plan_keys(self: Any) -> Any:
        # AWS: an unknown plan answers an empty list; nameQuery is a case-sensitive prefix (LocalStack snapshots
        # test_get_usage_plan_api_keys "get-up-keys-bad-usage-plan", "get-up-keys-name-query-cased"); paged.
        name = query(self, "name")
        items = [_usage_plan_key_json(k) for k in _plan_keys(self, part(self, 2)) if not name or (k.name or "").startswith(name)]
        page, nxt = _page(items, self.querystring)
        return 200, {}, _paged_body(page, nxt)

    def get_usage_plan_key(self: Any) -> Any:
        plan_id, key_id = part(self, 2), part(self, 4)
        key = next((k for k in _plan_keys(self, plan_id) if k.id == key_id), None)
        if key is None:
            raise exc.UsagePlanNotFoundException() if plan_id not in self.backend.usage_plans else exc.ApiKeyNotFoundException()
        return 200, {}, json.dumps(_usage_plan_key_json(key))

    def delete_usage_plan_key(self: Any) -> Any:
        plan_id, key_id = part(self, 2), part(self, 4)
        self.backend.get_usage_plan(plan_id)  # 404 "Invalid Usage Plan ID specified"
        if key_id not in self.backend.usage_plan_keys.get(plan_id, {}):
            raise exc.ApiKeyNotFoundException()  # (inferred: 404; terraform-provider-aws treats NotFound as gone)
        self.backend.usage_plan_keys[plan_id].pop(key_id)
        return 202, {"status": 202}, ""

    # API keys

    def create_api_key(self: Any) -> Any:
        b = body(self)
        value = b.get("value")
        if value and len(str(value)) > 128:
            # AWS, verbatim (LocalStack snapshot test_create_api_key_with_invalid_value); < 20 is moto's own check.
            raise _bad("API Key value exceeds maximum size of 128 characters")
        _check_api_key_texts(b.get("name"), b.get("description"))
        payload: dict[str, Any] = {
            "name": b.get("name") or None,
            "description": b.get("description") or None,
            # AWS: a key is disabled unless enabled is given (LocalStack snapshot test_get_api_keys "create-api-key").
            "enabled": bool(b.get("enabled", False)),
            "generateDistinctId": bool(b.get("generateDistinctId", False)),
            "customerId": b.get("customerId") or None,
            "tags": _validate_tags(b.get("tags")),
            # AWS: stage keys read back as "{restApiId}/{stageName}" strings.
            "stageKeys": [f"{k.get('restApiId')}/{k.get('stageName')}" for k in b.get("stageKeys") or [] if isinstance(k, dict)],
        }
        if value:
            payload["value"] = str(value)  # value "" is treated as absent: AWS generates one (snapshot above)
        key = self.backend.create_api_key(payload)  # moto: < 20 chars 400, duplicate value 409 "API Key already exists"
        return 201, {"status": 201}, json.dumps(_api_key_json(key, include_value=True, tags_always=False))

    def get_api_key(self: Any) -> Any:
        key = self.backend.get_api_key(part(self, 2))
        # GetApiKey carries tags {} like the other single-resource reads (inferred: only UpdateApiKey's is recorded).
        return 200, {}, json.dumps(_api_key_json(key, include_value=flag(self, "includeValue"), tags_always=True))

    def get_api_keys(self: Any) -> Any:
        # AWS: nameQuery (query "name") is a case-sensitive prefix, customerId filters, values only with
        # includeValues=true, paged (LocalStack snapshot test_get_api_keys).
        name, customer = query(self, "name"), query(self, "customerId")
        keys = [
            k
            for k in self.backend.keys.values()
            if (not name or (k.name or "").startswith(name)) and (not customer or k.customer_id == customer)
        ]
        items = [_api_key_json(k, include_value=flag(self, "includeValues"), tags_always=False) for k in keys]
        page, nxt = _page(items, self.querystring)
        return 200, {}, _paged_body(page, nxt)

    def update_api_key(self: Any) -> Any:
        key = self.backend.get_api_key(part(self, 2))
        _apply_api_key_ops(key, _ops(self._get_param("patchOperations"), "UpdateApiKey"))
        # AWS: the answer has no value and carries tags {} (LocalStack snapshot "update-api-key-name").
        return 200, {}, json.dumps(_api_key_json(key, include_value=False, tags_always=True))

    def delete_api_key(self: Any) -> Any:
        self.backend.delete_api_key(part(self, 2))
        return 202, {"status": 202}, ""

    # custom domain names

    def create_domain_name(self: Any) -> Any:
        b = body(self)
        name = b.get("domainName")
        if not name:
            raise exc.InvalidDomainName()  # "No Domain Name specified"
        policy = b.get("securityPolicy")
        if policy is not None and policy not in _SECURITY_POLICIES:
            raise _enum_violation("createDomainNameInput", "securityPolicy", policy, _SECURITY_POLICIES)
        mode = b.get("endpointAccessMode")
        if mode is not None and mode not in _ENDPOINT_ACCESS_MODES:
            raise _enum_violation("createDomainNameInput", "endpointAccessMode", mode, _ENDPOINT_ACCESS_MODES)
        ec = b.get("endpointConfiguration") or {}
        types = ec.get("types") or ["EDGE"]  # AWS: EDGE unless told otherwise (API_CreateDomainName)
        if any(t not in _ENDPOINT_TYPES for t in types):
            # AWS (LocalStack snapshot test_create_rest_api_with_endpoint_configuration, for CreateRestApi).
            raise _validation(
                f"1 validation error detected: Value '[{', '.join(map(str, types))}]' at 'createDomainNameInput.endpointConfiguration.types' "
                f"failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [{', '.join(_ENDPOINT_TYPES)}]]"
            )
        if name in self.backend.domain_names:
            # AWS, verbatim, HTTP 400 (quoted in Miserlou/Zappa#1410, aws/chalice#1852 "Status Code: 400").
            raise _bad("The domain name you provided already exists.")
        if policy and policy.startswith("SecurityPolicy_") and not mode:
            # AWS, verbatim (quoted in serverless/serverless#13332, amplify-education/serverless-domain-manager#684).
            raise _bad("Endpoint access mode is required for the specified security policy")
        tags = _validate_tags(b.get("tags"))
        dn = m.DomainName(
            domain_name=name,
            certificate_name=b.get("certificateName"),
            certificate_arn=b.get("certificateArn"),
            certificate_body=b.get("certificateBody"),
            certificate_chain=b.get("certificateChain"),
            certificate_private_key=b.get("certificatePrivateKey"),
            regional_certificate_name=b.get("regionalCertificateName"),
            regional_certificate_arn=b.get("regionalCertificateArn"),
            endpoint_configuration=dict(ec, types=list(types)),
            tags=tags,
            # AWS: TLS_1_2 unless told otherwise (inferred; LocalStack's provider does the same).
            security_policy=policy or "TLS_1_2",
            region_name=self.backend.region_name,
        )
        dn.region_name = self.backend.region_name
        dn.endpoint_access_mode = mode
        dn.ownership_verification_certificate_arn = b.get("ownershipVerificationCertificateArn")
        dn.policy = b.get("policy")
        mtls = b.get("mutualTlsAuthentication") or {}
        dn.mutual_tls = {k: v for k, v in mtls.items() if v} if mtls.get("truststoreUri") else None
        _check_domain_certificates(dn, self.backend.region_name)
        self.backend.domain_names[name] = dn
        return 201, {"status": 201}, json.dumps(_domain_json(dn, tags_always=False))

    def get_domain_name(self: Any) -> Any:
        dn = self.backend.get_domain_name(part(self, 2))
        # tags {} on the single read like GetUsagePlan (inferred for domains).
        return 200, {}, json.dumps(_domain_json(dn, tags_always=True))

    def get_domain_names(self: Any) -> Any:
        items = [_domain_json(d, tags_always=False) for d in self.backend.get_domain_names()]
        page, nxt = _page(items, self.querystring)
        return 200, {}, _paged_body(page, nxt)

    def update_domain_name(self: Any) -> Any:
        # moto 5.2.1 has no UpdateDomainName (NotImplementedError, 500).
        dn = self.backend.get_domain_name(part(self, 2))
        _apply_domain_ops(dn, _ops(self._get_param("patchOperations"), "UpdateDomainName"), self.backend.region_name)
        return 200, {}, json.dumps(_domain_json(dn, tags_always=True))

    def delete_domain_name(self: Any) -> Any:
        self.backend.delete_domain_name(part(self, 2))
        return 202, {"status": 202}, ""

    # base path mappings

    def create_base_path_mapping(self: Any) -> Any:
        b = body(self)
        mapping = self.backend.create_base_path_mapping(part(self, 2), b.get("restApiId"), b.get("basePath"), b.get("stage"))
        return 201, {"status": 201}, json.dumps(_mapping_json(mapping))

    def get_base_path_mapping(self: Any) -> Any:
        mapping = self.backend.get_base_path_mapping(part(self, 2), part(self, 4))
        return 200, {}, json.dumps(_mapping_json(mapping))

    def get_base_path_mappings(self: Any) -> Any:
        items = [_mapping_json(x) for x in self.backend.get_base_path_mappings(part(self, 2))]
        page, nxt = _page(items, self.querystring)
        return 200, {}, _paged_body(page, nxt)

    def update_base_path_mapping(self: Any) -> Any:
        mapping = self.backend.update_base_path_mapping(part(self, 2), part(self, 4), self._get_param("patchOperations"))
        return 200, {}, json.dumps(_mapping_json(mapping))

    def delete_base_path_mapping(self: Any) -> Any:
        self.backend.delete_base_path_mapping(part(self, 2), part(self, 4))
        return 202, {"status": 202}, ""

    for fn in [
        create_usage_plan,
        get_usage_plan,
        get_usage_plans,
        update_usage_plan,
        delete_usage_plan,
        create_usage_plan_key,
        get_usage_plan_keys,
        get_usage_plan_key,
        delete_usage_plan_key,
        create_api_key,
        get_api_key,
        get_api_keys,
        update_api_key,
        delete_api_key,
        create_domain_name,
        get_domain_name,
        get_domain_names,
        update_domain_name,
        delete_domain_name,
        create_base_path_mapping,
        get_base_path_mapping,
        get_base_path_mappings,
        update_base_path_mapping,
        delete_base_path_mapping,
    ]:
        _ORIGINALS.setdefault(fn.__name__, getattr(R, fn.__name__, None))
        setattr(R, fn.__name__, fn)


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
