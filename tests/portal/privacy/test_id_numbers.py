from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.privacy.id_numbers import (
    ID_NUMBER_PATTERN,
    IdNumber,
    IdNumberError,
    make_id_number,
    mask_id_number,
    mask_name,
    normalise_id_number,
    parse_id_number,
    with_check_character,
)
from portal.shared.vocabulary import Gender

TODAY = date(2024, 6, 1)


def refused(text, today=TODAY) -> IdNumberError:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(text, today=today)
    return caught.value


# Valid numbers


def test_valid_number_gives_address_code_birth_date_and_gender():
    parsed = parse_id_number("370303195203151223", today=TODAY)

    assert parsed == IdNumber(
        number="370303195203151223",
        address_code="370303",
        birth_date=date(1952, 3, 15),
        gender=Gender.FEMALE,
    )


def test_valid_number_with_check_character_x():
    parsed = parse_id_number("11010519491231002X", today=TODAY)

    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender is Gender.FEMALE


def test_lowercase_x_is_accepted_and_stored_as_capital_x():
    assert parse_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_surrounding_whitespace_is_stripped():
    assert parse_id_number(" \t370303195203151223\u3000\n", today=TODAY).number == (
        "370303195203151223"
    )


def test_full_width_digits_and_x_pasted_from_documents_are_accepted():
    assert parse_id_number("１１０１０５１９４９１２３１００２Ｘ", today=TODAY).number == (
        "11010519491231002X"
    )
    assert normalise_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


def test_address_code_is_not_checked_against_a_list_of_divisions():
    # 999999 is no division code; people keep numbers of codes long since merged away.
    number = make_id_number("999999", date(1980, 1, 1), 11)

    assert parse_id_number(number, today=TODAY).address_code == "999999"


@pytest.mark.parametrize(
    ("sequence_digit", "gender"),
    [("1", Gender.MALE), ("3", Gender.MALE), ("9", Gender.MALE), ("0", Gender.FEMALE),
     ("2", Gender.FEMALE), ("8", Gender.FEMALE)],
)
def test_gender_comes_from_the_17th_digit_odd_male_even_female(sequence_digit, gender):
    number = with_check_character("3703031952031512" + sequence_digit)

    assert parse_id_number(number, today=TODAY).gender is gender


def test_leap_day_birth_date_in_a_leap_year_is_valid():
    number = with_check_character("37030320000229123")

    assert parse_id_number(number, today=TODAY).birth_date == date(2000, 2, 29)


def test_birth_on_the_day_itself_is_valid():
    number = make_id_number("370303", TODAY, 1)

    assert parse_id_number(number, today=TODAY).birth_date == TODAY


# Errors, one kind each, with a message saying what to fix


def test_too_short_number_says_how_many_characters_were_typed():
    error = refused("37030319520315122")

    assert error.part == "length"
    assert "身份证号应为 18 位，您输入了 17 位" in str(error)


def test_too_long_number_is_refused_for_length():
    error = refused("3703031952031512233")

    assert error.part == "length"
    assert "您输入了 19 位" in str(error)


def test_old_15_digit_number_is_refused_with_a_hint_to_use_the_18_digit_one():
    error = refused("370303520315122")

    assert error.part == "length"
    assert "15 位" in str(error) and "18 位" in str(error)


def test_empty_input_asks_for_a_number():
    error = refused("   ")

    assert error.part == "length"
    assert "请输入 18 位身份证号" in str(error)


@pytest.mark.parametrize(
    ("text", "position"),
    [("37030319520315122A", None), ("3703031952031512X3", 17), ("A70303195203151223", 1),
     ("３７０３０３19520315122Y", 18)],
)
def test_letters_are_refused_naming_the_bad_position(text, position):
    error = refused(text)

    assert error.part == "characters"
    assert "前 17 位只能是数字，最后一位是数字或 X" in str(error)
    assert f"第 {position or 18} 位" in str(error)


def test_spaces_are_dropped_before_the_number_is_checked():
    # As typed from the card in groups; a space where a digit was leaves 17 digits.
    assert parse_id_number("370303 19520315 1223", today=TODAY).number == "370303195203151223"
    assert refused("370303 95203151223").part == "length"


def test_non_ascii_digits_are_not_taken_for_digits():
    # str.isdigit() accepts Arabic-Indic digits; an ID number never contains them.
    error = refused("370303195203151٢23")

    assert error.part == "characters"


def test_impossible_birth_date_is_refused_showing_the_date():
    error = refused(with_check_character("37030319520230122"))

    assert error.part == "birth_date"
    assert "第 7–14 位出生日期 1952-02-30 不是有效日期" in str(error)


def test_leap_day_in_1900_is_not_a_date():
    error = refused(with_check_character("37030319000229122"))

    assert error.part == "birth_date"
    assert "1900-02-29 不是有效日期" in str(error)


def test_month_13_is_not_a_date():
    error = refused(with_check_character("37030319521301122"))

    assert "1952-13-01 不是有效日期" in str(error)


def test_birth_date_after_the_given_today_is_refused():
    number = make_id_number("370303", date(2024, 6, 2), 122)

    error = refused(number, today=date(2024, 6, 1))

    assert error.part == "birth_date"
    assert "2024-06-02" in str(error) and "晚于今天（2024-06-01）" in str(error)
    # The same number is fine once that day has come.
    assert parse_id_number(number, today=date(2024, 6, 2)).birth_date == date(2024, 6, 2)


def test_birth_date_before_1890_is_refused():
    error = refused(make_id_number("370303", date(1889, 12, 31), 122))

    assert error.part == "birth_date"
    assert "1889-12-31 早于 1890-01-01" in str(error)
    assert parse_id_number(make_id_number("370303", date(1890, 1, 1), 122), today=TODAY)


def test_wrong_check_character_says_what_it_should_be():
    error = refused("370303195203151224")

    assert error.part == "check_character"
    assert "校验位不符：最后一位应为 3" in str(error)
    assert "请核对号码是否抄错" in str(error)


def test_wrong_check_character_where_x_is_expected():
    error = refused("110105194912310021")

    assert "最后一位应为 X" in str(error)


def test_id_number_error_is_a_value_error_so_forms_can_catch_it():
    assert issubclass(IdNumberError, ValueError)


# Generating numbers


def test_with_check_character_completes_known_numbers():
    assert with_check_character("37030319520315122") == "370303195203151223"
    assert with_check_character("11010519491231002") == "11010519491231002X"


def test_with_check_character_needs_17_digits():
    with pytest.raises(IdNumberError):
        with_check_character("3703031952031512")
    with pytest.raises(IdNumberError):
        with_check_character("3703031952031512X")


def test_make_id_number_round_trips_through_parse():
    number = make_id_number("370303", date(1952, 3, 15), 122)

    assert number == "370303195203151223"
    parsed = parse_id_number(number, today=TODAY)
    assert (parsed.address_code, parsed.birth_date, parsed.gender) == (
        "370303", date(1952, 3, 15), Gender.FEMALE,
    )


def test_make_id_number_with_odd_sequence_is_a_man():
    number = make_id_number("370303", date(1990, 7, 1), 7)

    assert number[14:17] == "007"
    assert parse_id_number(number, today=TODAY).gender is Gender.MALE


@pytest.mark.parametrize("sequence", [-1, 1000])
def test_make_id_number_refuses_sequence_outside_0_to_999(sequence):
    with pytest.raises(ValueError):
        make_id_number("370303", date(1990, 7, 1), sequence)


def test_make_id_number_refuses_an_address_code_that_is_not_6_digits():
    with pytest.raises(ValueError):
        make_id_number("37030", date(1990, 7, 1), 1)


birth_dates = st.dates(min_value=date(1890, 1, 1), max_value=TODAY)
address_codes = st.text(alphabet="0123456789", min_size=6, max_size=6)
sequences = st.integers(min_value=0, max_value=999)


@given(address_codes, birth_dates, sequences)
def test_every_generated_number_parses_back_to_its_birth_date_and_gender(
    address_code, birth_date, sequence
):
    parsed = parse_id_number(make_id_number(address_code, birth_date, sequence), today=TODAY)

    assert parsed.address_code == address_code
    assert parsed.birth_date == birth_date
    assert parsed.gender is (Gender.MALE if sequence % 2 else Gender.FEMALE)


@given(address_codes, birth_dates, sequences, st.integers(0, 17), st.data())
def test_changing_any_one_character_of_a_valid_number_is_refused(
    address_code, birth_date, sequence, position, data
):
    number = make_id_number(address_code, birth_date, sequence)
    replacement = data.draw(st.sampled_from([c for c in "0123456789X" if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]

    with pytest.raises(IdNumberError):
        parse_id_number(changed, today=TODAY)


# Masking


def test_mask_id_number_keeps_first_6_and_last_4():
    assert mask_id_number("370303195203151223") == "370303********1223"
    assert mask_id_number("11010519491231002X") == "110105********002X"


@pytest.mark.parametrize("text", [None, "", "1", "12", "1234", "370303", "370303520315122",
                                  "3703031952031512231234"])
def test_mask_id_number_never_raises_and_hides_most_of_short_or_odd_input(text):
    masked = mask_id_number(text)

    assert len(masked) == len((text or "").strip())
    assert masked.count("*") >= len(masked) / 2


def test_masked_number_no_longer_matches_the_leak_pattern():
    assert not ID_NUMBER_PATTERN.search(mask_id_number("370303195203151223"))


def test_id_number_repr_does_not_leak_the_full_number():
    parsed = parse_id_number("370303195203151223", today=TODAY)

    assert "370303195203151223" not in repr(parsed)
    assert "19520315" not in str(parsed)
    assert parsed.masked == "370303********1223"


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王秀兰", "王*兰"), ("王兰", "王*"), ("欧阳秀兰", "欧**兰"), ("买买提·艾力", "买****力"),
     ("王", "王"), ("", ""), (None, ""), (" 王秀兰 ", "王*兰")],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


# The leak pattern


@pytest.mark.parametrize(
    "text",
    ["身份证号370303195203151223。", "<td>11010519491231002X</td>", "id=11010519491231002x&",
     "姓名 王秀兰 370303195203151223abc"],
)
def test_id_number_pattern_finds_a_full_number_anywhere_in_text(text):
    assert ID_NUMBER_PATTERN.search(text)


@pytest.mark.parametrize(
    "text",
    ["370303********1223", "37030319520315122", "3703031952031512234", "370300000000",
     "20220101123456789012"],
)
def test_id_number_pattern_ignores_masked_short_and_longer_digit_runs(text):
    assert not ID_NUMBER_PATTERN.search(text)


@given(address_codes, birth_dates, sequences)
def test_id_number_pattern_matches_every_generated_number(address_code, birth_date, sequence):
    number = make_id_number(address_code, birth_date, sequence)

    assert ID_NUMBER_PATTERN.fullmatch(number)
