"""OpenAPI post-processing: document the API's one error shape on every operation.

drf-spectacular documents only the success responses it can see. Every operation can also answer with the
shared error body (`{"error": {"code", "message", "fields", "request_id"}}`); this hook adds the component and
the usual error statuses, without overriding anything an operation documents itself.
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
WRITE_METHODS = {"post", "put", "patch"}


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_COMPONENT)
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = ["400", "401", "403", "429"]
            if "{" in path:
                statuses.append("404")
            if method in WRITE_METHODS:
                statuses.append("409")
            for status in statuses:
                operation["responses"].setdefault(
                    status, {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": ref}}}
                )
    return result
