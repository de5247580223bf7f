"""Models of 我的医保, kept in their folders and imported here for Django."""

from my_insurance.proofs.models import InsuranceProof
from my_insurance.signin.models import SignInCode

__all__ = ["InsuranceProof", "SignInCode"]
