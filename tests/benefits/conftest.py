import pytest


@pytest.fixture
def demo_policies(demo_network):
    """The demo benefit policies of 淄博市, published: 2022 (and 2021 with the same figures)."""
    from benefits.demo import load

    load()
