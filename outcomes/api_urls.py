from django.urls import re_path
from rest_framework.routers import SimpleRouter

from outcomes.api import views
from outcomes.api.tracer_rates import TracerResponseRatesView

router = SimpleRouter()
router.trailing_slash = "/?"  # DRF's constructor turns any truthy value into "/"; both forms are served
router.register("tracer-responses", views.TracerResponseViewSet, basename="tracer-response")
router.register("tracer-invitations", views.TracerInvitationViewSet, basename="tracer-invitation")
router.register("employer-surveys", views.EmployerSurveyViewSet, basename="employer-survey")

urlpatterns = [
    re_path(r"^stats/impact\.csv$", views.ImpactStatsView.as_view(), {"format": "csv"}, name="stats-impact-csv"),
    re_path(r"^stats/impact/?$", views.ImpactStatsView.as_view(), name="stats-impact"),
    re_path(r"^tracer-answers/?$", views.TracerAnswerView.as_view(), name="tracer-answer"),
    re_path(r"^stats/tracer-response-rates/?$", TracerResponseRatesView.as_view(), name="tracer-response-rates"),
    *router.urls,
]
