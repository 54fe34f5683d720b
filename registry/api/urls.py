from django.urls import path, re_path

from core.api.routers import OptionalSlashRouter

from . import views
from .views_changes import CatalogueChangesView
from .views_root import api_root
from .views_tasks import TaskViewSet

router = OptionalSlashRouter()
router.register("municipalities", views.MunicipalityViewSet, basename="municipality")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("occupational-standards", views.OccupationalStandardViewSet, basename="occupational-standard")
router.register("qualifications", views.QualificationViewSet, basename="qualification")
router.register("curricula", views.CurriculumViewSet, basename="curriculum")
router.register("accreditations", views.AccreditationViewSet, basename="accreditation")
router.register("equivalencies", views.EquivalencyViewSet, basename="equivalency")
router.register("audit-entries", views.AuditEntryViewSet, basename="audit-entry")
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = [
    path("", api_root, name="api-root"),
    re_path(r"^catalogue-changes/?$", CatalogueChangesView.as_view(), name="catalogue-changes"),
    *router.urls,
]
