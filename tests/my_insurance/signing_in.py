"""Signing a test client in as a resident, as the code page does, without sending a code."""

from django.conf import settings
from django.test import Client

from my_insurance import session


def resident_client(resident, client: Client | None = None) -> Client:
    """A client whose session is ``resident``'s 我的医保 session."""
    client = client or Client()
    stored = client.session
    stored[session.RESIDENT_KEY] = resident.pk
    stored[session.SEEN_KEY] = session.now()
    stored.set_expiry(0)
    stored.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = stored.session_key
    return client
