"""Addresses of this part of 我的医保 (gathered by my_insurance/urls.py)."""

from django.urls import path

from my_insurance.filings import views

urlpatterns = [
    path("filings/", views.filing_list, name="filings"),
    path("filings/new/", views.filing_new, name="filing_new"),
    path("filings/<int:pk>/cancel/", views.filing_cancel, name="filing_cancel"),
    path("filings/<int:pk>/print/", views.filing_print, name="filing_print"),
]
