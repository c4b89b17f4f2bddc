"""Blank XLSX input templates and their documentation, generated from ``etl.spec.SOURCES``.

``write_templates(dir)`` writes ``<table>.xlsx`` per source table: a "Data" sheet with the header row
(dropdowns for choice columns) and a "Petunjuk" sheet describing every column with one example row.
``templates_markdown()`` is the same documentation as Markdown (committed as docs/TEMPLATES.md).
"""

from __future__ import annotations

from pathlib import Path

from etl import spec
from etl.file_values import TABLE_WORDS
from etl.parse import vocabulary

TYPE_LABEL = {
    "region": "wilayah (kode Kemendagri atau nama)", "date": "tanggal", "int": "bilangan bulat",
    "float": "angka", "bool": "Ya / Tidak", "text": "teks", "choice": "pilihan",
}
DATA_SHEET = "Data"
HELP_SHEET = "Petunjuk"
#: Example values that replace the shared context examples of spec where they would contradict the row.
EXAMPLE_OVERRIDES: dict[str, dict[str, str]] = {
    "activities": {"provinsi": "Kepulauan Bangka Belitung", "kabupaten_kota": "Kabupaten Bangka Tengah",
                   "kecamatan": "Koba", "kelurahan_desa": ""},
    "pleno": {"provinsi": "Sulawesi Tenggara", "kabupaten_kota": "", "kecamatan": ""},
    "personnel": {"kelurahan_desa": ""},
}
GENERAL_RULES = [
    "Baris judul kolom boleh didahului baris judul laporan; satu file boleh berisi beberapa sheet "
    "(setiap sheet yang judul kolomnya cocok dibaca, sheet lain dilewati dan dilaporkan).",
    "Judul kolom tidak peka huruf besar/kecil, spasi, garis bawah, atau titik; judul lain yang diterima "
    "tercantum per kolom. Kolom lain diabaikan dan dilaporkan.",
    "Kolom data pribadi (nama, NIK, NIP, alamat, telepon, email, tanggal lahir) tidak pernah disimpan: "
    "kolom itu dibuang saat dibaca.",
    "Tanggal: 20/02/2023, 20-02-2023, 2023-02-20, 20 Februari 2023, 20 Feb 2023, Senin, 20 Februari 2023, "
    "atau sel tanggal Excel. Hari ditulis lebih dulu dari bulan. Tidak boleh sebelum 1 Januari 2017 atau "
    "di masa depan.",
    "Angka: titik pemisah ribuan dan koma desimal (1.234 = seribu dua ratus tiga puluh empat; 85,5). "
    "Bila titik dan koma muncul bersama, tanda terakhir adalah desimal (1,234.5 = 1.234,5). Satu koma saja "
    "selalu desimal (85,5 = delapan puluh lima koma lima; 1,234 dibaca satu koma dua tiga empat).",
    "Ya / Tidak: ya, y, yes, true, 1, sudah, ada — tidak, t, no, false, 0, belum, tidak ada.",
    "Wilayah: kode Kemendagri (18.01, 1801, 18.01.04.2001) atau nama (Kab. Lampung Selatan, KOTA METRO). "
    "Nama yang sama di beberapa tempat dibedakan dengan kolom provinsi / kabupaten_kota / kecamatan.",
    "Pilihan: huruf besar/kecil, spasi dan tanda baca diabaikan; sinonim yang diterima tercantum.",
    "CSV: UTF-8 (dengan atau tanpa BOM) atau Windows-1252; pemisah koma, titik koma atau tab.",
    "Judul kolom boleh berisi catatan: 'Minggu (Senin)', 'Jumlah Peserta (orang)', 'Tanggal*', 'Nilai (0-100)', "
    "ganti baris di dalam sel; baris satuan atau nomor kolom ((1), (2), ...) di bawah judul dilewati. Dua kolom "
    "di bawah satu judul dibedakan oleh baris di bawahnya ('Jumlah' di atas 'L' dan 'P': satu baris per jenis "
    "kelamin; 'Tanggal' di atas 'Mulai' dan 'Selesai': tanggal mulai dipakai).",
    "Wilayah boleh ditulis per tingkat ('Kecamatan', 'Desa/Kelurahan'): bila kolom wilayah tabel tidak ada, "
    "tingkat terdalam yang terisi pada tiap baris menjadi wilayahnya.",
    "Nilai yang berlaku untuk seluruh berkas boleh ditulis sekali di baris judul atau nama berkas: penyelenggara "
    "kegiatan dan penilai pleno ('BAWASLU KABUPATEN BANGKA TENGAH'), tanggal data personel ('Keadaan per 23 Juli "
    "2024', personil_lampung_2024-07.csv = 1 Juli 2024), pemilu ('PEMILU 2024'). Atau diberikan: "
    "--set kolom=nilai (python -m etl check/build) atau values = { kolom = \"nilai\" } di sources.toml. Nama "
    "wilayah dicari lebih dulu di wilayah berkas; baris personel, pleno, TPS dan kursi di luar wilayah itu ditolak.",
    "Baris JUMLAH/TOTAL dan catatan di bawah tabel (tempat, tanggal, tanda tangan) dilewati dan dilaporkan.",
]
#: How rows are told apart, for docs/TEMPLATES.md.
KEYS_TEXT = [
    "## Kunci baris (how rows are keyed)",
    "",
    "Each table has a key (listed per table below). A second row with the key of an earlier row of the same file is "
    "set aside as a duplicate. A row whose key a newer source also has is replaced by that source's row (the run "
    "counts them as replaced); the older row comes back if the newer source later drops it.",
    "",
    "- **Kegiatan (activities) without an id column**: most offices number their rows or give no id. Pantau then "
    "derives a stable key from what the row says: organiser, date, place, type and title, plus the row's position "
    "among identical rows (`~3f9a0c1d2e4b`, `~3f9a0c1d2e4b-2`). A corrected re-send of the same rows, even under "
    "another file name, gets the same keys and replaces them instead of doubling them; a row whose date, place, "
    "type or title was corrected is a new row (the old one stays until its file is sent again without it).",
    "- **An id an office writes is that office's id**: the key of an activity is (organiser, id), so two "
    "kabupaten that both number their activities 1, 2, 3 keep every row. Give a real id (`id_kegiatan`, "
    "'No. Kegiatan') when rows are corrected in the fields the derived key uses, or when one activity may "
    "legitimately appear twice with the same content. When the column is there, every row must fill it.",
    "- **Personel**: tanggal, wilayah, lembaga, jabatan, jenis kelamin. **Pleno**: wilayah, lembaga, minggu. "
    "**TPS**: desa, pemilu. **Kursi**: wilayah, lembaga.",
    "",
]


def example_row(table: str) -> dict[str, str]:
    """Column -> example value of a template (one consistent row)."""
    tpl = spec.SOURCES[table]
    values = {c.name: c.example for c in tpl.columns}
    values.update(EXAMPLE_OVERRIDES.get(table, {}))
    return values


#: Words a choice's label writes in capitals (a dropdown offers "Pengawas TPS", not "Pengawas Tps").
_ACRONYMS = {"tps", "pkd", "ptps", "mou", "pks", "asn"}


def _choices(col: spec.SourceColumn) -> dict[str, list[str]]:
    """The canonical values a choice column takes (``allowed`` of them, else all), with their synonyms."""
    vocab = vocabulary(col.choices) if col.type == "choice" and col.choices else {}
    return {k: v for k, v in vocab.items() if not col.allowed or k in col.allowed}


def choice_label(canonical: str, synonyms: list[str]) -> str:
    """What a dropdown offers for a value: its first synonym as people write it ('bawaslu kabupaten/kota' ->
    'Bawaslu Kabupaten/Kota', 'pengawas tps' -> 'Pengawas TPS'); the loader reads it back as that value."""
    first = next((s for s in synonyms if any(ch.isalnum() for ch in s)), canonical)
    words = first.split(" ")
    return " ".join(w.upper() if w in _ACRONYMS or len(w) == 1 else "/".join(p[:1].upper() + p[1:]
                                                                             for p in w.split("/"))
                    for w in words)


def _choices_text(col: spec.SourceColumn) -> str:
    if col.type != "choice" or not col.choices:
        return ""
    parts = []
    for canonical, synonyms in _choices(col).items():
        others = [s for s in dict.fromkeys(synonyms) if s and s != canonical]
        parts.append(f"{canonical} ({', '.join(others)})" if others else canonical)
    return "; ".join(parts)


def _help_rows(table: str) -> list[list[str]]:
    ex = example_row(table)
    return [[c.name, c.description, TYPE_LABEL[c.type], "ya" if c.required else "tidak", _choices_text(c),
             ex[c.name], ", ".join(c.synonyms)] for c in spec.SOURCES[table].columns]


HELP_HEADER = ["Kolom", "Arti", "Tipe", "Wajib", "Pilihan (sinonim)", "Contoh", "Judul lain yang diterima"]


def write_template(table: str, path: Path) -> Path:
    """Write one blank template."""
    import xlsxwriter

    tpl = spec.SOURCES[table]
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    text = wb.add_format({"num_format": "@"})
    data = wb.add_worksheet(DATA_SHEET)
    for i, col in enumerate(tpl.columns):
        data.write_string(0, i, col.name, bold)
        data.set_column(i, i, max(14, len(col.name) + 4), text)
        if col.type == "choice" and col.choices:
            values = [choice_label(k, v) for k, v in _choices(col).items() if k]
            data.data_validation(1, i, 100_000, i, {
                "validate": "list", "source": [v for v in values if v.strip()], "error_type": "warning",
                "error_title": "Pilihan", "error_message": "Nilai lain diterima bila sinonim yang dikenal.",
                "input_title": col.name, "input_message": col.description[:255]})
    data.freeze_panes(1, 0)
    help_ws = wb.add_worksheet(HELP_SHEET)
    help_ws.write_string(0, 0, f"{tpl.title} — {tpl.description}", wb.add_format({"bold": True, "font_size": 13}))
    help_ws.write_row(2, 0, HELP_HEADER, bold)
    for r, row in enumerate(_help_rows(table), start=3):
        help_ws.write_row(r, 0, row, wrap)
    r = 4 + len(tpl.columns)
    help_ws.write_string(r, 0, "Contoh baris (isi di sheet Data mulai baris 2):", wb.add_format({"bold": True}))
    ex = example_row(table)
    help_ws.write_row(r + 1, 0, [f"{c.name} = {ex[c.name]}" for c in tpl.columns])
    for r2, rule in enumerate(GENERAL_RULES, start=r + 3):
        help_ws.write_string(r2, 0, "• " + rule)
    for i, width in enumerate([18, 45, 16, 7, 60, 24, 40]):
        help_ws.set_column(i, i, width)
    wb.close()
    return path


def write_templates(directory: Path | str) -> list[Path]:
    """Write ``<table>.xlsx`` for every source table into ``directory``."""
    directory = Path(directory)
    return [write_template(table, directory / f"{table}.xlsx") for table in spec.SOURCES]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def templates_markdown() -> str:
    """The templates' documentation as Markdown (the content of docs/TEMPLATES.md)."""
    lines = [
        "# Templat input (input templates)",
        "",
        "<!-- Generated by `python -c \"from etl.templates import templates_markdown; "
        "print(templates_markdown(), end='')\"` from etl/spec.py; do not edit by hand. -->",
        "",
        "Blank XLSX templates live in `data/templates/<table>.xlsx` (`python -m etl templates --out DIR` "
        "writes them again). Fill the sheet *Data* from row 2; the sheet *Petunjuk* explains each column. "
        "The same columns work in CSV files and SQL tables. A word of the file name or its folder among "
        f"{', '.join(f'`{a}`' for a in sorted(TABLE_WORDS))} tells which table it holds (else its headers do).",
        "",
        "## Aturan umum (general rules)",
        "",
        *[f"- {rule}" for rule in GENERAL_RULES],
        "",
        *KEYS_TEXT,
    ]
    for table, tpl in spec.SOURCES.items():
        ex = example_row(table)
        lines += [f"## {tpl.title} (`{table}`)", "", tpl.description, "",
                  f"File: `data/templates/{table}.xlsx`. Kunci unik (unique key): "
                  f"{', '.join(f'`{k}`' for k in spec.KEYS.get(table, []))}.", "",
                  "| Kolom | Wajib | Tipe | Arti | Contoh | Judul lain yang diterima |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for c in tpl.columns:
            lines.append(f"| `{c.name}` | {'ya' if c.required else 'tidak'} | {TYPE_LABEL[c.type]} | "
                         f"{_md_cell(c.description)} | {_md_cell(ex[c.name])} | {_md_cell(', '.join(c.synonyms))} |")
        choices = [c for c in tpl.columns if c.type == "choice"]
        if choices:
            lines += ["", "Pilihan (allowed values, with the synonyms that are accepted):", ""]
            for c in choices:
                lines.append(f"- `{c.name}`: {_md_cell(_choices_text(c))}")
        lines += ["", "Contoh baris (example row):", "",
                  "| " + " | ".join(c.name for c in tpl.columns) + " |",
                  "| " + " | ".join("---" for _ in tpl.columns) + " |",
                  "| " + " | ".join(_md_cell(ex[c.name]) for c in tpl.columns) + " |", ""]
    return "\n".join(lines)
