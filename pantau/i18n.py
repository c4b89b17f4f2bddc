"""The one translation table: Bahasa Indonesia (default) and English. No Streamlit here.

`t(key, lang, **values)` looks a key up and fills `{placeholders}`; an unknown key comes back
as itself (so a missing label shows, never crashes). `label(kind, value, lang)` names a
vocabulary value (a body, an activity type, a pleno outcome, a region level, a preset).
"""

from __future__ import annotations

import contextlib
from typing import Any

LANGS = ("id", "en")
DEFAULT_LANG = "id"

TEXT: dict[str, dict[str, str]] = {
    # --- app, navigation --------------------------------------------------------------
    "app_title": {"id": "Pantau · Dasbor Pengawasan Bawaslu", "en": "Pantau · Bawaslu supervision dashboard"},
    "page_ringkasan": {"id": "Ringkasan", "en": "Summary"},
    "page_cakupan": {"id": "Cakupan wilayah", "en": "Regional coverage"},
    "page_rasio": {"id": "Rasio pengawas", "en": "Supervisor ratios"},
    "page_kegiatan": {"id": "Kegiatan", "en": "Activities"},
    "page_pleno": {"id": "Evaluasi pleno", "en": "Plenary evaluation"},
    "page_perbandingan": {"id": "Perbandingan", "en": "Comparison"},
    "page_kualitas": {"id": "Kualitas data", "en": "Data quality"},
    # --- sidebar filters -------------------------------------------------------------
    "filters": {"id": "Filter", "en": "Filters"},
    "language": {"id": "Bahasa", "en": "Language"},
    "provinsi": {"id": "Provinsi", "en": "Province"},
    "kabkota": {"id": "Kabupaten/kota", "en": "Regency/city"},
    "kecamatan": {"id": "Kecamatan", "en": "District (kecamatan)"},
    "all_provinsi": {"id": "Nasional (semua provinsi)", "en": "National (all provinces)"},
    "all_kabkota": {"id": "Semua kabupaten/kota", "en": "All regencies/cities"},
    "period": {"id": "Periode", "en": "Period"},
    "period_dates": {"id": "Dari – sampai", "en": "From – to"},
    "election": {"id": "Pemilu", "en": "Election"},
    "nasional": {"id": "Nasional", "en": "National"},
    "up_one_level": {"id": "Naik ke {name}", "en": "Up to {name}"},
    "copy_link_hint": {"id": "Salin alamat halaman untuk membagikan tampilan ini.",
                       "en": "Copy the page address to share this view."},
    # --- notices and states ----------------------------------------------------------
    "sample_notice": {"id": "DATA CONTOH — angka di dasbor ini dibuat untuk uji coba, bukan data resmi Bawaslu.",
                      "en": "SAMPLE DATA — the numbers on this dashboard are made up for testing, "
                            "not official Bawaslu data."},
    "no_warehouse": {"id": "Gudang data belum tersedia di `{path}`. Bangun dulu dengan perintah berikut, "
                           "lalu muat ulang halaman ini:",
                     "en": "No data warehouse at `{path}` yet. Build it with the command below, "
                           "then reload this page:"},
    "bad_param": {"id": "Parameter tautan `{name}={value}` tidak dikenali; ditampilkan {fallback}.",
                  "en": "Link parameter `{name}={value}` was not recognised; showing {fallback}."},
    "bad_param_unknown_region": {"id": "Wilayah `{value}` tidak ada di gudang data; ditampilkan {fallback}.",
                                 "en": "Region `{value}` is not in the warehouse; showing {fallback}."},
    "empty": {"id": "Tidak ada data untuk {what} pada {scope}, {period}.",
              "en": "No data for {what} in {scope}, {period}."},
    "empty_scope_hint": {"id": "Coba periode lain (mis. Tahun pemilu 2024 atau Semua) atau wilayah lain.",
                         "en": "Try another period (e.g. Election year 2024 or All) or another region."},
    "download_csv": {"id": "Unduh CSV", "en": "Download CSV"},
    "download_xlsx": {"id": "Unduh XLSX", "en": "Download XLSX"},
    "rows_shown": {"id": "{n} baris", "en": "{n} rows"},
    "data_as_of": {"id": "data per {date}", "en": "data as of {date}"},
    "error_page": {"id": "Bagian ini gagal dimuat: {error}", "en": "This part failed to load: {error}"},
    # --- presets ----------------------------------------------------------------------
    "preset_bulan_ini": {"id": "Bulan ini", "en": "This month"},
    "preset_kuartal_ini": {"id": "Kuartal ini", "en": "This quarter"},
    "preset_tahun_ini": {"id": "Tahun ini", "en": "This year"},
    "preset_tahun_pemilu_2024": {"id": "Tahun pemilu 2024", "en": "Election year 2024"},
    "preset_12_bulan": {"id": "12 bulan terakhir", "en": "Last 12 months"},
    "preset_semua": {"id": "Semua", "en": "All"},
    "preset_kustom": {"id": "Pilih tanggal", "en": "Custom dates"},
    "today_is_data_date": {"id": "\"Hari ini\" = tanggal data terbaru ({date}).",
                           "en": "\"Today\" = the latest data date ({date})."},
    # --- elections --------------------------------------------------------------------
    "election_pemilu_2019": {"id": "Pemilu 2019", "en": "2019 general election"},
    "election_pemilu_2024": {"id": "Pemilu 2024", "en": "2024 general election"},
    "election_pilkada_2024": {"id": "Pilkada 2024", "en": "2024 regional elections"},
    # --- bodies -----------------------------------------------------------------------
    "body_bawaslu_provinsi": {"id": "Bawaslu Provinsi", "en": "Provincial Bawaslu"},
    "body_bawaslu_kabkota": {"id": "Bawaslu Kab/Kota", "en": "Regency/city Bawaslu"},
    "body_panwaslu_kecamatan": {"id": "Panwascam", "en": "Panwascam (district)"},
    "body_pkd": {"id": "PKD", "en": "PKD (village)"},
    "body_ptps": {"id": "PTPS", "en": "PTPS (polling station)"},
    "body_sekretariat_provinsi": {"id": "Sekretariat Provinsi", "en": "Provincial secretariat"},
    "body_sekretariat_kabkota": {"id": "Sekretariat Kab/Kota", "en": "Regency/city secretariat"},
    "body_sekretariat_kecamatan": {"id": "Sekretariat Kecamatan", "en": "District secretariat"},
    # --- levels -----------------------------------------------------------------------
    "level_nasional": {"id": "nasional", "en": "national"},
    "level_provinsi": {"id": "provinsi", "en": "province"},
    "level_kabkota": {"id": "kabupaten/kota", "en": "regency/city"},
    "level_kecamatan": {"id": "kecamatan", "en": "district"},
    "level_desa": {"id": "kelurahan/desa", "en": "village"},
    "levels_provinsi": {"id": "provinsi", "en": "provinces"},
    "levels_kabkota": {"id": "kabupaten/kota", "en": "regencies/cities"},
    "levels_kecamatan": {"id": "kecamatan", "en": "districts"},
    "levels_desa": {"id": "kelurahan/desa", "en": "villages"},
    # --- activity types ---------------------------------------------------------------
    "type_pembinaan": {"id": "Pembinaan", "en": "Coaching"},
    "type_supervisi": {"id": "Supervisi", "en": "Supervision"},
    "type_pemantauan": {"id": "Pemantauan", "en": "Monitoring"},
    "type_evaluasi": {"id": "Evaluasi", "en": "Evaluation"},
    "type_inspeksi_mendadak": {"id": "Inspeksi mendadak", "en": "Spot check"},
    "type_sosialisasi": {"id": "Sosialisasi", "en": "Outreach"},
    "type_sambang_pengawasan": {"id": "Sambang pengawasan", "en": "Sambang visits"},
    "type_mou": {"id": "MoU", "en": "MoU"},
    "type_rapat_koordinasi": {"id": "Rapat koordinasi", "en": "Coordination meeting"},
    "type_pelantikan": {"id": "Pelantikan", "en": "Inauguration"},
    "type_pelatihan": {"id": "Pelatihan", "en": "Training"},
    # --- pleno outcomes ---------------------------------------------------------------
    "outcome_baik": {"id": "Baik", "en": "Good"},
    "outcome_cukup": {"id": "Cukup", "en": "Fair"},
    "outcome_kurang": {"id": "Kurang", "en": "Poor"},
    "outcome_tidak_pleno": {"id": "Tidak pleno", "en": "Not held"},
    # --- gap issues -------------------------------------------------------------------
    "issue_kosong": {"id": "Kosong", "en": "Empty"},
    "issue_kurang": {"id": "Kurang", "en": "Short"},
    "issue_lebih": {"id": "Lebih (data tidak cocok)", "en": "Over (data mismatch)"},
    # --- column headers ---------------------------------------------------------------
    "col_region_code": {"id": "Kode", "en": "Code"},
    "col_region_name": {"id": "Wilayah", "en": "Region"},
    "col_parent_name": {"id": "Induk", "en": "Parent"},
    "col_level": {"id": "Tingkat", "en": "Level"},
    "col_body": {"id": "Lembaga", "en": "Body"},
    "col_seats": {"id": "Kursi (UU)", "en": "Seats (law)"},
    "col_filled": {"id": "Terisi", "en": "Filled"},
    "col_fill_rate": {"id": "Keterisian", "en": "Fill rate"},
    "col_gap": {"id": "Kekurangan", "en": "Gap"},
    "col_issue": {"id": "Masalah", "en": "Issue"},
    "col_mismatch": {"id": "Tidak cocok", "en": "Mismatch"},
    "col_voters": {"id": "DPT", "en": "Voters"},
    "col_tps": {"id": "TPS", "en": "Polling stations"},
    "col_desa": {"id": "Kel/desa", "en": "Villages"},
    "col_pkd": {"id": "PKD", "en": "PKD"},
    "col_ptps": {"id": "PTPS", "en": "PTPS"},
    "col_panwascam": {"id": "Panwascam", "en": "Panwascam"},
    "col_supervisors": {"id": "Pengawas", "en": "Supervisors"},
    "col_voters_per_supervisor": {"id": "Pemilih per pengawas", "en": "Voters per supervisor"},
    "col_tps_per_pkd": {"id": "TPS per PKD", "en": "Polling stations per PKD"},
    "col_desa_per_panwascam": {"id": "Kel/desa per anggota Panwascam", "en": "Villages per Panwascam member"},
    "col_date": {"id": "Tanggal", "en": "Date"},
    "col_type": {"id": "Jenis", "en": "Type"},
    "col_title": {"id": "Judul", "en": "Title"},
    "col_organizer_code": {"id": "Penyelenggara", "en": "Organiser"},
    "col_participants": {"id": "Peserta", "en": "Participants"},
    "col_n": {"id": "Jumlah", "en": "Count"},
    "col_desa_total": {"id": "Kel/desa", "en": "Villages"},
    "col_desa_reached": {"id": "Dikunjungi", "en": "Reached"},
    "col_reach": {"id": "Jangkauan", "en": "Reach"},
    "col_weeks_in_period": {"id": "Minggu", "en": "Weeks"},
    "col_weeks_reported": {"id": "Dilaporkan", "en": "Reported"},
    "col_weeks_held": {"id": "Pleno", "en": "Held"},
    "col_compliance": {"id": "Kepatuhan", "en": "Compliance"},
    "col_mean_score": {"id": "Nilai rata-rata", "en": "Mean score"},
    "col_rank": {"id": "Peringkat", "en": "Rank"},
    "col_measure": {"id": "Ukuran", "en": "Measure"},
    "col_value": {"id": "Nilai", "en": "Value"},
    "col_prov_median": {"id": "Median provinsi", "en": "Province median"},
    "col_vs_median": {"id": "Terhadap median", "en": "Against median"},
    "col_run_id": {"id": "Run", "en": "Run"},
    "col_started_at": {"id": "Mulai", "en": "Started"},
    "col_finished_at": {"id": "Selesai", "en": "Finished"},
    "col_status": {"id": "Status", "en": "Status"},
    "col_rows_read": {"id": "Baris dibaca", "en": "Rows read"},
    "col_rows_loaded": {"id": "Baris dimuat", "en": "Rows loaded"},
    "col_rows_rejected": {"id": "Baris ditolak", "en": "Rows rejected"},
    "col_message": {"id": "Pesan", "en": "Message"},
    "col_table": {"id": "Tabel", "en": "Table"},
    "col_source": {"id": "Sumber", "en": "Source"},
    "col_row": {"id": "Baris", "en": "Row"},
    "col_column": {"id": "Kolom", "en": "Column"},
    "col_reason": {"id": "Alasan", "en": "Reason"},
    "col_rows": {"id": "Baris", "en": "Rows"},
    "col_data_date": {"id": "Data per", "en": "Data as of"},
    "col_loaded_at": {"id": "Dimuat", "en": "Loaded"},
    "col_metric": {"id": "Ukuran", "en": "Measure"},
    "col_previous": {"id": "Periode sebelumnya", "en": "Previous period"},
    "col_change": {"id": "Perubahan", "en": "Change"},
    "col_week_start": {"id": "Minggu mulai", "en": "Week of"},
    "col_held": {"id": "Pleno diadakan", "en": "Held"},
    "col_score": {"id": "Nilai", "en": "Score"},
    "col_outcome": {"id": "Hasil", "en": "Outcome"},
    "col_share": {"id": "Porsi", "en": "Share"},
    # --- Ringkasan --------------------------------------------------------------------
    "sum_headline": {"id": "Angka utama", "en": "Headline numbers"},
    "sum_vs_previous": {"id": "dibanding {period}", "en": "against {period}"},
    "sum_worst_gaps": {"id": "Kekurangan terbesar", "en": "Largest gaps"},
    "sum_gaps_title": {"id": "Kekurangan terbesar: {name} kurang {gap} {body}",
                       "en": "Largest gap: {name} is {gap} {body} short"},
    "sum_no_gaps": {"id": "Tidak ada kekurangan pengawas di {scope}: semua kursi terisi.",
                    "en": "No supervisor gaps in {scope}: every seat is filled."},
    "sum_gap_axis": {"id": "Kursi belum terisi", "en": "Seats not filled"},
    "sum_bodies_title": {"id": "Keterisian per lembaga di {scope}", "en": "Fill rate by body in {scope}"},
    # --- Cakupan ----------------------------------------------------------------------
    "cov_by_body_all_full": {"id": "Semua lembaga pengawas terisi penuh di {scope}",
                             "en": "Every supervisory body is fully staffed in {scope}"},
    "cov_by_body_lowest": {"id": "{body} baru terisi {rate} di {scope}", "en": "{body} only {rate} filled in {scope}"},
    "cov_body_full": {"id": "{body} terisi {rate} di {scope}", "en": "{body} {rate} filled in {scope}"},
    "cov_mismatch": {"id": "Data tidak cocok: {filled} {body} dilaporkan untuk {seats} kursi ({where}).",
                     "en": "Data mismatch: {filled} {body} reported for {seats} seats ({where})."},
    "cov_mismatch_pkd": {"id": "Data tidak cocok: {filled} PKD dilaporkan untuk {seats} desa ({where}).",
                         "en": "Data mismatch: {filled} PKD reported for {seats} villages ({where})."},
    "cov_pick_body": {"id": "Lembaga yang dirinci", "en": "Body to break down"},
    "cov_children_title": {"id": "{full} dari {total} {level}: {body} terisi penuh",
                           "en": "{full} of {total} {level}: {body} fully staffed"},
    "cov_drill_hint": {"id": "Klik batang atau baris tabel untuk turun satu tingkat.",
                       "en": "Click a bar or a table row to go one level down."},
    "cov_gaps_title": {"id": "Wilayah dengan kekurangan", "en": "Regions with gaps"},
    "cov_uncovered": {"id": "{n} wilayah tanpa pengawas sama sekali", "en": "{n} places with no supervisor at all"},
    "cov_no_gaps": {"id": "Tidak ada wilayah kosong atau kurang pengawas di {scope}.",
                    "en": "No empty or understaffed places in {scope}."},
    "cov_no_personnel": {"id": "{body}: ada {seats} kursi tetapi belum ada data personel di {scope}.",
                         "en": "{body}: {seats} seats but no personnel reported in {scope}."},
    "legend_full": {"id": "Terisi penuh", "en": "Fully staffed"},
    "legend_short": {"id": "Kurang", "en": "Short"},
    "legend_over": {"id": "Lebih dari 100% (data tidak cocok)", "en": "Over 100% (data mismatch)"},
    "hover_fill": {"id": "{name}: {filled} dari {seats} kursi terisi ({rate})",
                   "en": "{name}: {filled} of {seats} seats filled ({rate})"},
    # --- Rasio ------------------------------------------------------------------------
    "ratio_pick": {"id": "Rasio", "en": "Ratio"},
    "ratio_dist_title": {"id": "{ratio}: {n} kab/kota menyimpang dari yang lain",
                         "en": "{ratio}: {n} regencies/cities stand out"},
    "ratio_dist_none": {"id": "{ratio}: tidak ada kab/kota yang menyimpang jauh",
                        "en": "{ratio}: no regency/city stands far out"},
    "ratio_median_title": {"id": "{n} dari {total} kab/kota lebih berat dari median provinsinya",
                           "en": "{n} of {total} regencies/cities carry more than their province median"},
    "ratio_outlier": {"id": "Pencilan", "en": "Outlier"},
    "ratio_median": {"id": "Median", "en": "Median"},
    "ratio_prov_median": {"id": "Median provinsi", "en": "Province median"},
    "ratio_table": {"id": "Rasio per kabupaten/kota", "en": "Ratios by regency/city"},
    "ratio_help": {"id": "Makin besar rasio, makin berat beban tiap pengawas.",
                   "en": "The larger the ratio, the heavier each supervisor's load."},
    # --- Kegiatan ---------------------------------------------------------------------
    "act_trend_title": {"id": "{total} kegiatan; terbanyak {type} ({n})",
                        "en": "{total} activities; most often {type} ({n})"},
    "act_count": {"id": "Kegiatan", "en": "Activities"},
    "act_region_title": {"id": "{name} paling aktif: {n} kegiatan", "en": "{name} most active: {n} activities"},
    "act_calendar_title": {"id": "Hari tersibuk: {date} ({n} kegiatan)", "en": "Busiest day: {date} ({n} activities)"},
    "act_sambang_title": {"id": "Sambang pengawasan menjangkau {rate} kelurahan/desa di {scope}",
                          "en": "Sambang visits reached {rate} of villages in {scope}"},
    "act_sambang_none": {"id": "Belum ada sambang pengawasan di {scope} pada periode ini.",
                         "en": "No sambang visits in {scope} in this period."},
    "act_list": {"id": "Daftar kegiatan", "en": "Activity list"},
    "act_list_limit": {"id": "Menampilkan {n} kegiatan terbaru.", "en": "Showing the latest {n} activities."},
    # --- Pleno ------------------------------------------------------------------------
    "pleno_heat_title": {"id": "Pleno mingguan: {held} dari {total} minggu terlaksana",
                         "en": "Weekly pleno: held in {held} of {total} body-weeks"},
    "pleno_rank_title": {"id": "{best} paling patuh pleno; {worst} terendah ({rate})",
                         "en": "{best} holds its pleno most reliably; {worst} lowest ({rate})"},
    "pleno_shares_title": {"id": "{share} minggu dinilai Baik", "en": "{share} of weeks rated Good"},
    "pleno_trend_title": {"id": "Kepatuhan pleno {direction}: {first} → {last}",
                          "en": "Pleno compliance {direction}: {first} → {last}"},
    "pleno_up": {"id": "naik", "en": "rose"},
    "pleno_down": {"id": "turun", "en": "fell"},
    "pleno_flat": {"id": "stabil", "en": "held steady"},
    "pleno_not_held": {"id": "Tidak pleno / tidak dilaporkan", "en": "Not held / not reported"},
    "pleno_none": {"id": "Tidak ada pleno yang dilaporkan di {scope} pada {period}.",
                   "en": "No pleno reported in {scope} for {period}."},
    "pleno_score_scale": {"id": "Nilai", "en": "Score"},
    # --- Perbandingan -----------------------------------------------------------------
    "cmp_pick": {"id": "Kabupaten/kota yang dibandingkan (2–5)", "en": "Regencies/cities to compare (2–5)"},
    "cmp_need_two": {"id": "Pilih 2 sampai 5 kabupaten/kota untuk dibandingkan.",
                     "en": "Pick 2 to 5 regencies/cities to compare."},
    "cmp_title": {"id": "{name} paling jauh dari median provinsi: {measure} {rel}",
                  "en": "{name} is furthest from its province median: {measure} {rel}"},
    "cmp_baseline": {"id": "= median provinsi", "en": "= province median"},
    "cmp_table": {"id": "Semua ukuran", "en": "Every measure"},
    "cmp_bad_codes": {"id": "Kode kab/kota `{value}` di tautan tidak dikenali dan diabaikan.",
                      "en": "Regency/city code `{value}` in the link was not recognised and is ignored."},
    # --- Kualitas ---------------------------------------------------------------------
    "q_runs": {"id": "Riwayat ETL", "en": "ETL runs"},
    "q_rejects": {"id": "Baris yang ditolak", "en": "Rejected rows"},
    "q_freshness": {"id": "Kesegaran tiap tabel", "en": "Freshness of each table"},
    "q_no_runs": {"id": "Belum ada riwayat ETL di gudang data ini.", "en": "No ETL runs recorded in this warehouse."},
    "q_no_rejects": {"id": "Tidak ada baris yang ditolak.", "en": "No rejected rows."},
    "q_rejects_title": {"id": "{n} baris ditolak; alasan terbanyak: {reason}",
                        "en": "{n} rows rejected; most common reason: {reason}"},
    "q_fresh_title": {"id": "Data terbaru per {date}; tertua: {table} ({old})",
                      "en": "Newest data as of {date}; oldest: {table} ({old})"},
    "q_days_old": {"id": "Umur data (hari sebelum data terbaru)", "en": "Age of data (days before the newest)"},
    "q_last_run": {"id": "Run terakhir {run} ({status}), selesai {date}.",
                   "en": "Last run {run} ({status}), finished {date}."},
    "q_version": {"id": "Versi gudang data: `{version}`", "en": "Warehouse version: `{version}`"},
}

_LABEL_PREFIX = {"body": "body_", "type": "type_", "outcome": "outcome_", "level": "level_",
                 "levels": "levels_", "preset": "preset_", "election": "election_", "issue": "issue_",
                 "col": "col_", "page": "page_"}


def t(key: str, lang: str = DEFAULT_LANG, **values: Any) -> str:
    """The text of `key` in `lang` (falling back to Indonesian, then the key), placeholders filled."""
    entry = TEXT.get(key)
    text = key if entry is None else entry.get(lang) or entry[DEFAULT_LANG]
    if values:
        with contextlib.suppress(KeyError, IndexError, ValueError):
            text = text.format(**values)
    return text


def label(kind: str, value: Any, lang: str = DEFAULT_LANG) -> str:
    """The name of a vocabulary value: label('body', 'pkd') -> 'PKD'; unknown values come back as given."""
    key = _LABEL_PREFIX.get(kind, kind + "_") + str(value)
    if key in TEXT:
        return t(key, lang)
    return str(value).replace("_", " ")


def has(key: str) -> bool:
    """True when the table holds `key`."""
    return key in TEXT
