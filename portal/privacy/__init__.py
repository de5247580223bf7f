"""Personal data: ID numbers (checked, masked, encrypted, found by a keyed digest), short-lived
sealed uploads, scanned documents
in private storage, the append-only access log of who saw whose data, error reports without ID
numbers, and what the officers' admin pages of personal data share."""
