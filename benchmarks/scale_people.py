"""The province-scale data set as pure functions of a resident's index: shared by seed_scale.py
(which writes it) and the load tests (which must know valid numbers and names of people who exist).

Everything is derived from the index with integer arithmetic, no random state, so that resident
number 812,345 has the same ID number, name and village in every run and every script.

Layout: the 30,000 first residents live in ten villages of 车站街道 (370303001000, the township of
the demo clerk ``clerk_chezhan``: the station benchmarks' township); the others in generated
townships of twenty villages of 1,000 residents, spread round-robin over the eight demo counties.
"""

from dataclasses import dataclass
from datetime import date, timedelta

# Settings of every process that reads or writes the data set: the ID digest and the ciphertexts
# depend on ID_NUMBER_KEY, so the seed and gunicorn must share it. Benchmark-only values.
BENCH_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "bench-scale-secret-key-" + "s" * 40,
    "ID_NUMBER_KEY": "bench-scale-id-number-key-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "False",
    "TRUSTED_PROXIES": "127.0.0.1",
    "LOG_LEVEL": "WARNING",
}
DATABASE_NAME = "portal_scale"

STATION_TOWNSHIP = "370303001000"  # 车站街道
STATION_VILLAGES = 10  # 001-003 come with the demo, 004-010 are generated
STATION_RESIDENTS = 30_000
VILLAGE_SIZE = 1_000
VILLAGES_PER_TOWNSHIP = 20
FIRST_TOWNSHIP = 101  # generated townships are 101, 102, ...: clear of the demo's 001-003
COUNTIES = ("370302", "370303", "370304", "370305", "370306", "370321", "370322", "370323")

EARLIEST_BIRTH = date(1935, 1, 1)
BIRTH_DAYS = (date(2020, 12, 31) - EARLIEST_BIRTH).days + 1  # 31,412
BIRTH_STEP = 7_919  # a prime, so index -> day is a bijection on every run of BIRTH_DAYS indexes
FIRST_SEQUENCE = 200  # the demo's numbers use sequences below 200

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅德文春海波宁晨欣怡浩宇子轩梓涵雨萱博俊佳琪嘉鑫淑珍凤云峰斌凯亮"


@dataclass(frozen=True)
class Person:
    index: int
    number: str
    name: str
    birth_date: date
    village_code: str


def village_count(residents: int) -> int:
    """Generated villages outside 车站街道 for ``residents`` residents in all."""
    rest = max(0, residents - STATION_RESIDENTS)
    return -(-rest // VILLAGE_SIZE)


def station_village_code(number: int) -> str:
    """The code of 车站街道's village ``number`` (1-10)."""
    return f"{STATION_TOWNSHIP[:9]}{number:03d}"


def township_code(township: int) -> str:
    """The code of generated township ``township`` (0, 1, ...): round-robin over the counties."""
    county = COUNTIES[township % len(COUNTIES)]
    return f"{county}{FIRST_TOWNSHIP + township // len(COUNTIES):03d}000"


def village_code(village: int) -> str:
    """The code of generated village ``village`` (0, 1, ...)."""
    township = township_code(village // VILLAGES_PER_TOWNSHIP)
    return f"{township[:9]}{village % VILLAGES_PER_TOWNSHIP + 1:03d}"


def village_of(index: int) -> str:
    if index < STATION_RESIDENTS:
        return station_village_code(index * STATION_VILLAGES // STATION_RESIDENTS + 1)
    return village_code((index - STATION_RESIDENTS) // VILLAGE_SIZE)


def mix(index: int) -> int:
    """A well-spread 32-bit hash of the index (Knuth's multiplicative hash plus a xorshift)."""
    value = (index * 2654435761 + 0x9E3779B9) & 0xFFFFFFFF
    value ^= value >> 15
    value = (value * 2246822519) & 0xFFFFFFFF
    return value ^ (value >> 13)


def _check_character(first17: str) -> str:
    # ISO 7064 MOD 11-2, as portal.privacy.id_numbers.with_check_character, without its input checks:
    # this runs a million times in the seed.
    total = 0
    for digit in first17:
        total = (total * 2 + int(digit)) % 11
    return "10X98765432"[(total * 2) % 11]


def person(index: int) -> Person:
    """Resident ``index``: unique, valid ID number (the county of the village, a birth date and a
    sequence that together cannot repeat), a name, the birth date and the village."""
    village = village_of(index)
    birth = EARLIEST_BIRTH + timedelta(days=index * BIRTH_STEP % BIRTH_DAYS)
    sequence = FIRST_SEQUENCE + index // BIRTH_DAYS
    first17 = f"{village[:6]}{birth:%Y%m%d}{sequence:03d}"
    hashed = mix(index)
    name = SURNAMES[hashed % len(SURNAMES)] + GIVEN[(hashed >> 8) % len(GIVEN)]
    if hashed >> 31:
        name += GIVEN[(hashed >> 16) % len(GIVEN)]
    return Person(index, first17 + _check_character(first17), name, birth, village)
