from django.urls import path

from treatment.claims import views

urlpatterns = [
    path("", views.claim_list, name="claims"),
    path("new/", views.claim_create, name="claim_create"),
    path("payments/", views.claim_payments, name="claim_payments"),
    path("<int:pk>/", views.claim_detail, name="claim"),
    path("<int:pk>/step/", views.claim_step, name="claim_step"),
    path("<int:pk>/attachments/", views.claim_attachment_upload, name="claim_attachment_upload"),
    path("attachments/<int:pk>/", views.claim_attachment, name="claim_attachment"),
]
