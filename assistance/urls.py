from django.urls import path

from assistance import alert_views, case_views, identity_views

app_name = "assistance"

urlpatterns: list = [
    path("uninsured/", identity_views.uninsured_list, name="uninsured"),
    path("applications/", case_views.application_list, name="applications"),
    path("applications/new/", case_views.application_create, name="application_create"),
    path("applications/<int:pk>/", case_views.application_detail, name="application"),
    path("applications/<int:pk>/step/", case_views.application_step, name="application_step"),
    path("applications/<int:pk>/attachments/", case_views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", case_views.attachment_download, name="attachment"),
    path("alerts/", alert_views.alert_list, name="alerts"),
    path("alerts/<int:pk>/", alert_views.alert_detail, name="alert"),
    path("alerts/<int:pk>/acknowledge/", alert_views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/resolve/", alert_views.alert_resolve, name="alert_resolve"),
]
