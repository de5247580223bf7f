"""The officers' admin pages of the portal app, each with its concern; importing them registers them."""

from portal.accounts import admin as accounts_admin  # noqa: F401
from portal.network import admin as network_admin  # noqa: F401
from portal.privacy import admin as privacy_admin  # noqa: F401
from portal.public import admin as public_admin  # noqa: F401
