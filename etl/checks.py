"""The acceptance rules: one record per check a source row must pass, named by an id.

A rejected row's reason is written by its rule (``Check.reason``): the Indonesian text with the value, then the
rule's English name in brackets ('Tidak boleh negatif: '-5' (negative count)'). The reference loader
(etl.loaders and the modules it calls) and the bulk path (etl.bulk_activities) both write reasons from here, and
the ``check`` column of ``rejects`` holds the rule's id, which the Kualitas data page counts by.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

Severity = Literal["reject", "internal"]


class _KeepMissing(dict):
    """format_map values that leave a placeholder not given as it is ('{v}' is filled per row later)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Check:
    """One acceptance rule: ``id`` (kept in rejects.check), its name in Indonesian and English (as a count of
    rejects is labelled), the Indonesian ``text`` of a reason (str.format placeholders; ``{v}`` is the value as
    written, filled per row) and ``severity``: 'reject' sets the row aside, 'internal' is the warehouse contract's
    last net (a check above that missed something: a bug to report)."""

    id: str
    name_id: str
    name_en: str
    text: str
    severity: Severity = "reject"

    def reason(self, **values: object) -> str:
        """The reason of a rejected row: the text with ``values`` put in, then '(<English name>)'."""
        return f"{self.text.format_map(_KeepMissing(values))} ({self.name_en})"

    def plain(self) -> str:
        """The reason when nothing more is known: the rule's names ('Wilayah tidak dikenal (unknown region)')."""
        return f"{self.name_id} ({self.name_en})"

    def name(self, lang: str) -> str:
        """The rule's name in the page language ('id' or 'en')."""
        return self.name_id if lang == "id" else self.name_en[:1].upper() + self.name_en[1:]


class Finding(NamedTuple):
    """A problem found in one value: the rule's id and the reason as written in rejects."""

    check: str
    reason: str


def finding(check: Check, **values: object) -> Finding:
    """The finding of ``check`` with ``values`` put in its text."""
    return Finding(check.id, check.reason(**values))


_V = "'{v}'"

CONTROL_CHARACTER = Check("control_character", "Karakter kontrol di sel", "control character in cell",
                          f"Ada karakter kontrol tak terlihat di sel: {_V} — hapus lalu ketik ulang isinya")
REQUIRED = Check("required", "Wajib diisi", "required value missing", "Wajib diisi: kolom '{column}' kosong")
NOT_A_DATE = Check("not_a_date", "Bukan tanggal", "not a date",
                   f"Bukan tanggal yang dikenali: {_V} — tulis seperti 20/02/2023 atau 20 Februari 2023")
DATE_TOO_EARLY = Check("date_too_early", "Tanggal sebelum 2017", "date before 2017",
                       f"Tanggal sebelum {{earliest}} (UU 7/2017): {_V}")
DATE_IN_FUTURE = Check("date_in_future", "Tanggal di masa depan", "date in the future",
                       f"Tanggal di masa depan: {_V} (hari ini {{today}})")
NOT_A_NUMBER = Check("not_a_number", "Bukan angka", "not a number", f"Bukan angka: {_V}")
NOT_WHOLE = Check("not_whole_number", "Bukan bilangan bulat", "not a whole number", f"Bukan bilangan bulat: {_V}")
TOO_LARGE = Check("number_too_large", "Angka terlalu besar", "number too large for its column",
                  f"Angka terlalu besar untuk kolom ini: {_V}")
NEGATIVE = Check("negative_count", "Tidak boleh negatif", "negative count", f"Tidak boleh negatif: {_V}")
NOT_YES_NO = Check("not_yes_no", "Bukan Ya/Tidak", "not yes/no", f"Bukan Ya/Tidak: {_V}")
SCORE_RANGE = Check("score_outside_0_100", "Nilai di luar 0–100", "score outside 0-100", f"Nilai di luar 0–100: {_V}")
PRESENT_ABOVE_TOTAL = Check("members_present_above_total", "Anggota hadir lebih dari jumlah anggota",
                            "members present above members total",
                            "Anggota hadir ({present:g}) lebih dari jumlah anggota ({total:g})")
SEATS_BODY = Check("seats_body", "Lembaga bukan Bawaslu provinsi atau kabupaten/kota",
                   "body must be bawaslu_provinsi or bawaslu_kabkota",
                   f"Lembaga harus Bawaslu Provinsi atau Bawaslu Kabupaten/Kota: {_V}")
SEATS_NOT_ALLOWED = Check("seats_not_allowed", "Jumlah anggota tidak sesuai UU 7/2017",
                          "seats not allowed by UU 7/2017", f"Jumlah anggota {{body}} harus {{allowed}}: {_V}")
DUPLICATE_KEY = Check("duplicate_key", "Duplikat", "duplicate key",
                      "Duplikat: {label} '{value}' sudah ada di baris {first_row}")
UNCACHED_FORMULA = Check("formula_without_value", "Rumus tanpa nilai tersimpan", "formula without a saved value",
                         "Rumus tanpa nilai tersimpan di sheet '{sheet}' sel {cell}: {formula} — buka lalu simpan "
                         "berkas di Excel agar hasilnya tersimpan, atau ketik nilainya")
SCHEMA = Check("schema", "Tidak lolos pemeriksaan skema", "schema check failed",
               "Tidak lolos pemeriksaan skema: {check}", severity="internal")

# regions
REGION_EMPTY = Check("region_empty", "Wilayah kosong", "region is empty", "Wilayah kosong")
REGION_UNKNOWN = Check("region_unknown", "Wilayah tidak dikenal", "unknown region",
                       "Wilayah tidak dikenal: '{text}'{where}{suggest}")
REGION_AMBIGUOUS = Check("region_ambiguous", "Nama wilayah ambigu", "ambiguous region name",
                         "Nama wilayah ambigu: '{text}'{where} cocok dengan {listed} — tulis kodenya atau isi kolom "
                         "wilayah induk")
CODE_UNKNOWN = Check("region_code_unknown", "Kode wilayah tidak ada", "unknown region code",
                     "Kode wilayah tidak ada dalam daftar Kemendagri: '{text}'")
CODE_WRONG_LEVEL = Check("region_code_wrong_level", "Kode wilayah di tingkat lain", "code at the wrong level",
                         "Kode '{text}' adalah {level} ({name}), yang diharapkan {expected}")
CODE_OUTSIDE_PARENT = Check("region_code_outside_parent", "Kode wilayah di luar wilayah induk",
                            "code outside its parent",
                            "Kode '{text}' ({name}) tidak berada di dalam {parent} ({within})")
REGION_LEVEL_BODY = Check("region_level_for_body", "Tingkat wilayah tidak sesuai lembaga",
                          "region at the wrong level for the body",
                          "Tingkat wilayah tidak sesuai lembaga: {name} ({code}) adalah {level}, sedangkan {body} "
                          "berada di tingkat {body_level}")
REGION_LEVEL_SEATS = Check("region_level_for_seats", "Tingkat wilayah tidak sesuai", "region at the wrong level",
                           "Tingkat wilayah tidak sesuai: {name} ({code}) adalah {level}; jumlah anggota ditetapkan "
                           "untuk Bawaslu provinsi atau kabupaten/kota")
OUTSIDE_FILE_AREA = Check("region_outside_file_area", "Di luar wilayah berkas", "region outside the file's area",
                          "Di luar wilayah berkas: {name} ({code}) tidak berada di {area_name} ({area}) yang disebut "
                          "di judul atau nama berkas")
OUTSIDE_ACCOUNT = Check("region_outside_account", "Di luar wilayah akun", "outside the account's region",
                        "di luar wilayah akun Anda ({name}, {code}; wilayah akun: {scope_name}, {scope})")

#: A value outside a vocabulary of etl.spec: one rule per vocabulary (its Indonesian and English word).
UNKNOWN_CHOICE: dict[str, Check] = {
    vocab: Check(f"unknown_{en.replace(' ', '_')}", f"{word} tidak dikenal", f"unknown {en}",
                 f"{word} tidak dikenal: {_V}{{maybe}}; pilihan: {{allowed}}")
    for vocab, (word, en) in {
        "BODIES": ("Lembaga", "body"), "ROLES": ("Jabatan", "role"), "GENDERS": ("Jenis kelamin", "gender"),
        "ACTIVITY_TYPES": ("Jenis kegiatan", "activity type"), "PLENO_OUTCOMES": ("Hasil", "outcome"),
        "ELECTIONS": ("Pemilu", "election"),
    }.items()
}

#: Every rule by id.
CHECKS: dict[str, Check] = {c.id: c for c in [
    CONTROL_CHARACTER, REQUIRED, NOT_A_DATE, DATE_TOO_EARLY, DATE_IN_FUTURE, NOT_A_NUMBER, NOT_WHOLE, TOO_LARGE,
    NEGATIVE, NOT_YES_NO, *UNKNOWN_CHOICE.values(), REGION_EMPTY, REGION_UNKNOWN, REGION_AMBIGUOUS, CODE_UNKNOWN,
    CODE_WRONG_LEVEL, CODE_OUTSIDE_PARENT, REGION_LEVEL_BODY, REGION_LEVEL_SEATS, OUTSIDE_FILE_AREA, OUTSIDE_ACCOUNT,
    SCORE_RANGE,
    PRESENT_ABOVE_TOTAL, SEATS_BODY, SEATS_NOT_ALLOWED, DUPLICATE_KEY, UNCACHED_FORMULA, SCHEMA]}
