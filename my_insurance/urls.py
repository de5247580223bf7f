"""Addresses of 我的医保 under /my/: each part of the app keeps its own list."""

from my_insurance.filings.urls import urlpatterns as filings
from my_insurance.overview.urls import urlpatterns as overview
from my_insurance.proofs.urls import urlpatterns as proofs
from my_insurance.signin.urls import urlpatterns as signin

app_name = "my_insurance"

urlpatterns = [*signin, *overview, *proofs, *filings]
