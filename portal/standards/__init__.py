"""Versioned standards: the base of every published, read-only set of figures (contribution
standards in enrollment, benefit policies in benefits) with its validity dates, revisions,
history, admin pages, and the import and export widgets of its values."""
