from django.urls import path

from . import dataset_views

urlpatterns = [
    path("datasets/qualifications.xml", dataset_views.qualifications_dataset, name="dataset-qualifications"),
    path("datasets/qualifications/<str:code>.xml", dataset_views.qualification_dataset, name="dataset-qualification"),
]
