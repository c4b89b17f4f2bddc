"""Issue 14: a province deck of every page with a deck (PPTX + PDF) and the time per chart image, cold and warm."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DECK_SCOPE, DECK_PERIOD = "18", "2024-Q3"


def bench_slides(warehouse: Path, *, repeats: int = 2, echo: Callable[[dict[str, Any]], None] = print) -> dict:
    """Deck seconds (the first includes the browser start) and warm seconds per image, in this process."""
    from pantau.filters import Scope
    from pantau.warehouse import open_warehouse
    from ui import slides
    from ui.report_cli import parse_period
    from ui.specs import PAGES, page_deck
    from ui.state import Filters, data_today
    from ui.widgets import Ctx

    wh = open_warehouse(warehouse)
    names = dict(zip(wh.regions["code"], wh.regions["name"], strict=True))
    today = data_today(wh)
    ctx = Ctx(wh, Filters(Scope.parse(DECK_SCOPE), parse_period(DECK_PERIOD, today), "kustom", "pemilu_2024", "id",
                          today), names)
    decks: list[float] = []
    n_slides = 0
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        n_slides = page_deck(ctx, list(PAGES), want_pdf=True).slides
        decks.append(time.perf_counter() - t0)
        echo({"deck_s": round(decks[-1], 3), "slides": n_slides})
    charts_ = [c for p in PAGES.values() for c in p.build(ctx, lambda fn: fn)]
    images = []
    for chart in charts_:
        t0 = time.perf_counter()
        slides.image(chart.fig, sample=wh.is_sample)
        images.append(time.perf_counter() - t0)
    out = {"scope": DECK_SCOPE, "period": DECK_PERIOD, "pages": list(PAGES), "slides": n_slides,
           "deck_cold_s": decks[0], "deck_warm_s": min(decks), "image_warm_s": {"median": statistics.median(images),
                                                                                "max": max(images), "n": len(images)},
           "browser_starts": slides.browser_starts(), "at": dt.datetime.now().isoformat(timespec="seconds")}
    echo(out)
    return out
