from django.urls import path

from enrollment.life_events import duplicates_views, move_views, newborn_views
from enrollment.views import collection, collective, enrolling, imports, station, tax

app_name = "station"

urlpatterns = [
    path("", station.dashboard, name="home"),
    path("residents/", station.resident_search, name="resident_search"),
    path("residents/new/", station.resident_create, name="resident_create"),
    path("residents/<int:pk>/", station.resident_detail, name="resident"),
    path("residents/<int:pk>/edit/", station.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/death/", station.resident_death, name="resident_death"),
    path("residents/<int:pk>/id-number/", newborn_views.resident_id_number, name="resident_id_number"),
    path("residents/<int:pk>/move-out/", move_views.resident_move_out, name="resident_move_out"),
    path("moves/", move_views.move_list, name="moves"),
    path("moves/take-in/", move_views.take_in, name="move_take_in"),
    path("residents/<int:pk>/enroll/", enrolling.enroll, name="enroll"),
    path("enrollments/<int:pk>/", enrolling.enrollment_detail, name="enrollment"),
    path("enrollments/<int:pk>/pay/", enrolling.payment_create, name="payment_create"),
    path("enrollments/<int:pk>/refund/", enrolling.refund_create, name="refund_create"),
    path("payments/<int:pk>/receipt/", enrolling.receipt, name="receipt"),
    path("follow-up/", station.follow_up, name="follow_up"),
    path("progress/", collection.progress, name="progress"),
    path("uninsured/", collection.uninsured_list, name="uninsured"),
    path("residents/<int:pk>/insured-elsewhere/", collection.insured_elsewhere, name="insured_elsewhere"),
    path("tax-vouchers/", tax.tax_vouchers, name="tax_vouchers"),
    path("tax-vouchers/<int:pk>/resolve/", tax.tax_voucher_resolve, name="tax_voucher_resolve"),
    path("duplicates/", duplicates_views.duplicate_list, name="duplicates"),
    path("duplicates/<int:pk>/resolve/", duplicates_views.duplicate_resolve_view, name="duplicate_resolve"),
    path("imports/", imports.roll_import, name="roll_import"),
    path("imports/confirm/", imports.roll_import_confirm, name="roll_import_confirm"),
    path("imports/done/", imports.roll_import_result, name="roll_import_result"),
    path("imports/template/", imports.roll_template, name="roll_template"),
    path("collective/", collective.collective_select, name="collective"),
    path("collective/confirm/", collective.collective_confirm, name="collective_confirm"),
    path("collective/<int:pk>/", collective.collective_detail, name="collective_detail"),
    path("newborns/", newborn_views.newborn_list, name="newborns"),
    path("newborns/new/", newborn_views.newborn_create, name="newborn_create"),
    path("newborns/<int:pk>/", newborn_views.newborn_detail, name="newborn"),
]
