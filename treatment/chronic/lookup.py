"""This service's section of the public lookup (portal/shared/extensions.py, LookupSection)."""
