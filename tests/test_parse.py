"""Parsers of raw strings: Indonesian dates, numbers, yes/no, vocabularies."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from etl import parse, spec


@pytest.mark.parametrize("text", [
    "20/02/2023", "20-02-2023", "20.02.2023", "2023-02-20", "20 Februari 2023", "20 Feb 2023",
    "Senin, 20 Februari 2023", "senin 20 februari 2023", "20 February 2023", "February 20, 2023", "20-Feb-2023",
    "44977", "2023-02-20 00:00:00", "2023-02-20T08:30:00", " 20/2/2023 ", "20/02/23",
    # as clerks write an activity's day: an hour after it, a weekday or 'tgl' before it, several days (the first)
    "20/02/2023 09.00 WIB", "20 Februari 2023 pukul 09.00", "20 Februari 2023, pukul 09.00 s.d. selesai",
    "20 Feb 2023 s.d. selesai", "Senin,20 Februari 2023", "tgl 20 Februari 2023", "Tanggal: 20/02/2023",
    "20-Feb-23", "20.02.23", "20-22 Februari 2023", "20 s.d. 22 Feb 2023", "20 s/d 22 Februari 2023",
    "20 dan 21 Februari 2023", "Senin-Rabu, 20-22 Februari 2023", "20/02/2023 - 22/02/2023",
    "20 Februari 2023 s.d. 3 Maret 2023",
])
def test_dates_in_every_accepted_form(text):
    values, bad = parse.parse_dates(pd.Series([text]))
    assert not bad[0]
    assert values[0] == pd.Timestamp("2023-02-20")  # 44977 days after 1899-12-30 is 2023-02-20


def test_days_across_months_and_years_start_on_the_first():
    assert parse.parse_date_value("30 September - 2 Oktober 2024") == pd.Timestamp("2024-09-30").date()
    assert parse.parse_date_value("30 Desember - 2 Januari 2025") == pd.Timestamp("2024-12-30").date()


@pytest.mark.parametrize("text", ["31/02/2023", "2023", "kemarin", "20 Febuary 2023", "02/20/2023", "13-13-2023",
                                  "12:30", "20 - 22", "20 Februari", "32-33 Februari 2023", "22/02/2023 - 20/02/2023",
                                  "Senin-Foo, 20 Februari 2023"])
def test_bad_dates_are_flagged(text):
    values, bad = parse.parse_dates(pd.Series([text]))
    assert bad[0]
    assert pd.isna(values[0])


def test_blank_dates_are_missing_not_bad():
    values, bad = parse.parse_dates(pd.Series(["", "  ", None], dtype="object"))
    assert not bad.any()
    assert values.isna().all()


@pytest.mark.parametrize(("text", "expected"), [
    ("1.234", 1234), ("1.234.567", 1234567), ("85,5", 85.5), ("1.234,5", 1234.5), ("1,234.5", 1234.5),
    ("1,234", 1.234), ("85.5", 85.5), ("0.125", 0.125), ("1,234,567", 1234567), ("-3", -3), ("3", 3),
    ("6.512", 6512), ("85%", 85), (" 12 ", 12), ("1 234", 1234),
    # what a clerk writes around a count: its unit, and that it is approximate
    ("45 orang", 45), ("25 org.", 25), ("1.250 Orang", 1250), ("±30", 30), ("± 30 orang", 30), ("+/- 40", 40),
    ("kurang lebih 50", 50), ("Sekitar 60 peserta", 60),
])
def test_numbers(text, expected):
    values, bad = parse.parse_numbers(pd.Series([text]))
    assert not bad[0]
    assert values[0] == pytest.approx(expected)


@pytest.mark.parametrize("text", ["tiga", "12.34.5", "1.2.3", "1,23,4", "--3", ".5", "5.", "orang", "± orang",
                                  "3 orang 4", "3 kali", "±-3", "lima orang"])
def test_bad_numbers(text):
    _, bad = parse.parse_numbers(pd.Series([text]))
    assert bad[0]


def test_ints_reject_fractions():
    values, bad = parse.parse_ints(pd.Series(["3", "3,5", "1.234", ""]))
    assert list(bad) == [False, True, False, False]
    assert values[0] == 3 and values[2] == 1234 and pd.isna(values[1]) and pd.isna(values[3])
    assert str(values.dtype) == "Int64"


def test_bools():
    raw = pd.Series(["Ya", "tidak", "Y", "T", "yes", "No", "1", "0", "TRUE", "false", "Sudah", "belum", "mungkin", ""])
    values, bad = parse.parse_bools(raw)
    assert list(values[:12]) == [True, False, True, False, True, False, True, False, True, False, True, False]
    assert list(bad) == [False] * 12 + [True, False]
    assert pd.isna(values[13])


def test_choices_ignore_case_space_and_punctuation():
    raw = pd.Series(["Inspeksi-Mendadak", "SIDAK", "MoU", "  nota   kesepahaman ", "inspeksi_mendadak", "Konser", ""])
    values, bad = parse.parse_choices(raw, spec.ACTIVITY_TYPES)
    assert list(values[:5]) == ["inspeksi_mendadak", "inspeksi_mendadak", "mou", "mou", "inspeksi_mendadak"]
    assert list(bad) == [False] * 5 + [True, False]


def test_bodies_written_with_slashes():
    values, bad = parse.parse_choices(pd.Series(["Bawaslu Kab/Kota", "PANWASCAM", "Pengawas Kelurahan/Desa"]),
                                      spec.BODIES)
    assert list(values) == ["bawaslu_kabkota", "panwaslu_kecamatan", "pkd"]
    assert not bad.any()


def test_closest_choice_hint():
    assert parse.closest_choice("Sosialsasi", spec.ACTIVITY_TYPES) == "sosialisasi"
    assert parse.closest_choice("Konser", spec.ACTIVITY_TYPES) is None


def test_many_rows_few_unique_values_are_fast():
    raw = pd.Series(["20/02/2023", "Senin, 21 Februari 2023", "2023-02-22"] * 200_000)
    t0 = time.perf_counter()
    values, bad = parse.parse_dates(raw)
    numbers, nbad = parse.parse_numbers(pd.Series(["1.234", "85,5", "3"] * 200_000))
    elapsed = time.perf_counter() - t0
    assert not bad.any() and not nbad.any()
    assert values.iloc[-1] == pd.Timestamp("2023-02-22") and numbers.iloc[-3] == 1234
    assert elapsed < 3.0
