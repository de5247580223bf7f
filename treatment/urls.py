from django.urls import include, path

app_name = "treatment"

urlpatterns = [
    path("filings/", include("treatment.filings.urls")),
    path("claims/", include("treatment.claims.urls")),
    path("chronic/", include("treatment.chronic.urls")),
]
