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
            for parameter, not_found in (("page", PAGE_NOT_FOUND), ("cursor", CURSOR_NOT_FOUND)):
                if _query_parameter(operation, parameter):
                    descriptions["404"] = " ".join(filter(None, [descriptions.get("404"), not_found]))
            if method in WRITE_METHODS:
                descriptions["409"] = DESCRIPTIONS["409"]
            for status, description in descriptions.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return result
