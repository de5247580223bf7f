"""The one set of codes of DESIGN.md section 3, as plain enums so that pure rules can use them.

Models turn them into choices with ``choices_of``; nothing here imports Django.
"""

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members carry a Chinese label: ``Member = "code", "中文"``."""

    def __new__(cls, value: str, label: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]

    @classmethod
    def from_label_or_code(cls, text: str) -> "LabelledEnum":
        """Accept the code or the Chinese label, as imported rolls write either."""
        text = (text or "").strip()
        for member in cls:
            if text in (member.value, member.label):
                return member
        raise ValueError(text)


class Category(LabelledEnum):
    ADULT = "adult", "成年居民"
    STUDENT_CHILD = "student_child", "学生儿童"


class Place(LabelledEnum):
    """Where care happened, as far as the benefit rules care (DESIGN.md section 3): outside the
    pooling region the basic-insurance ratios are reduced (转外就医调减比例), less with a filing."""

    LOCAL = "local", "本地就医"
    OUTSIDE_FILED = "outside_filed", "异地就医（已备案）"
    OUTSIDE_UNFILED = "outside_unfiled", "异地就医（未备案）"


class AssistanceCategory(LabelledEnum):
    # Ordered strongest first: a resident with several verified identities takes the first.
    EXTREME_POVERTY = "extreme_poverty", "特困人员"
    MINIMUM_LIVING = "minimum_living", "低保对象"
    RETURNED_TO_POVERTY = "returned_to_poverty", "返贫致贫人口"
    LOW_INCOME_EDGE = "low_income_edge", "低保边缘家庭成员"
    MONITORED = "monitored", "防止返贫监测帮扶对象"


# 鲁医保发〔2022〕24号 and the 2022 review: the three poorest groups get a halved catastrophic
# deductible, +5 points and no cap; the demo policy makes these settings, this is only the default.
POOREST_ASSISTANCE_CATEGORIES = frozenset(
    {
        AssistanceCategory.EXTREME_POVERTY,
        AssistanceCategory.MINIMUM_LIVING,
        AssistanceCategory.RETURNED_TO_POVERTY,
    }
)


class Gender(LabelledEnum):
    MALE = "male", "男"
    FEMALE = "female", "女"
