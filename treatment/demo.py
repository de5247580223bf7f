"""Demo data of the treatment services (filled in by each service)."""

from treatment.chronic import demo as chronic_demo
from treatment.claims import demo as claims_demo
from treatment.filings import demo as filings_demo


def load() -> dict[str, int]:
    counts: dict[str, int] = {}
    counts.update(filings_demo.load())
    counts.update(claims_demo.load())
    counts.update(chronic_demo.load())
    return counts
