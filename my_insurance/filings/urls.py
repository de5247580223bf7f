"""Addresses of this part of 我的医保 (gathered by my_insurance/urls.py)."""

urlpatterns = []
