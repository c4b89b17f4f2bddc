"""`python -m etl build --keep-going`: a source that cannot be read is set aside and listed, not a stop.

Without the flag one unreadable source stops the run and nothing is published (the right default for one file or
a handful: fix it and run again). With it, the others build and publish, and each refused source:
- keeps its rows of the previous version (carried like a source left out of the run, even with --prune), under the
  previous version's hash, so the next run reads the file again (and refuses it again until it is fixed);
- is listed in the run summary, in etl_runs (status "partial", the message, and its entry in `inputs` with
  "refused") and on the Kualitas data page.
A refused source the previous version did not have leaves nothing behind in the manifest.
"""

from __future__ import annotations

from etl.staging import SourceStats

#: etl_runs.status of a run that published with sources refused.
PARTIAL = "partial"
#: Refused sources named in etl_runs.message (all of them are in its `inputs`).
NAMED = 5


def set_aside(sources: list[SourceStats], discovered: list[dict],
              prev_sources: dict[str, dict]) -> tuple[list[SourceStats], list[tuple[SourceStats, dict]]]:
    """The refused sources of a run (read and refused, or refused by `discover`), and of them those whose rows the
    previous version holds, each with its previous manifest entry (to carry). `sources` loses the refused ones
    the previous version did not have."""
    read = [s for s in sources if s.refused]
    found = [SourceStats(name=item["source"], table=(prev_sources.get(item["source"]) or {}).get("table", ""),
                         order=len(sources) + i, refused=item["message"]) for i, item in enumerate(discovered)]
    refused = read + found
    to_carry = [(s, prev_sources[s.name]) for s in refused if s.name in prev_sources]
    sources[:] = [s for s in sources if not s.refused or s.name in prev_sources]
    sources.extend(s for s in found if s.name in prev_sources)
    return refused, to_carry


def message(refused: list[SourceStats]) -> str:
    """etl_runs.message of a run that published with sources refused ('' when none was)."""
    if not refused:
        return ""
    named = "; ".join(s.refused for s in refused[:NAMED]) + (f"; … dan {len(refused) - NAMED} lainnya"
                                                            if len(refused) > NAMED else "")
    return (f"{len(refused)} sumber tidak dapat dibaca dan dilewati (--keep-going); baris yang dimuat sebelumnya "
            f"dari sumber itu dipertahankan ({len(refused)} sources refused; rows they loaded before are kept): "
            f"{named}")
