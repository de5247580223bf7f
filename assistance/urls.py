from django.urls import path

from assistance.cases import views as cases
from assistance.identities import views as identities
from assistance.settlements import views as settlements

app_name = "assistance"

urlpatterns: list = [
    path("uninsured/", identities.uninsured_list, name="uninsured"),
    path("applications/", cases.application_list, name="applications"),
    path("applications/new/", cases.application_create, name="application_create"),
    path("applications/<int:pk>/", cases.application_detail, name="application"),
    path("applications/<int:pk>/step/", cases.application_step, name="application_step"),
    path("applications/<int:pk>/attachments/", cases.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", cases.attachment_download, name="attachment"),
    path("alerts/", settlements.alert_list, name="alerts"),
    path("alerts/<int:pk>/", settlements.alert_detail, name="alert"),
    path("alerts/<int:pk>/acknowledge/", settlements.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/resolve/", settlements.alert_resolve, name="alert_resolve"),
]
