"""Indonesian number/date formats and the translation table."""

from __future__ import annotations

import datetime as dt
import math
import string

import pandas as pd
import pytest

from etl.spec import ACTIVITY_TYPES, BODIES, PLENO_OUTCOMES
from pantau import fmt
from pantau.filters import PRESETS
from pantau.i18n import LANGS, TEXT, label, t


@pytest.mark.parametrize(("value", "decimals", "lang", "expected"), [
    (1234.5, 1, "id", "1.234,5"), (1234.5, 1, "en", "1,234.5"), (2654, 0, "id", "2.654"),
    (1234567, 0, "id", "1.234.567"), (-0.0001, 0, "id", "0"), (0.5, 0, "id", "0"), (1.5, 0, "id", "2"),
    (None, 0, "id", "–"), (math.nan, 1, "id", "–"),
])
def test_number(value, decimals, lang, expected) -> None:
    assert fmt.number(value, decimals, lang) == expected


def test_percent_and_signed() -> None:
    assert fmt.percent(0.995, 1) == "99,5%"
    assert fmt.percent(2654 / 2651, 1) == "100,1%"  # 1.00113 -> 100,1%
    assert fmt.percent(1.2) == "120%"
    assert fmt.signed(12) == "+12"
    assert fmt.signed(-3.5, 1) == "−3,5"
    assert fmt.signed(0.04, 1) == "±0,0"


def test_a_share_never_reads_as_0_or_100_percent_unless_it_is() -> None:
    assert fmt.percent(0.997) == "99,7%" and fmt.percent(0.004) == "0,4%"  # not '100%' and '0%'
    assert fmt.percent(1.0) == "100%" and fmt.percent(0.0) == "0%" and fmt.percent(0.5) == "50%"
    assert fmt.percent(0.99999) == "99,99%" and fmt.percent(0.000001) == "0,01%"  # past two decimals: away from
    assert fmt.percent(1.00001) == "100,01%" and fmt.percent(-0.000001) == "-0,01%"  # the 0% or 100% it is not
    assert fmt.percent(pd.NA) == "–" and fmt.percent_decimals(pd.Series([0.5, None], dtype="Float64")) == 0
    assert fmt.percent_decimals([0.5, 0.2]) == 0 and fmt.percent_decimals(pd.Series([0.5, 0.997, None])) == 1
    assert fmt.percent_decimals([0.5, 0.9996]) == 2


def test_lower_first_keeps_acronyms() -> None:
    assert fmt.lower_first("Keterisian PKD") == "keterisian PKD"
    assert fmt.lower_first("TPS per PKD") == "TPS per PKD"


def test_dates() -> None:
    assert fmt.date(dt.date(2023, 2, 20)) == "20 Feb 2023"
    assert fmt.date("2024-08-22") == "22 Agu 2024"
    assert fmt.date(dt.datetime(2024, 5, 1, 13, 5), "en") == "1 May 2024"
    assert fmt.month(dt.date(2024, 10, 1)) == "Okt 2024"
    assert fmt.date_range(dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == "1 Jan – 31 Des 2024"
    assert fmt.date_range(dt.date(2023, 9, 1), dt.date(2024, 8, 31)) == "1 Sep 2023 – 31 Agu 2024"
    assert fmt.datetime("2024-09-01 08:01") == "1 Sep 2024 08.01"
    assert fmt.date(None) == "–"


def test_slug() -> None:
    assert fmt.slug("Kab. Lampung Selatan") == "kab-lampung-selatan"
    assert fmt.slug("KOTA METRO ") == "kota-metro"


def test_every_key_has_both_languages_and_the_same_placeholders() -> None:
    for key, entry in TEXT.items():
        assert set(entry) == set(LANGS), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f} for lang in LANGS]
        assert fields[0] == fields[1], key


def test_vocabularies_are_translated() -> None:
    for kind, vocab in (("body", BODIES), ("type", ACTIVITY_TYPES), ("outcome", PLENO_OUTCOMES),
                        ("preset", PRESETS)):
        for value in vocab:
            for lang in LANGS:
                assert f"{kind}_{value}" in TEXT, (kind, value)
                assert label(kind, value, lang)


def test_t_and_label() -> None:
    assert t("page_cakupan") == "Cakupan wilayah"
    assert t("page_cakupan", "en") == "Regional coverage"
    assert t("cov_mismatch_pkd", filled="2.654", seats="2.651", where="Lampung") == (
        "Data tidak cocok: 2.654 PKD dilaporkan untuk 2.651 desa (Lampung).")
    assert t("no_such_key") == "no_such_key"
    assert t("page_cakupan", "fr") == "Cakupan wilayah"  # unknown language -> Indonesian
    assert label("body", "panwaslu_kecamatan") == "Panwascam"
    assert label("type", "something_new") == "something new"


PAYLOADS = ["`](http://evil.example/x.png)", "x`<img src=http://evil.example/i onerror=alert(1)>`",
            "[klik](http://evil.example)", "<script>alert(1)</script>", "a\nb`\r`c" + "z" * 200]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("param", ["lang", "wilayah", "periode", "pemilu"])
def test_a_crafted_link_cannot_write_markdown_into_a_notice(param, payload):
    """Issue 20, point 4: a parameter's value is shown inside a code span; a backtick in it used to close the span
    and make what followed a live link or image. Every notice keeps exactly its own two backticks, on one line."""
    from ui.state import parse_params

    filters = parse_params({param: payload}, frozenset({"18"}), dt.date(2024, 12, 31))
    assert filters.notices
    for notice in filters.notices:
        assert notice.count("`") == 2 and "\n" not in notice and "\r" not in notice
        inside = notice.split("`")[1]
        assert len(inside) <= len(param) + 1 + fmt.LITERAL_CHARS
