"""Demo people and a fixed moment for the 参保证明 tests (demo: enrollment/demo.py)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from enrollment.models import Enrollment, Resident

# In the 2022 coverage year, after every demo payment.
NOW = datetime(2022, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def person(name: str) -> Resident:
    """王秀兰: paid 2021 and 2022. 刘桂英: paid 2021, 2022 unpaid. 李秀梅: 2022 paid, no 2021.
    赵伟: paid 2021, no 2022. 孙丽: paid both, in 公园街道."""
    return Resident.objects.select_related("region").get(name=name)


def enrollment_of(name: str, year: int) -> Enrollment:
    return Enrollment.objects.get(resident__name=name, year=year)
