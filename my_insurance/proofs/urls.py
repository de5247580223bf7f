"""Addresses of this part of 我的医保 (gathered by my_insurance/urls.py). The public check of a
proof's QR code is /verify/proof/<code>/ in portal/urls.py, beside the other public checks."""

from django.urls import path

from my_insurance.proofs import views

urlpatterns = [
    path("proof/", views.proofs, name="proofs"),
    path("proof/<str:code>/", views.proof, name="proof"),
    path("proof/<str:code>/pdf/", views.proof_pdf, name="proof_pdf"),
]
