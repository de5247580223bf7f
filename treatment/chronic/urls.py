from django.urls import path

from treatment.chronic import views

urlpatterns: list = [
    path("", views.recognition_list, name="recognitions"),
    path("new/", views.recognition_create, name="recognition_create"),
    path("<int:pk>/", views.recognition_detail, name="recognition"),
    path("<int:pk>/decide/", views.recognition_decide, name="recognition_decide"),
    path("<int:pk>/attachments/", views.attachment_upload, name="recognition_attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="recognition_attachment"),
]
