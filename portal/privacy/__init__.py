"""Personal data: ID numbers (checked, masked, encrypted, found by a keyed digest), short-lived
sealed uploads, the append-only access log of who saw whose data, error reports without ID
numbers, and what the officers' admin pages of personal data share."""
