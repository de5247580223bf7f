"""Statistical division codes (统计用区划代码): 2 province + 2 city + 2 county + 3 township +
3 village digits. Pure functions; the Region model and every import use them.
"""

from enum import IntEnum

CODE_LENGTH = 12
# Digits that identify a region at each level; the rest of its code is zeros.
SIGNIFICANT_DIGITS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
ACCEPTED_LENGTHS = tuple(SIGNIFICANT_DIGITS.values())


class Level(IntEnum):
    PROVINCE = 1
    CITY = 2
    COUNTY = 3
    TOWNSHIP = 4
    VILLAGE = 5

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS = {
    Level.PROVINCE: "省",
    Level.CITY: "市",
    Level.COUNTY: "县(区)",
    Level.TOWNSHIP: "乡镇(街道)",
    Level.VILLAGE: "村(社区)",
}


class RegionCodeError(ValueError):
    """A code that cannot be a division code; the message says what to fix, in Chinese."""


def normalize_code(raw: str) -> str:
    """'370300' -> '370300000000'. Accepts 2, 4, 6, 9 or 12 digits."""
    code = str(raw).strip()
    if not code:
        raise RegionCodeError("区划代码不能为空")
    if not code.isascii() or not code.isdigit():
        raise RegionCodeError(f"区划代码“{code}”只能由数字组成")
    if len(code) not in ACCEPTED_LENGTHS:
        raise RegionCodeError(
            f"区划代码“{code}”有 {len(code)} 位，应为 12 位（也可填 2、4、6、9 位，系统自动补零）"
        )
    code = code.ljust(CODE_LENGTH, "0")
    if code[:2] == "00":
        raise RegionCodeError(f"区划代码“{code}”的省级代码不能为 00")
    return code


def level_of(code: str) -> Level:
    for level in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP):
        if code[SIGNIFICANT_DIGITS[level]:].strip("0") == "":
            return level
    return Level.VILLAGE


def prefix_of(code: str) -> str:
    """The digits every region under this one starts with: '370303001000' -> '370303001'."""
    return code[: SIGNIFICANT_DIGITS[level_of(code)]]


def is_within(code: str, ancestor_code: str) -> bool:
    return code.startswith(prefix_of(ancestor_code))


def pooling_region_code(code: str) -> str:
    """The city (统筹区) a code belongs to: '370303001001' -> '370300000000'."""
    if level_of(code) == Level.PROVINCE:
        raise RegionCodeError(f"区划代码“{code}”是省级代码，不属于任何统筹区（市）")
    return code[:4].ljust(CODE_LENGTH, "0")


def province_code(code: str) -> str:
    """The province a code belongs to: '370303001001' -> '370000000000'."""
    return code[:2].ljust(CODE_LENGTH, "0")
