"""Signing test clients in, with and without the second factor."""

from django.test import Client

# Django's own, kept before conftest.py makes force_login pass the second factor too.
DJANGO_FORCE_LOGIN = Client.force_login


def otp_login(client, user) -> Client:
    """Sign ``user`` in with both factors, as the login and code pages would: force_login plus a
    session that passed the user's authenticator (a confirmed one is added if they have none)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="测试身份验证器", confirmed=True)
    DJANGO_FORCE_LOGIN(client, user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def force_login_password_only(client, user, backend=None) -> None:
    """Django's force_login untouched: a session that has not passed any second factor."""
    DJANGO_FORCE_LOGIN(client, user, backend)
