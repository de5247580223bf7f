"""The officers' admin pages of the treatment services, one module per service; importing them
registers them."""

from treatment.chronic import admin as chronic_admin  # noqa: F401
from treatment.claims import admin as claims_admin  # noqa: F401
from treatment.filings import admin as filings_admin  # noqa: F401
