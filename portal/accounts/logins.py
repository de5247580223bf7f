"""Staff sign-in, step one: username and password (django-axes counts the failures).

A user with an authenticator is not logged in here: the password step parks them for the code
(portal/accounts/two_factor.py). An officer without one is logged in and sent to add one, since the admin
stays closed to an officer whose session has not passed a second factor.
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from portal.accounts import audit, two_factor
from portal.accounts.scopes import STATION_PERMISSION

# What a hospital's newborn desk holds instead of the station (roles.HOSPITAL_CLERK).
NEWBORN_PERMISSION = "enrollment.register_newborn"


class StaffLoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        next_url = self.get_redirect_url()
        if two_factor.has_authenticator(user) or two_factor.second_factor_required(user):
            audit.log_password_passed(self.request, user)
        if two_factor.has_authenticator(user):
            two_factor.pending_park(self.request, user)
            return redirect(two_factor.with_next("login_code", next_url))
        response = super().form_valid(form)
        if two_factor.second_factor_required(user):
            return redirect(two_factor.with_next("two_factor_setup", next_url))
        return response


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Where a login lands: clerks at their station, officers in the admin."""
    if request.user.has_perm(STATION_PERMISSION):
        return redirect("station:home")
    if request.user.has_perm(NEWBORN_PERMISSION):  # a hospital's newborn desk: its one page
        return redirect("station:newborns")
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("station:home")  # says, in words, that the account has no station role
