"""Demo data of the treatment services (filled in by each service)."""


def load() -> None:
    pass
