"""Signing in to 我的医保 and out of it."""

from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from my_insurance.session import resident_sign_out


@require_POST
def sign_out(request):
    resident_sign_out(request)
    return redirect("home")
