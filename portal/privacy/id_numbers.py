"""Resident ID numbers (公民身份号码, GB 11643-1999): parsing, check characters and masking.

Pure functions, no Django import, so forms, imports, services and the API all share one
definition of a valid number (DESIGN.md section 4).

The address code is deliberately not checked against a list of division codes: codes are
renamed and merged over the years and a person keeps the number issued at birth, which is why
``stdnum.cn.ric.validate`` (it does check the list) rejects real people.
"""

import re
from dataclasses import dataclass
from datetime import date

from stdnum.iso7064 import mod_11_2

from portal.shared.vocabulary import Gender

ID_NUMBER_LENGTH = 18
EARLIEST_BIRTH_DATE = date(1890, 1, 1)

# An unmasked number anywhere in a text: 6 address digits, a plausible YYYYMMDD, 3 sequence
# digits and the check character. The date part keeps long hex strings (hashes, tokens) from
# looking like leaks; the address part is left loose so that test data with odd codes is caught.
ID_NUMBER_PATTERN = re.compile(
    r"(?<![0-9])"
    r"[0-9]{6}"
    r"(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[0-9]{3}[0-9Xx]"
    r"(?![0-9])"
)

_ASCII_DIGITS = frozenset("0123456789")

# Clerks paste numbers from Chinese documents in full-width characters (０-９, Ｘ).
_NORMALISE = str.maketrans(
    {
        **{chr(0xFF10 + digit): str(digit) for digit in range(10)},
        "Ｘ": "X",
        "ｘ": "X",
        "x": "X",
    }
)


class IdNumberError(ValueError):
    """A number that is not a valid ID number; the message says which part and what to fix.

    ``part`` is one of "length", "characters", "birth_date", "check_character", so a form can
    attach the error to the right place and tests can tell the kinds apart.
    """

    def __init__(self, message: str, *, part: str):
        super().__init__(message)
        self.message = message
        self.part = part


@dataclass(frozen=True)
class IdNumber:
    number: str
    address_code: str
    birth_date: date
    gender: Gender

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)

    def __repr__(self) -> str:
        # Logs and tracebacks print reprs; never let them carry the full number (PIPL art. 28).
        return f"IdNumber(number={self.masked!r}, gender={self.gender.value!r})"

    __str__ = __repr__


def normalise_id_number(text: str) -> str:
    """Drop every space (people type "370303 19520315 1223", full-width spaces too), turn
    full-width digits into ASCII and x into X."""
    return "".join((text or "").split()).translate(_NORMALISE)


def parse_id_number(text: str, *, today: date) -> IdNumber:
    """Validate an ID number and derive its birth date and gender.

    Raises ``IdNumberError`` naming the first wrong part: length, characters, birth date (a
    real date between 1890-01-01 and ``today``), check character.
    """
    number = normalise_id_number(text)
    _check_length(number)
    _check_characters(number)
    birth_date = _birth_date(number, today=today)
    expected = mod_11_2.calc_check_digit(number[:17])
    if number[17] != expected:
        raise IdNumberError(
            f"校验位不符：最后一位应为 {expected}，您输入的是 {number[17]}，请核对号码是否抄错",
            part="check_character",
        )
    return IdNumber(
        number=number,
        address_code=number[:6],
        birth_date=birth_date,
        gender=Gender.MALE if int(number[16]) % 2 else Gender.FEMALE,
    )


def with_check_character(first17: str) -> str:
    """Append the ISO 7064 MOD 11-2 check character to the first 17 digits."""
    if len(first17) != 17 or not set(first17) <= _ASCII_DIGITS:
        raise IdNumberError(
            f"需要 17 位数字才能计算校验位，收到的是“{first17}”", part="characters"
        )
    return first17 + mod_11_2.calc_check_digit(first17)


def make_id_number(address_code: str, birth_date: date, sequence: int) -> str:
    """A valid 18-character number, for factories, demo data and benchmarks.

    ``sequence`` is the 3-digit order code, 0-999; odd numbers are men, even numbers women.
    """
    if len(address_code) != 6 or not set(address_code) <= _ASCII_DIGITS:
        raise ValueError(f"address code must be 6 digits, got {address_code!r}")
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence must be 0-999, got {sequence}")
    birth = f"{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}"
    return with_check_character(f"{address_code}{birth}{sequence:03d}")


def mask_id_number(number: str | None) -> str:
    """``370303********1223``: the first 6 and the last 4 characters, the rest as stars.

    Short or odd input never raises and shows at most a quarter at each end, so a mistyped
    fragment or an old 15-digit number is still mostly hidden.
    """
    number = (number or "").strip()
    if len(number) >= ID_NUMBER_LENGTH:
        head, tail = 6, 4
    else:
        head = tail = len(number) // 4
    stars = len(number) - head - tail
    return number[:head] + "*" * stars + number[len(number) - tail :]


def mask_id_numbers_in(text: str) -> str:
    """``text`` with anything that looks like a full ID number masked: what a person typed (an
    officer's note, a cell of a file) may hold one, and it must not be shown or sent whole."""
    from portal.shared.notifications import FULL_ID_NUMBER

    return FULL_ID_NUMBER.sub(lambda found: mask_id_number(found.group().upper()), text)


def mask_name(name: str | None) -> str:
    """``王秀兰`` -> ``王*兰``, ``王兰`` -> ``王*``, longer names keep the first and last character."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _check_length(number: str) -> None:
    if not number:
        raise IdNumberError("请输入 18 位身份证号", part="length")
    if len(number) != ID_NUMBER_LENGTH:
        hint = "（15 位的一代身份证号请换成 18 位的二代号码）" if len(number) == 15 else "，请核对是否多输或漏输"
        raise IdNumberError(
            f"身份证号应为 18 位，您输入了 {len(number)} 位{hint}", part="length"
        )


def _check_characters(number: str) -> None:
    for position, character in enumerate(number, start=1):
        allowed = (_ASCII_DIGITS | {"X"}) if position == ID_NUMBER_LENGTH else _ASCII_DIGITS
        if character not in allowed:
            raise IdNumberError(
                f"前 17 位只能是数字，最后一位是数字或 X；第 {position} 位“{character}”不符合",
                part="characters",
            )


def _birth_date(number: str, *, today: date) -> date:
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    shown = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    try:
        birth_date = date(year, month, day)
    except ValueError:
        raise IdNumberError(
            f"第 7–14 位出生日期 {shown} 不是有效日期，请核对", part="birth_date"
        ) from None
    if birth_date > today:
        raise IdNumberError(
            f"第 7–14 位出生日期 {shown} 晚于今天（{today.isoformat()}），请核对",
            part="birth_date",
        )
    if birth_date < EARLIEST_BIRTH_DATE:
        raise IdNumberError(
            f"第 7–14 位出生日期 {shown} 早于 {EARLIEST_BIRTH_DATE.isoformat()}，请核对",
            part="birth_date",
        )
    return birth_date
