"""OpenAPI post-processing: document the API's one error shape on every operation.

drf-spectacular documents only the success responses it can see. Every operation can also answer with the
shared error body (`{"error": {"code", "message", "fields", "request_id"}}`); this hook adds the component and
the usual error statuses (404 where a path names an object, and on every paginated list, for a page past the
last or a cursor the API did not give), without overriding anything an operation documents itself.
"""

ERROR_COMPONENT = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields", "request_id"],
            "properties": {
                "code": {"type": "string", "description": "Machine-readable, stable: e.g. `hours_not_met`."},
                "message": {"type": "string", "description": "For people; may change."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Each input field at fault (nested fields joined with dots).",
                },
                "request_id": {"type": "string"},
                "retry_after": {"type": "integer", "description": "Seconds to wait, on 429 only."},
            },
            "additionalProperties": True,
        }
    },
}

DESCRIPTIONS = {
    "400": "Bad input: nothing was written. `error.fields` names each field at fault.",
    "401": "Not authenticated.",
    "403": "Authenticated, but this caller may not do this.",
    "404": "Not found, or not visible to this caller.",
    "409": "Conflicts with the current state of a record.",
    "429": "Throttled: see the Retry-After header.",
}
# A paginated list answers 404 for a page past the last one (DRF's PageNumberPagination: "Invalid page.").
PAGE_NOT_FOUND = "No such page: `page` is past the last page (`not_found`)."
# The lists that reach millions go by cursor (core.api.pagination.KeysetPagination): no count, no page numbers.
CURSOR_NOT_FOUND = "No such page: `cursor` is not one a `next` or `previous` link gave (`not_found`)."
# DRF answers an unknown `?format=` with 404 (content negotiation, before the view runs).
FORMAT_NOT_FOUND = "No such format: `format` names none this operation gives (`not_found`)."
WRITE_METHODS = {"post", "put", "patch"}


def _query_parameter(operation: dict, name: str) -> bool:
    return any(p.get("in") == "query" and p.get("name") == name for p in operation.get("parameters", []))


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_COMPONENT)
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            descriptions = {status: DESCRIPTIONS[status] for status in ("400", "401", "403", "429")}
            if "{" in path:
                descriptions["404"] = DESCRIPTIONS["404"]
            for parameter, not_found in (
                ("page", PAGE_NOT_FOUND),
                ("cursor", CURSOR_NOT_FOUND),
                ("format", FORMAT_NOT_FOUND),
            ):
                if _query_parameter(operation, parameter):
                    descriptions["404"] = " ".join(filter(None, [descriptions.get("404"), not_found]))
            if method in WRITE_METHODS:
                descriptions["409"] = DESCRIPTIONS["409"]
            for status, description in descriptions.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return result


BINARY_ALTERNATIVE = "application/octet-stream"


def offer_binary_alternatives(result, generator, request, public):
    """A file answer (`application/pdf`, `application/zip`) is also documented as `application/octet-stream`,
    the one binary media type standard client generators type (openapi-python-client skipped these responses
    with a warning, leaving a client without them). The server sends the same file whatever the Accept header."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                content = response.get("content") or {}
                binary = [
                    media
                    for media_type, media in content.items()
                    if not media_type.startswith("text/")
                    and "json" not in media_type
                    and (media.get("schema") or {}).get("format") == "binary"
                ]
                if binary and BINARY_ALTERNATIVE not in content:
                    content[BINARY_ALTERNATIVE] = {"schema": {"type": "string", "format": "binary"}}
    return result


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def json_request_bodies(result, generator, request, public):
    """A request body documented as JSON is documented as JSON only, not also as the HTML form encodings DRF
    accepts for the browsable API with the very same schema: a generated client sent such a body as all three
    at once (openapi-python-client's last branch wins: an empty multipart body). A body that only a form can
    carry (a file upload) keeps its form types."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = (operation.get("requestBody") or {}).get("content") if isinstance(operation, dict) else None
            if not content or "application/json" not in content:
                continue
            for media_type in FORM_TYPES:
                same = (content.get(media_type) or {}).get("schema") == content["application/json"].get("schema")
                if media_type in content and same:
                    del content[media_type]
    return result


def optional_credentials_at_the_root(result, generator, request, public):
    """An operation anyone may call is typed by client generators as needing credentials when its own `security`
    list is not empty: openapi-python-client 0.29 decides `requires_security = bool(operation.security)` and
    never looks at `{}` in the list, nor at the root's list. So the schema says the same thing the other way the
    standard allows: the root's `security` is the public operations' "a token, a session, or nothing", which
    those operations inherit (their own list is left out); an operation that accepts no credentials at all
    (`[{}]`: a graduate's one-time link, the public change feed) says so with an empty list. Operations that need
    credentials keep their own list, which overrides the root's. A public operation that names other schemes
    than the others keeps its own list (and is typed as needing credentials): none does today, and the schema
    test says so."""
    optional = None
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            security = operation.get("security") if isinstance(operation, dict) else None
            if security and {} in security and len(security) > 1:
                optional = security
                break
        if optional is not None:
            break
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            security = operation.get("security") if isinstance(operation, dict) else None
            if not security or {} not in security:
                continue
            if security == [{}]:
                operation["security"] = []
            elif security == optional:
                del operation["security"]
    if optional is not None:
        result["security"] = optional
    return result
