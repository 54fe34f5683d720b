from django.urls import path

from credentials.wellknown_views import jwks

urlpatterns = [
    path(".well-known/jwks.json", jwks, name="jwks"),
]
