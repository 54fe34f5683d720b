from django.urls import path

from core.api.routers import OptionalSlashRouter

from . import views
from .views_root import api_root

router = OptionalSlashRouter()
router.register("municipalities", views.MunicipalityViewSet, basename="municipality")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("occupational-standards", views.OccupationalStandardViewSet, basename="occupational-standard")
router.register("qualifications", views.QualificationViewSet, basename="qualification")
router.register("curricula", views.CurriculumViewSet, basename="curriculum")
router.register("accreditations", views.AccreditationViewSet, basename="accreditation")
router.register("equivalencies", views.EquivalencyViewSet, basename="equivalency")
router.register("audit-entries", views.AuditEntryViewSet, basename="audit-entry")

urlpatterns = [path("", api_root, name="api-root"), *router.urls]
