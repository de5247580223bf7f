"""The assistance app's models, one module per part of the workflow (DESIGN.md section 8)."""

from assistance.models.batches import PaymentBatch, PaymentBatchItem
from assistance.models.identities import CATEGORIES_OF_DEPARTMENT, AssistanceIdentity, Department, IdentityImport

__all__ = ["PaymentBatch", "PaymentBatchItem", "CATEGORIES_OF_DEPARTMENT", "AssistanceIdentity", "Department", "IdentityImport"]
from assistance.models.applications import Application, ApplicationAttachment, ApplicationStep
from assistance.models.settlements import AlertThreshold, HighCostAlert, ReassistanceGrant, Settlement

__all__ += [
    "Application", "ApplicationAttachment", "ApplicationStep",
    "AlertThreshold", "HighCostAlert", "ReassistanceGrant", "Settlement",
]
