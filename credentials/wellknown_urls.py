from django.urls import path

from credentials.vc.views import did_json
from credentials.wellknown_views import jwks

urlpatterns = [
    path(".well-known/jwks.json", jwks, name="jwks"),
    path(".well-known/did.json", did_json, name="did-document"),
]
