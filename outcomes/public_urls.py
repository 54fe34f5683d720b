from django.urls import path

from outcomes import views

urlpatterns = [
    path("impact/", views.impact_page, name="impact"),
    path("tracer/<str:token>/", views.tracer_form_page, name="tracer-form"),
]
