"""The enrollment app's pages: the station back office (``station``: dashboard, residents, the
follow-up list), enrolling and taking payments (``enrolling``), roll imports (``imports``), and
the public premium page and coverage lookup (``public``)."""
