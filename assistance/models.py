"""The assistance app's models, one module per part of the workflow (DESIGN.md section 8)."""

from assistance.batches.models import PaymentBatch, PaymentBatchItem, SubsidyReversal
from assistance.identities.models import CATEGORIES_OF_DEPARTMENT, AssistanceIdentity, Department, IdentityImport

__all__ = ["PaymentBatch", "PaymentBatchItem", "SubsidyReversal", "CATEGORIES_OF_DEPARTMENT", "AssistanceIdentity", "Department", "IdentityImport"]
from assistance.cases.models import Application, ApplicationAttachment, ApplicationStep
from assistance.settlements.models import AlertThreshold, HighCostAlert, ReassistanceGrant, Settlement

__all__ += [
    "Application", "ApplicationAttachment", "ApplicationStep",
    "AlertThreshold", "HighCostAlert", "ReassistanceGrant", "Settlement",
]
