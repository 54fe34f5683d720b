from django.urls import NoReverseMatch, get_resolver, reverse
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

# The public, non-list entry points worth listing beside every collection.
EXTRA_ENTRY_POINTS = {
    "stats-impact": "stats/impact",
    "verification-create": "verifications",
    "catalogue-changes": "catalogue-changes",
}


def _list_route_names() -> list[str]:
    names = set()
    for key in get_resolver().reverse_dict:
        if isinstance(key, str) and (key.endswith("-list") or key in EXTRA_ENTRY_POINTS):
            names.add(key)
    return sorted(names)


@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request, format=None):
    """Every collection of the API, from all areas (catalogue, credentials, verification, outcomes)."""
    links = {}
    for name in _list_route_names():
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if not url.startswith("/api/v1/"):
            continue
        label = EXTRA_ENTRY_POINTS.get(name) or url.removeprefix("/api/v1/").strip("/?")
        links[label] = request.build_absolute_uri(url.rstrip("?"))
    links["schema"] = request.build_absolute_uri(reverse("schema"))
    links["docs"] = request.build_absolute_uri(reverse("swagger-ui"))
    return Response(dict(sorted(links.items())))
