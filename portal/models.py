"""The portal app's models, each defined with its concern; Django finds them here."""

from portal.accounts.models import BindingCode, StaffProfile
from portal.network.models import Region, ServiceItem, ServicePoint
from portal.privacy.models import AccessLogEntry
from portal.public.models import PolicyNotice, ServiceGuide

__all__ = [
    "AccessLogEntry", "BindingCode", "PolicyNotice", "Region", "ServiceGuide", "ServiceItem", "ServicePoint",
    "StaffProfile",
]
