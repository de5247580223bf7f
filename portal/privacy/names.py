"""Comparing a name someone typed with the name on record, as the public lookup and the sign-in
to 我的医保 do: the answer must not depend on how much of the name was right."""

import unicodedata

from django.utils.crypto import constant_time_compare


def normalise_name(name: str) -> str:
    """Full-width letters, spaces and the several middle dots of minority names compare equal."""
    text = unicodedata.normalize("NFKC", name or "")
    for dot in ("•", "・", "．", "."):
        text = text.replace(dot, "·")
    return "".join(text.split())


def names_match(on_record: str, typed: str) -> bool:
    """Whether ``typed`` is the name on record, in constant time. Called with an empty record
    when nobody has the number, so that a miss takes the same path as a wrong name."""
    return constant_time_compare(normalise_name(on_record), normalise_name(typed))
