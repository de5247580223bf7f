"""``manage.py check --deploy`` warns of a notification backend that writes sign-in codes in the
clear (the console and file backends, the development defaults)."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError


@pytest.mark.parametrize("backend", ["portal.shared.notifications.ConsoleBackend",
                                     "portal.shared.notifications.FileBackend"])
def test_the_deploy_check_refuses_a_backend_that_writes_codes_in_the_clear(settings, backend):
    settings.NOTIFICATION_BACKEND = backend
    with pytest.raises(SystemCheckError, match="my_insurance.W001"):
        call_command("check", deploy=True, fail_level="WARNING", tags=["security"])


def test_the_sms_gateway_passes_the_deploy_check(settings, capsys):
    settings.NOTIFICATION_BACKEND = "portal.shared.notifications.HttpSmsGateway"
    try:
        call_command("check", deploy=True, fail_level="WARNING", tags=["security"])
    except SystemCheckError as error:  # development settings fail Django's own deploy checks
        assert "my_insurance.W001" not in str(error)
