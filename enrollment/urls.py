from django.urls import path

from enrollment import enrollment_views, import_views, views

app_name = "station"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("residents/", views.resident_search, name="resident_search"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/death/", views.resident_death, name="resident_death"),
    path("residents/<int:pk>/enroll/", enrollment_views.enroll, name="enroll"),
    path("enrollments/<int:pk>/", enrollment_views.enrollment_detail, name="enrollment"),
    path("enrollments/<int:pk>/pay/", enrollment_views.payment_create, name="payment_create"),
    path("enrollments/<int:pk>/refund/", enrollment_views.refund_create, name="refund_create"),
    path("payments/<int:pk>/receipt/", enrollment_views.receipt, name="receipt"),
    path("follow-up/", views.follow_up, name="follow_up"),
    path("imports/", import_views.roll_import, name="roll_import"),
    path("imports/confirm/", import_views.roll_import_confirm, name="roll_import_confirm"),
    path("imports/done/", import_views.roll_import_result, name="roll_import_result"),
]
