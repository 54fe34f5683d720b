from django.urls import re_path

from .views import status_list

urlpatterns = [
    re_path(
        r"^status/(?P<number>[1-9][0-9]{0,8})/(?P<purpose>revocation|suspension)$", status_list, name="status-list"
    ),
]
