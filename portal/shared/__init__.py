"""What every app shares that is not about requests: the vocabulary of DESIGN.md section 3,
money in Decimal, messages to residents, case workflows as data (which step follows which, and
who may take it), and the hooks through which one app adds to another's
pages without the owner importing it."""
