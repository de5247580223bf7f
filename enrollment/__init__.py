"""Registration and payment: residents and households, enrollments for a coverage year, payments,
receipts and refunds, the contribution standards and the premium rules, the station back office,
roll imports, and the public premium page and coverage lookup."""
