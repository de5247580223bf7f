"""The treatment app's models, one module per service (treatment/__init__.py)."""

from treatment.chronic.models import ChronicRecognition, RecognitionAttachment
from treatment.claims.models import Claim, ClaimAttachment, ClaimStep, ClaimVisit
from treatment.filings.models import Filing, FilingAttachment

__all__ = [
    "ChronicRecognition", "RecognitionAttachment",
    "Claim", "ClaimAttachment", "ClaimStep", "ClaimVisit",
    "Filing", "FilingAttachment",
]
