"""Big inputs stream: a source is read, checked and written chunk by chunk, never held whole.

The real measurement (5 million rows, peak RSS against the DataFrame size) is tools/bench_stream.py;
here a 2,500-row file read in chunks of 1,000 shows the mechanism: three chunks, each written to its own
Parquet part before the next is read, merged once at the end, duplicates caught across chunks.
"""

from __future__ import annotations

from test_build import TODAY, activities, activity_rows, write_csv

from etl.build import build


def test_a_source_is_loaded_chunk_by_chunk_through_parts_on_disk(tmp_path):
    lines = activity_rows(1, 2500)
    lines[2100] = lines[5].replace("Sosialisasi 6", "Sosialisasi lagi")  # B6 again, in the third chunk
    write_csv(tmp_path / "src" / "kegiatan_besar.csv", lines)
    wh = tmp_path / "wh"
    events: list[tuple[str, int]] = []

    def progress(event: str, info: dict) -> None:
        if event == "rows":
            staged = next(wh.glob(".staging-*"))
            events.append((event, info["rows"]))
            parts = sorted(p.name for p in (staged / "_parts" / "activities").rglob("*.parquet"))
            assert len(parts) == len(events)  # this chunk is on disk before the next one is read
        elif event == "finalize":
            events.append((event, 0))

    summary = build(tmp_path / "src", wh, today=TODAY, chunk_rows=1000, progress=progress)

    assert events == [("rows", 1000), ("rows", 1000), ("rows", 500), ("finalize", 0)]
    assert summary.tables["activities"] == {"read": 2500, "loaded": 2499, "rejected": 1, "rows": 2499}
    got = activities(wh)
    assert len(got) == 2499 and got["activity_id"].is_unique
    assert got.set_index("activity_id").loc["B6", "title"] == "Sosialisasi 6"  # the first one stays
    assert not (wh / "current" / "_parts").exists()
