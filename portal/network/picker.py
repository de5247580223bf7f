"""Choosing a region step by step with plain GET forms: city, county, township, village.

Each submit shows the next level's choices; it works without JavaScript. A lower choice that
does not lie in the higher one (the resident changed the county and pressed 下一步) is dropped,
so the page never shows a village of another township. A level with a single choice is chosen
for the resident. A link may name the whole path at once with ``?region=<12-digit code>``.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from portal.network.codes import Level, RegionCodeError, normalize_code
from portal.network.models import Region

PARAMS = {Level.CITY: "city", Level.COUNTY: "county", Level.TOWNSHIP: "township", Level.VILLAGE: "village"}
MAX_CODE_LENGTH = 12


@dataclass(frozen=True)
class PickerStep:
    level: Level
    name: str
    label: str
    choices: list[tuple[str, str]]
    selected: str


@dataclass(frozen=True)
class RegionPick:
    steps: list[PickerStep]
    region: Region | None  # the deepest region chosen
    target: Level

    @property
    def complete(self) -> bool:
        """Chosen down to the target level, or to a region with nothing below it."""
        if self.region is None:
            return False
        last = self.steps[-1]
        return self.region.level >= self.target or last.selected == self.region.code

    def query(self) -> dict[str, str]:
        """The GET parameters that choose this region again (for links that keep the choice)."""
        return {step.name: step.selected for step in self.steps if step.selected}


def _wanted(params) -> dict[str, str]:
    wanted = {name: str(params.get(name, ""))[:MAX_CODE_LENGTH] for name in PARAMS.values()}
    raw = str(params.get("region", ""))[:MAX_CODE_LENGTH]
    if raw:
        try:
            region = Region.objects.filter(code=normalize_code(raw)).first()
        except RegionCodeError:
            region = None
        if region is not None:
            for node in [*region.ancestors(), region]:
                if node.level in PARAMS:
                    wanted[PARAMS[Level(node.level)]] = node.code
    return wanted


def pick_region(params, *, roots: QuerySet, target: Level = Level.VILLAGE) -> RegionPick:
    """The steps to show for the GET parameters ``params``, starting with the regions ``roots``."""
    wanted = _wanted(params)
    steps: list[PickerStep] = []
    chosen: Region | None = None
    options = list(roots.order_by("code"))
    while options:
        level = Level(options[0].level)
        name = PARAMS[level]
        match = next((r for r in options if r.code == wanted[name]), None)
        if match is None and len(options) == 1:
            match = options[0]
        steps.append(PickerStep(
            level=level, name=name, label=level.label,
            choices=[(r.code, r.name) for r in options], selected=match.code if match else "",
        ))
        if match is None:
            break
        chosen = match
        if level >= target:
            break
        options = list(Region.objects.filter(parent=match).order_by("code"))
    return RegionPick(steps=steps, region=chosen, target=target)
