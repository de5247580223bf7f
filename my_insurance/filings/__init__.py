"""See my_insurance/__init__.py."""
