"""The contract: warehouse tables, source templates and the vocabularies both use.

Everything that names a column, a body, a role or an activity type lives here, so the
loaders, the templates, the sample generator and the query layer agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------------------
# Vocabularies (canonical value -> Indonesian/English synonyms people write)
# ---------------------------------------------------------------------------

BODIES: dict[str, list[str]] = {
    "bawaslu_provinsi": ["bawaslu provinsi", "bawaslu prov", "provinsi", "bawaslu provinsi"],
    "bawaslu_kabkota": [
        "bawaslu kabupaten/kota", "bawaslu kabupaten", "bawaslu kota", "bawaslu kab/kota",
        "bawaslu kab kota", "kabupaten/kota", "kabkota", "bawaslu kab",
    ],
    "panwaslu_kecamatan": ["panwaslu kecamatan", "panwascam", "panwas kecamatan", "kecamatan"],
    "pkd": ["pengawas kelurahan/desa", "pengawas desa", "pengawas kelurahan", "pkd", "kelurahan/desa"],
    "ptps": ["pengawas tps", "ptps", "tps"],
    "sekretariat_provinsi": ["sekretariat bawaslu provinsi", "sekretariat provinsi", "sekretariat bawaslu prov"],
    "sekretariat_kabkota": ["sekretariat bawaslu kabupaten/kota", "sekretariat kabupaten/kota",
                            "sekretariat bawaslu kabupaten", "sekretariat bawaslu kota", "sekretariat bawaslu kab"],
    "sekretariat_kecamatan": ["sekretariat panwaslu kecamatan", "sekretariat kecamatan", "sekretariat panwascam"],
}

#: Bodies whose people are supervisors (members); secretariats are staff, counted apart.
SUPERVISOR_BODIES = ["bawaslu_provinsi", "bawaslu_kabkota", "panwaslu_kecamatan", "pkd", "ptps"]

#: The administrative level a body sits at (the level of its region_code).
BODY_LEVEL: dict[str, str] = {
    "bawaslu_provinsi": "provinsi",
    "bawaslu_kabkota": "kabkota",
    "panwaslu_kecamatan": "kecamatan",
    "pkd": "desa",
    "ptps": "desa",
    "sekretariat_provinsi": "provinsi",
    "sekretariat_kabkota": "kabkota",
    "sekretariat_kecamatan": "kecamatan",
}

ROLES: dict[str, list[str]] = {
    "ketua": ["ketua", "chair", "koordinator"],
    "anggota": ["anggota", "member", "pengawas", "ptps", "pengawas tps", "pkd", "pengawas desa",
                "pengawas kelurahan/desa"],
    "kasek": ["kepala sekretariat", "kasek", "head of secretariat"],
    "korsek": ["koordinator sekretariat", "korsek", "koorsek"],
    "staf": ["staf", "staff", "pegawai", "staf sekretariat"],
}
#: Roles that fill a mandated seat.
MEMBER_ROLES = ["ketua", "anggota"]

GENDERS: dict[str, list[str]] = {
    "L": ["l", "laki-laki", "laki laki", "pria", "male", "m"],
    "P": ["p", "perempuan", "wanita", "female", "f"],
    "X": ["-", "tidak diketahui", "unknown", "x", ""],
}

ACTIVITY_TYPES: dict[str, list[str]] = {
    "pembinaan": ["pembinaan", "rapat pembinaan", "coaching"],
    "supervisi": ["supervisi", "supervision"],
    "pemantauan": ["pemantauan", "monitoring"],
    "evaluasi": ["evaluasi", "evaluation"],
    "inspeksi_mendadak": ["inspeksi mendadak", "sidak", "spot check"],
    "sosialisasi": ["sosialisasi", "outreach"],
    "sambang_pengawasan": ["sambang pengawasan", "sambang", "sambang desa"],
    "mou": ["mou", "nota kesepahaman", "memorandum of understanding", "perjanjian kerja sama", "pks"],
    "rapat_koordinasi": ["rapat koordinasi", "rakor", "coordination meeting"],
    "pelantikan": ["pelantikan", "inauguration", "pengambilan sumpah"],
    "pelatihan": ["pelatihan", "bimtek", "bimbingan teknis", "training", "diklat"],
}

PLENO_OUTCOMES: dict[str, list[str]] = {
    "baik": ["baik", "good", "sesuai"],
    "cukup": ["cukup", "fair", "sedang"],
    "kurang": ["kurang", "poor", "perlu perbaikan", "perlu pembinaan"],
    "tidak_pleno": ["tidak pleno", "tidak dilaksanakan", "not held"],
}

#: Members the law (UU 7/2017) allows per body; Bawaslu provinsi/kab-kota are set per region.
ALLOWED_SEATS: dict[str, tuple[int, ...]] = {
    "bawaslu_provinsi": (5, 7),
    "bawaslu_kabkota": (3, 5),
    "panwaslu_kecamatan": (3,),
    "pkd": (1,),
    "ptps": (1,),
}

ELECTIONS: dict[str, list[str]] = {
    "pemilu_2019": ["pemilu 2019", "2019"],
    "pemilu_2024": ["pemilu 2024", "2024"],
    "pilkada_2024": ["pilkada 2024", "pemilihan 2024", "pemilihan serentak 2024"],
}

EARLIEST_DATE = "2017-01-01"  # UU 7/2017: nothing in the warehouse predates it

# ---------------------------------------------------------------------------
# Warehouse tables
# ---------------------------------------------------------------------------
# dtype names are Arrow-ish: string, int64, float64, bool, date, timestamp.
# Every fact table carries provinsi_code and kabkota_code (denormalised from region_code)
# so a province or kab/kota filter is a plain equality, and `source` (the file or SQL
# source a row came from) so a corrected source replaces exactly its own rows.

WAREHOUSE: dict[str, dict[str, str]] = {
    "regions": {
        "code": "string", "name": "string",
        "level": "string",       # provinsi | kabkota | kecamatan | desa
        "kind": "string",        # provinsi | kabupaten | kota | kecamatan | distrik | kelurahan | desa | desa_adat
        "parent_code": "string", "provinsi_code": "string", "kabkota_code": "string",
        "kecamatan_code": "string",
    },
    "seats": {
        "region_code": "string", "provinsi_code": "string", "kabkota_code": "string",
        "body": "string", "election": "string",  # election only for ptps (seats follow TPS); else ""
        "seats": "int64",
    },
    "tps": {
        "desa_code": "string", "provinsi_code": "string", "kabkota_code": "string",
        "kecamatan_code": "string", "election": "string", "tps": "int64", "voters": "int64",
        "source": "string",
    },
    "personnel": {
        "as_of": "date", "region_code": "string", "provinsi_code": "string", "kabkota_code": "string",
        "body": "string", "role": "string", "gender": "string", "count": "int64", "source": "string",
    },
    "activities": {
        "activity_id": "string", "date": "date", "organizer_code": "string", "organizer_body": "string",
        "region_code": "string", "provinsi_code": "string", "kabkota_code": "string",
        "type": "string", "title": "string", "participants": "int64", "source": "string",
    },
    "pleno": {
        "region_code": "string", "provinsi_code": "string", "kabkota_code": "string", "body": "string",
        "week_start": "date", "held": "bool", "members_present": "int64", "members_total": "int64",
        "decisions": "int64", "minutes_filed": "bool", "score": "float64", "outcome": "string",
        "evaluator_code": "string",  # the body that evaluated (a province for its kab/kota); NA when unknown
        "source": "string",
    },
    "etl_runs": {
        "run_id": "string", "started_at": "timestamp", "finished_at": "timestamp", "status": "string",
        "inputs": "string",  # JSON list of {source, table, sha256, rows_read, rows_loaded, rows_rejected, reused}
        "rows_read": "int64", "rows_loaded": "int64", "rows_rejected": "int64",
        "sample": "bool", "message": "string",
    },
    "rejects": {
        "run_id": "string", "table": "string", "source": "string", "row": "int64",
        "column": "string", "value": "string", "reason": "string",
        "check": "string",  # the id of the rule the row broke (etl.checks); NA in rejects carried from before it
    },
}

#: Columns of seats_reference: a loaded source (not a warehouse table) that each version keeps as
#: seats_reference.parquet, so later runs derive `seats` without reading it again.
SEATS_REFERENCE: dict[str, str] = {"region_code": "string", "provinsi_code": "string", "body": "string",
                                   "seats": "int64", "source": "string"}


def table_columns(table: str) -> dict[str, str]:
    """Column -> contract type of a warehouse table, or of seats_reference."""
    return TABLES[table].columns


@dataclass(frozen=True)
class Table:
    """What every layer needs to know of one warehouse table (or of seats_reference): the catalog entry."""

    name: str
    columns: dict[str, str]                     # column -> contract type (string, int64, float64, bool, date...)
    key: tuple[str, ...] = ()                   # unique per row; a newer source's row replaces an older one's
    key_source: dict[str, str] = field(default_factory=dict)  # key column -> source column named in reasons
    sort: tuple[str, ...] = ()                  # row order on disk (a province filter reads few row groups)
    date: str | None = None                     # the column that dates a row (the table's data date)
    nullable: frozenset[str] = frozenset()      # columns that may be empty

    @property
    def is_fact(self) -> bool:
        """Loaded from sources (it has a key), not derived."""
        return bool(self.key)


TABLES: dict[str, Table] = {
    "regions": Table("regions", WAREHOUSE["regions"],
                     nullable=frozenset({"parent_code", "kabkota_code", "kecamatan_code"})),
    "seats": Table("seats", WAREHOUSE["seats"], nullable=frozenset({"kabkota_code"})),
    "tps": Table("tps", WAREHOUSE["tps"], key=("desa_code", "election"),
                 key_source={"desa_code": "desa", "election": "pemilu"}, sort=("desa_code", "election")),
    "personnel": Table("personnel", WAREHOUSE["personnel"], key=("as_of", "region_code", "body", "role", "gender"),
                       key_source={"as_of": "tanggal", "region_code": "wilayah", "body": "lembaga", "role": "jabatan",
                                   "gender": "jenis_kelamin"},
                       sort=("region_code", "as_of"), date="as_of", nullable=frozenset({"kabkota_code"})),
    # an id is its office's: two offices may both number 1, 2, 3; the organiser is not named in a reason (ids are
    # compared within one office's rows)
    "activities": Table("activities", WAREHOUSE["activities"], key=("organizer_code", "activity_id"),
                        key_source={"activity_id": "id_kegiatan"}, sort=("region_code", "date"), date="date",
                        nullable=frozenset({"kabkota_code", "title", "participants"})),
    "pleno": Table("pleno", WAREHOUSE["pleno"], key=("region_code", "body", "week_start"),
                   key_source={"region_code": "wilayah", "body": "lembaga", "week_start": "minggu"},
                   sort=("region_code", "week_start"), date="week_start",
                   nullable=frozenset({"kabkota_code", "members_present", "decisions", "minutes_filed", "score",
                                       "outcome", "evaluator_code"})),
    "etl_runs": Table("etl_runs", WAREHOUSE["etl_runs"], date="finished_at",
                      nullable=frozenset({"finished_at", "message", "inputs"})),
    "rejects": Table("rejects", WAREHOUSE["rejects"], nullable=frozenset({"check"})),
    "seats_reference": Table("seats_reference", SEATS_REFERENCE, key=("region_code", "body"),
                             key_source={"region_code": "wilayah", "body": "lembaga"}, sort=("region_code", "body")),
}

#: Keys that must be unique within a table (a second row with the same key is a reject): TABLES[t].key.
KEYS: dict[str, list[str]] = {t.name: list(t.key) for t in TABLES.values() if t.key}

# ---------------------------------------------------------------------------
# Source templates: what an office fills in
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceColumn:
    """One column of a source template."""

    name: str                      # canonical header in the template
    type: str                      # region | date | int | float | bool | text | choice
    required: bool
    description: str
    example: str
    synonyms: tuple[str, ...] = ()  # other headers people use (case/space/underscore-insensitive)
    choices: str | None = None     # name of a vocabulary above, for type == "choice"
    allowed: tuple[str, ...] = ()  # the vocabulary's values this column takes (its loader rejects others); () = all


@dataclass(frozen=True)
class SourceTemplate:
    """A source table as an office keeps it; loaded into the warehouse table of the same name."""

    table: str
    title: str
    description: str
    columns: tuple[SourceColumn, ...]
    #: Header names whose values are never stored (personal data); matched like synonyms.
    dropped: tuple[str, ...] = field(default=())

    def column(self, name: str) -> SourceColumn:
        """The column called ``name`` (KeyError when the template has none)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


_REGION_HELP = "Kode Kemendagri atau nama wilayah (mis. 18.01, Kab. Lampung Selatan)"
_CONTEXT = (
    SourceColumn("provinsi", "region", False, "Provinsi, bila wilayah ditulis dengan nama", "Lampung",
                 ("province", "prov", "nama provinsi", "kode provinsi")),
    SourceColumn("kabupaten_kota", "region", False, "Kabupaten/kota, bila wilayah ditulis dengan nama",
                 "Kab. Lampung Selatan", ("kabupaten", "kota", "kab/kota", "kabkota", "kota/kabupaten", "kota/kab",
                                          "regency", "district")),
    SourceColumn("kecamatan", "region", False, "Kecamatan, bila wilayah ditulis dengan nama", "Natar",
                 ("subdistrict", "kec", "distrik")),
)
#: A kelurahan/desa column beside the level columns above ("Kecamatan | Desa/Kelurahan"): when a table has no
#: column of its own region, the deepest of these filled on a row is that row's region (etl.headers).
_DESA_LEVEL = SourceColumn("kelurahan_desa", "region", False, "Kelurahan/desa, bila wilayah ditulis per tingkat",
                           "Hajimena", ("desa/kelurahan", "kelurahan/desa", "desa", "kelurahan", "kel/desa",
                                        "desa/kel", "village", "pekon", "pekon/kelurahan", "kelurahan/pekon",
                                        "desa/pekon", "nagari", "gampong", "kampung", "kelurahan/kampung"))
_PERSONAL = ("nama", "nama lengkap", "name", "full name", "nik", "no ktp", "nomor induk kependudukan",
             "nip", "alamat", "address", "no hp", "telepon", "phone", "email", "tanggal lahir")

SOURCES: dict[str, SourceTemplate] = {
    "personnel": SourceTemplate(
        "personnel", "Jumlah personel pengawas",
        "Jumlah orang per lembaga, jabatan dan jenis kelamin pada satu tanggal. Tanpa nama/NIK.",
        (
            SourceColumn("tanggal", "date", True, "Tanggal data (per; bila tidak ada kolomnya: dari judul atau "
                         "nama file)", "01/02/2024", ("as_of", "per tanggal", "tanggal data", "date", "keadaan per")),
            *_CONTEXT,
            _DESA_LEVEL,
            SourceColumn("wilayah", "region", True, _REGION_HELP + "; tingkat sesuai lembaga",
                         "Natar", ("kode wilayah", "region", "region_code", "nama wilayah", "lokasi")),
            SourceColumn("lembaga", "choice", True, "Lembaga", "Panwaslu Kecamatan",
                         ("body", "badan", "tingkat"), "BODIES"),
            SourceColumn("jabatan", "choice", True, "Jabatan", "Anggota", ("role", "posisi"), "ROLES"),
            SourceColumn("jenis_kelamin", "choice", False, "L / P", "L", ("gender", "jk", "sex", "l/p", "p/l"),
                         "GENDERS"),
            SourceColumn("jumlah", "int", True, "Jumlah orang (bilangan bulat >= 0)", "3",
                         ("count", "jumlah orang", "jumlah personel", "total")),
        ),
        dropped=_PERSONAL,
    ),
    "activities": SourceTemplate(
        "activities", "Kegiatan pengawasan dan sosialisasi",
        "Satu baris satu kegiatan.",
        (
            SourceColumn("id_kegiatan", "text", False, "Nomor kegiatan dari kantor pengirim (unik per penyelenggara; "
                         "bila tidak ada, Pantau membuat kunci dari isi baris)", "LPG-2023-0142",
                         ("activity_id", "id", "no kegiatan", "nomor kegiatan", "kode kegiatan", "no. kegiatan")),
            SourceColumn("tanggal", "date", True, "Tanggal kegiatan", "Senin, 20 Februari 2023",
                         ("date", "tgl", "tanggal kegiatan", "tanggal pelaksanaan", "waktu pelaksanaan", "waktu",
                          "tgl pelaksanaan", "tgl kegiatan",
                          "hari/tanggal", "hari tanggal", "tanggal mulai")),
            SourceColumn("penyelenggara", "region", True, "Wilayah lembaga penyelenggara (bila tidak ada kolomnya: "
                         "dari judul atau nama file)", "Kabupaten Bangka Tengah",
                         ("organizer", "organizer_code", "kode penyelenggara", "bawaslu kabupaten/kota",
                          "bawaslu kab/kota", "satuan kerja", "satker")),
            SourceColumn("lembaga_penyelenggara", "choice", False, "Lembaga penyelenggara (bila kosong: "
                         "ditentukan dari tingkat wilayah penyelenggara)", "Bawaslu Kabupaten/Kota",
                         ("organizer_body", "lembaga"), "BODIES"),
            *_CONTEXT,
            _DESA_LEVEL,
            SourceColumn("lokasi", "region", True, "Wilayah tempat kegiatan (provinsi s.d. desa)", "Koba",
                         ("region", "region_code", "wilayah", "kode lokasi", "lokasi kegiatan",
                          "nama wilayah")),
            SourceColumn("jenis", "choice", True, "Jenis kegiatan", "MoU",
                         ("type", "jenis kegiatan", "kategori", "bentuk kegiatan"), "ACTIVITY_TYPES"),
            SourceColumn("judul", "text", False, "Judul / uraian singkat", "MoU Sambang Pengawasan",
                         ("title", "nama kegiatan", "uraian", "uraian kegiatan", "kegiatan", "perihal")),
            SourceColumn("peserta", "int", False, "Jumlah peserta", "45",
                         ("participants", "jumlah peserta", "peserta (orang)", "jml peserta",
                                                              "peserta hadir", "jumlah hadir")),
        ),
        dropped=_PERSONAL,
    ),
    "pleno": SourceTemplate(
        "pleno", "Evaluasi pleno rutin mingguan",
        "Satu baris satu lembaga satu minggu, sebagaimana dinilai oleh lembaga di atasnya.",
        (
            *_CONTEXT,
            SourceColumn("wilayah", "region", True, "Wilayah lembaga yang dinilai (bila tidak ada kolomnya: kolom "
                         "tingkat wilayah terdalam yang terisi, mis. Kabupaten/Kota atau Kecamatan)", "Kota Kendari",
                         ("region", "region_code", "bawaslu", "bawaslu kabupaten/kota", "lembaga yang dinilai",
                          "nama bawaslu", "satker", "nama wilayah", "panwaslu kecamatan", "panwascam")),
            SourceColumn("lembaga", "choice", False, "Lembaga (bila kosong: dari tingkat wilayah)",
                         "Bawaslu Kabupaten/Kota", ("body",), "BODIES"),
            SourceColumn("minggu", "date", True, "Tanggal dalam minggu itu (dibulatkan ke Senin)",
                         "19/08/2024", ("week_start", "minggu mulai", "tanggal", "pekan", "tanggal pleno",
                                        "tanggal pelaksanaan", "hari/tanggal pleno", "hari/tanggal",
                                        "tanggal rapat", "hari/tanggal rapat", "tgl pleno", "waktu pleno")),
            SourceColumn("dilaksanakan", "bool", True, "Ya / Tidak", "Ya",
                         ("held", "pleno dilaksanakan", "pelaksanaan pleno", "pleno", "terlaksana",
                          "status pleno", "melaksanakan pleno")),
            SourceColumn("anggota_hadir", "int", False, "Anggota yang hadir", "5",
                         ("members_present", "hadir", "jumlah hadir")),
            SourceColumn("jumlah_anggota", "int", False,
                         "Jumlah anggota lembaga (bila kosong: yang ditetapkan UU untuk Panwaslu Kecamatan, PKD dan "
                         "PTPS; wajib untuk Bawaslu provinsi dan kabupaten/kota)", "5",
                         ("members_total", "anggota", "total anggota", "jumlah")),
            SourceColumn("jumlah_keputusan", "int", False, "Keputusan yang diambil", "2",
                         ("decisions", "keputusan")),
            SourceColumn("notulen", "bool", False, "Notulen diarsipkan: Ya / Tidak", "Ya",
                         ("minutes_filed", "berita acara", "notula", "notulensi", "notulen rapat")),
            SourceColumn("nilai", "float", False, "Nilai 0-100", "85,5", ("score", "skor")),
            SourceColumn("hasil", "choice", False, "Baik / Cukup / Kurang / Tidak pleno (bila kosong: dari "
                         "nilai)", "Baik", ("outcome", "kategori", "predikat", "hasil evaluasi"), "PLENO_OUTCOMES"),
            SourceColumn("penilai", "region", False, "Wilayah lembaga yang menilai (bila tidak ada kolomnya: dari "
                         "judul atau nama file)", "Sulawesi Tenggara",
                         ("evaluator", "dinilai oleh", "lembaga penilai", "evaluator_code")),
        ),
    ),
    "tps": SourceTemplate(
        "tps", "TPS dan DPT per kelurahan/desa",
        "Jumlah TPS dan pemilih (DPT) per kelurahan/desa untuk satu pemilu.",
        (
            *_CONTEXT,
            SourceColumn("desa", "region", True, "Kelurahan/desa (kode atau nama)", "Hajimena",
                         ("kelurahan/desa", "desa/kelurahan", "kelurahan", "desa_code", "kode desa", "wilayah",
                          "kel/desa", "desa/kel", "nama wilayah", "pekon", "pekon/kelurahan", "kelurahan/pekon",
                          "nagari", "gampong", "kampung")),
            SourceColumn("pemilu", "choice", True, "Pemilu (bila tidak ada kolomnya: dari judul atau nama file)",
                         "Pemilu 2024", ("election", "pemilihan"), "ELECTIONS"),
            SourceColumn("jumlah_tps", "int", True, "Jumlah TPS (atau satu baris per TPS dengan kolom Nomor TPS)",
                         "24", ("tps", "tps_count", "banyaknya tps")),
            SourceColumn("dpt", "int", True, "Jumlah pemilih (DPT)", "6.512", ("voters", "jumlah dpt",
                                                                             "pemilih", "dpt total", "total dpt",
                                                                             "jumlah pemilih", "total pemilih",
                                                                             "dpt l+p", "pemilih l+p",
                                                                             "dpt jumlah", "pemilih total")),
            SourceColumn("nomor_tps", "text", False, "Nomor TPS, bila satu baris per TPS (TPS dihitung dan DPT "
                         "dijumlah per kelurahan/desa)", "TPS 001", ("no tps", "no. tps", "nomor tps", "kode tps",
                                                                       "tps ke", "tps no")),
        ),
    ),
    "seats_reference": SourceTemplate(
        "seats_reference", "Jumlah anggota Bawaslu provinsi dan kabupaten/kota",
        "Jumlah anggota yang ditetapkan per Bawaslu provinsi (5 atau 7) dan kabupaten/kota (3 atau 5).",
        (
            *_CONTEXT[:1],
            SourceColumn("wilayah", "region", True, _REGION_HELP, "Kota Metro",
                         ("region", "region_code", "kabupaten/kota", "kab/kota", "nama wilayah", "bawaslu")),
            SourceColumn("lembaga", "choice", False, "Bawaslu Provinsi / Bawaslu Kabupaten/Kota (bila kosong: "
                         "dari tingkat wilayah)", "Bawaslu Kabupaten/Kota", ("body",), "BODIES",
                         ("bawaslu_provinsi", "bawaslu_kabkota")),
            SourceColumn("jumlah_anggota", "int", True, "5 atau 7 (provinsi), 3 atau 5 (kab/kota)", "3",
                         ("seats", "kursi", "anggota")),
        ),
    ),
}

#: Filename prefixes / folder names that say which source table a file holds.
SOURCE_ALIASES: dict[str, str] = {
    "personnel": "personnel", "personel": "personnel", "pengawas": "personnel",
    "activities": "activities", "kegiatan": "activities",
    "pleno": "pleno", "evaluasi_pleno": "pleno",
    "tps": "tps", "dpt": "tps",
    "seats": "seats_reference", "kursi": "seats_reference", "seats_reference": "seats_reference",
    "personil": "personnel",
}
