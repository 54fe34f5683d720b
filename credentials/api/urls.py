from rest_framework.routers import DefaultRouter

from . import views


class OptionalSlashRouter(DefaultRouter):
    """Routes that answer with or without the trailing slash (no redirect, so a POST never loses its body).
    DRF turns any truthy `trailing_slash` argument into "/", hence setting it after construction."""

    include_root_view = False

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("learners", views.LearnerViewSet, basename="learner")
router.register("cohorts", views.CohortViewSet, basename="cohort")
router.register("enrolments", views.EnrolmentViewSet, basename="enrolment")
router.register("module-results", views.ModuleResultViewSet, basename="module-result")
router.register("certificates", views.CertificateViewSet, basename="certificate")

urlpatterns = router.urls
