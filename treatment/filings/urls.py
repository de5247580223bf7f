from django.urls import path

from treatment.filings import views

urlpatterns: list = [
    path("", views.filing_list, name="filings"),
    path("new/", views.filing_create, name="filing_create"),
    path("<int:pk>/", views.filing_detail, name="filing"),
    path("<int:pk>/print/", views.filing_print, name="filing_print"),
    path("<int:pk>/cancel/", views.filing_cancel, name="filing_cancel"),
    path("<int:pk>/change/", views.filing_change, name="filing_change"),
    path("<int:pk>/attachments/", views.attachment_upload, name="filing_attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="filing_attachment"),
]
