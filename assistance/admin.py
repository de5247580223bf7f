"""The officers' admin pages of the assistance app, each with its part of the workflow; importing
them registers them."""

from assistance.batches import admin as batches_admin  # noqa: F401
from assistance.cases import admin as cases_admin  # noqa: F401
from assistance.identities import admin as identities_admin  # noqa: F401
from assistance.settlements import admin as settlements_admin  # noqa: F401
