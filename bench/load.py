"""N concurrent dashboard sessions for a bounded time: each signs in with a provinsi account and changes filters
on several pages; prints per-rerun latency (median, p95, max), errors and the servers' memory over time, each target
met or not.

    python bench/load.py --warehouse data/warehouse --sessions 50 --duration 300 --servers 1 --think 2-6

Two clients. `--client ws` (the default) speaks Streamlit's own websocket protocol from Python (protobuf BackMsg /
ForwardMsg on /_stcore/stream, as streamlit's frontend does): a session costs the machine a few MiB and little CPU,
so the latencies are the server's. Each session signs in through our form (its widget ids read from the received
elements), then walks Ringkasan, Cakupan, Kegiatan, Pleno and Rasio: on each page it picks a kab/kota of its
province in the sidebar, goes back to the whole province and picks a period, with a think time (uniform, `--think`)
between actions. A rerun is timed from the BackMsg to the script_finished ForwardMsg; an error is an exception or
error box, a disconnect, or a rerun over 30 s. `--client browser` drives N contexts of one headless Chromium
(Playwright) instead, clicking the language toggle and the page links: the browsers share the cores with the server,
so its latencies are an upper bound. `--servers K` starts K server processes over the same warehouse (what the
README's "several processes behind the proxy" does) and spreads the sessions round-robin. Loopback only: the
servers listen on 127.0.0.1 with a scratch accounts file and audit log.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import tree_rss_bytes  # noqa: E402
from bench.server import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402
from pantau import accounts  # noqa: E402

PASSWORD = "beban-uji-panjang-1"
#: (url path, title in Indonesian, title in English): the pages each session walks.
PAGES = [("", "Ringkasan", "Summary"), ("cakupan", "Cakupan wilayah", "Regional coverage"),
         ("kegiatan", "Kegiatan", "Activities"), ("pleno", "Evaluasi pleno", "Pleno evaluation")]
TARGET_P95_S, TARGET_ERRORS = 1.0, 0
#: The pages the ws client walks (url paths; "" is Ringkasan) and the sidebar labels it changes (ui/state.py).
WS_PAGES = ["", "cakupan", "kegiatan", "pleno", "rasio"]
KAB_LABEL, PERIOD_LABEL = "Kabupaten/kota", "Periode"


def start_servers(warehouse: Path, scratch: Path, province: str, k: int = 1) -> list[tuple[subprocess.Popen, str]]:
    """K `streamlit run dashboard.py` processes on 127.0.0.1 over one warehouse, with one provinsi account 'beban'
    (scope `province`) in a scratch accounts file they share."""
    users = scratch / "users.json"
    accounts.add("beban", "provinsi", province, PASSWORD, path=users)
    env = {**os.environ, "PANTAU_WAREHOUSE": str(warehouse), "PANTAU_USERS": str(users),
           "PANTAU_AUDIT": str(scratch / "audit.jsonl")}
    servers = []
    for i in range(k):
        port, log_path = free_port(), scratch / f"streamlit-{i}.log"
        log = open(log_path, "wb")  # noqa: SIM115 (open for the server's life)
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.address",
                                 "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
                                 "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        servers.append((proc, f"http://127.0.0.1:{port}"))
    for proc, url in servers:
        _wait_up(proc, url, scratch)
    return servers


def _wait_up(proc: subprocess.Popen, url: str, scratch: Path) -> None:
    for _ in range(400):
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1):
                return
        except OSError:
            time.sleep(0.25)
    proc.kill()
    logs = "".join(p.read_text(errors="replace")[-1000:] for p in scratch.glob("streamlit-*.log"))
    raise RuntimeError("the server did not start: " + logs)


def stop_servers(servers: list[tuple[subprocess.Popen, str]]) -> None:
    for proc, _ in servers:
        proc.terminate()
    for proc, _ in servers:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


async def _title(page, text: str, timeout_s: float) -> None:  # noqa: ANN001
    await page.get_by_role("heading", name=text, exact=True).first.wait_for(timeout=timeout_s * 1000)


async def browser_session(browser, url: str, province: str, stop_at: float, out: dict) -> None:  # noqa: ANN001
    """One user: sign in, then until `stop_at` walk the pages, toggling the language on each (two reruns)."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    try:
        await page.goto(f"{url}/?wilayah={province}", wait_until="domcontentloaded", timeout=120_000)
        await page.get_by_label("Nama akun").fill("beban", timeout=120_000)
        await page.get_by_label("Kata sandi").fill(PASSWORD)
        await page.get_by_role("button", name="Masuk").click()
        await _title(page, "Ringkasan", 120)
        i = 0
        while time.monotonic() < stop_at:
            path, title_id, title_en = PAGES[i % len(PAGES)]
            i += 1
            steps = ((page.get_by_role("link", name=title_id, exact=True), title_id),
                     (page.get_by_text("English", exact=True), title_en),
                     (page.get_by_text("Bahasa Indonesia", exact=True), title_id))
            for target, want in steps:
                t0 = time.perf_counter()
                try:
                    await target.first.click(timeout=30_000)
                    await _title(page, want, 30)
                    out["lat"].append(time.perf_counter() - t0)
                except Exception as exc:  # a timeout or a vanished element: counted, the session goes on
                    out["errors"].append(f"{type(exc).__name__}: {str(exc)[:120]}")
                    await page.goto(f"{url}/{path}?wilayah={province}", wait_until="domcontentloaded")
            if await page.locator('[data-testid="stException"]').count():
                out["errors"].append("exception box shown")
    except Exception as exc:  # sign-in failed: the whole session is an error
        out["errors"].append(f"session: {type(exc).__name__}: {str(exc)[:120]}")
    finally:
        await ctx.close()


async def sample_rss(pids: list[int], stop_at: float, every: float, out: list[tuple[float, float]]) -> None:
    """Every `every` seconds until `stop_at`: the servers' RSS (each process and its children), summed, in MiB."""
    t0 = time.monotonic()
    while time.monotonic() < stop_at + 2:
        out.append((time.monotonic() - t0, sum(sum(tree_rss_bytes(p).values()) for p in pids) / 2**20))
        await asyncio.sleep(every)


# --- the light client: Streamlit's own websocket protocol ------------------------------------------------------------
# As streamlit's frontend does (its WebsocketConnection and App): open ws://host/_stcore/stream with the subprotocol
# "streamlit", send a BackMsg rerun_script (ClientState: query_string, page_script_hash, widget_states) and read
# ForwardMsgs (new_session, delta elements, page_info_changed, navigation) until script_finished; a run that ends
# early for an st.rerun() is followed by the next one, so a rerun ends at the first other script_finished status.

RERUN_TIMEOUT_S = 30.0


class RerunError(Exception):
    """A rerun that failed: an exception box, an error alert, a disconnect or a run over RERUN_TIMEOUT_S."""


class WsSession:
    """One dashboard tab spoken to over the websocket: its URL query, its widget values, the last run's elements."""

    def __init__(self, url: str, query: str) -> None:
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.origin, self.query = url, query
        self.page_hash = ""
        self.pages: dict[str, str] = {}  # url path ("" for the default page) -> page_script_hash
        self.widgets: dict[str, object] = {}  # widget id -> WidgetState, sent with every rerun as the frontend does
        self.elements: list = []  # (type, proto) of the last run's elements
        self.ws = None

    async def open(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(self.ws_url, subprotocols=["streamlit"], origin=self.origin, max_size=None,
                                open_timeout=RERUN_TIMEOUT_S)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def find(self, kind: str, label: str):  # noqa: ANN201 (a protobuf element or None)
        """The last run's element of type `kind` (text_input, selectbox, button...) whose label is `label`."""
        return next((p for k, p in self.elements if k == kind and p.label == label), None)

    async def rerun(self, widgets: dict | None = None, page: str | None = None) -> float:
        """Send one rerun (these widget values, this page) and wait for its end; its latency in seconds."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        self.widgets.update(widgets or {})
        if page is not None:
            self.page_hash = self.pages.get(page, "")
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string, cs.page_script_hash = self.query, self.page_hash
        cs.widget_states.widgets.extend(self.widgets.values())
        self.widgets = {k: w for k, w in self.widgets.items() if not w.HasField("trigger_value")}  # one-shot
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._until_finished(), RERUN_TIMEOUT_S)
        except TimeoutError as exc:
            raise RerunError(f"rerun over {RERUN_TIMEOUT_S:.0f} s") from exc
        latency = time.perf_counter() - t0
        bad = [p for k, p in self.elements if k == "exception" or (k == "alert" and p.format == 1)]
        if bad:
            raise RerunError(f"{'exception' if hasattr(bad[0], 'stack_trace') else 'error box'}: "
                             f"{getattr(bad[0], 'message', '') or getattr(bad[0], 'body', '')}"[:160])
        return latency

    async def _until_finished(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from websockets.exceptions import ConnectionClosed

        while True:
            try:
                raw = await self.ws.recv()
            except ConnectionClosed as exc:
                raise RerunError(f"disconnected: {exc}") from exc
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                self.elements = []
                self.page_hash = fm.new_session.page_script_hash or self.page_hash
            elif kind == "navigation":
                self.pages = {("" if p.is_default else p.url_pathname): p.page_script_hash
                              for p in fm.navigation.app_pages}
                self.page_hash = fm.navigation.page_script_hash or self.page_hash
            elif kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                which = el.WhichOneof("type")
                self.elements.append((which, getattr(el, which)))
            elif kind == "script_finished" and fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return

    async def sign_in(self, name: str, password: str) -> float:
        """Fill our sign-in form (ui/auth.py) and submit it; raises RerunError unless the sidebar filters show."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        user, pw = self.find("text_input", "Nama akun"), self.find("text_input", "Kata sandi")
        submit = next((p for k, p in self.elements if k == "button" and p.is_form_submitter), None)
        if not (user and pw and submit):
            raise RerunError("sign-in form not found")
        states = {user.id: WidgetState(id=user.id, string_value=name),
                  pw.id: WidgetState(id=pw.id, string_value=password),
                  submit.id: WidgetState(id=submit.id, trigger_value=True)}
        try:
            latency = await self.rerun(states)
        except RerunError as exc:
            raise RerunError(f"sign-in refused: {exc}") from exc
        for wid in (user.id, pw.id):
            self.widgets.pop(wid, None)
        if self.find("text_input", "Kata sandi") or not self.find("selectbox", KAB_LABEL):
            raise RerunError("sign-in refused: the form is still shown")
        return latency

    async def choose(self, label: str, option: str) -> float:
        """Pick `option` (as shown) in the selectbox labelled `label`: one rerun."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        box = self.find("selectbox", label)
        if box is None:
            raise RerunError(f"no selectbox {label!r} on the page")
        return await self.rerun({box.id: WidgetState(id=box.id, string_value=option)})

    def options(self, label: str) -> list[str]:
        box = self.find("selectbox", label)
        return list(box.options) if box is not None else []


async def ws_session(url: str, province: str, stop_at: float, think: tuple[float, float], out: dict,
                     seed: int) -> None:
    """One user over the websocket: sign in, then until `stop_at` walk WS_PAGES; on each pick a kab/kota, go back to
    the province, pick a period, thinking between actions. A failed rerun is counted and the session reconnects."""
    rnd = random.Random(seed)
    await asyncio.sleep(rnd.uniform(0, think[1]))  # people do not all arrive in the same second
    i = 0
    while time.monotonic() < stop_at:
        s = WsSession(url, f"wilayah={province}")
        try:
            await s.open()
            await s.rerun()
            out["lat"].append(await s.sign_in("beban", PASSWORD))
            while time.monotonic() < stop_at:
                for action in _actions(s, WS_PAGES[i % len(WS_PAGES)], rnd):
                    await asyncio.sleep(rnd.uniform(*think))
                    if time.monotonic() >= stop_at:
                        break
                    lat = await action()
                    out["lat"].append(lat)
                    out.setdefault("by_page", {}).setdefault(WS_PAGES[i % len(WS_PAGES)] or "ringkasan", []).append(lat)
                i += 1
        except (RerunError, OSError) as exc:
            out["errors"].append(f"{type(exc).__name__}: {str(exc)[:160]}")
            if "sign-in" in str(exc):
                out["signin_failed"] += 1
                return
        finally:
            await s.close()


def _actions(s: WsSession, page: str, rnd: random.Random) -> list:
    """A visit of `page`: open it, a kab/kota, back to the whole province, a period (each a coroutine factory)."""
    def kab() -> object:
        opts = s.options(KAB_LABEL)
        return s.choose(KAB_LABEL, rnd.choice(opts[1:]) if len(opts) > 1 else opts[0])

    def period() -> object:
        return s.choose(PERIOD_LABEL, rnd.choice(s.options(PERIOD_LABEL)[:6]))

    return [lambda: s.rerun(page=page), kab, lambda: s.choose(KAB_LABEL, s.options(KAB_LABEL)[0]), period]


async def run(urls: list[str], pids: list[int], n: int, duration: float, province: str, client: str = "ws",
              think: tuple[float, float] = (2.0, 6.0)) -> dict:
    """N sessions spread round-robin over the servers at `urls` for `duration` seconds; the figures collected."""
    out: dict = {"lat": [], "errors": [], "rss": [], "signin_failed": 0}
    stop_at = time.monotonic() + duration
    rss = asyncio.create_task(sample_rss(pids, stop_at, 10, out["rss"]))
    if client == "ws":
        await asyncio.gather(*(ws_session(urls[i % len(urls)], province, stop_at, think, out, i) for i in range(n)))
    else:
        from playwright.async_api import async_playwright

        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            await asyncio.gather(*(browser_session(browser, urls[i % len(urls)], province, stop_at, out)
                                   for i in range(n)))
            await browser.close()
    await rss
    return out


def report(out: dict, n: int, duration: float) -> str:
    """The figures and whether each target is met."""
    lat = sorted(out["lat"])
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else float("nan")
    lines = [f"sessions {n}, {duration:.0f} s, {len(lat)} reruns timed",
             f"rerun latency: median {statistics.median(lat) if lat else float('nan'):.2f} s, p95 {p95:.2f} s, "
             f"max {lat[-1] if lat else float('nan'):.2f} s",
             f"errors: {len(out['errors'])}" + (f" (first: {out['errors'][0]})" if out["errors"] else "")]
    for page, values in sorted(out.get("by_page", {}).items()):
        v = sorted(values)
        lines.append(f"  {page}: {len(v)} reruns, median {statistics.median(v):.2f} s, "
                     f"p95 {v[min(len(v) - 1, int(0.95 * len(v)))]:.2f} s")
    if lat:
        lines.append(f"throughput: {len(lat) / duration:.1f} reruns/s served")
    if out.get("signin_failed"):
        lines.append(f"sessions that could not sign in: {out['signin_failed']}")
    rss = out["rss"]
    lines.append("server RSS (MiB) over time: " + ", ".join(f"{t:.0f}s {m:.0f}" for t, m in rss))
    third = max(1, len(rss) // 3)
    growing = bool(rss) and max(m for _, m in rss[-third:]) > 1.05 * max(m for _, m in rss[third:2 * third] or rss)
    lines += [f"target p95 <= {TARGET_P95_S:.0f} s: {'met' if p95 <= TARGET_P95_S else 'NOT met'}",
              f"target errors == 0: {'met' if len(out['errors']) == TARGET_ERRORS else 'NOT met'}",
              f"target memory stops growing (last third within 5% of the middle third): "
              f"{'NOT met' if growing else 'met'}"]
    return "\n".join(lines)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (/proc/PID/stat; 0 where it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _think(text: str) -> tuple[float, float]:
    lo, _, hi = text.partition("-")
    return float(lo), float(hi or lo)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warehouse", type=Path, required=True)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--duration", type=float, default=300, help="seconds of load after the sessions start")
    ap.add_argument("--province", default="18")
    ap.add_argument("--client", choices=("ws", "browser"), default="ws")
    ap.add_argument("--servers", type=int, default=1, help="server processes over the warehouse (round-robin)")
    ap.add_argument("--think", type=_think, default=(2.0, 6.0), help="think time between actions, LO-HI seconds")
    args = ap.parse_args(argv)
    setup = (f"client {args.client}, servers {args.servers}, think {args.think[0]:g}-{args.think[1]:g} s, "
             f"province {args.province}, {os.cpu_count()} cores, load average before "
             f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(setup, flush=True)
    with tempfile.TemporaryDirectory(prefix="pantau-load-") as scratch:
        servers = start_servers(args.warehouse, Path(scratch), args.province, args.servers)
        pids = [p.pid for p, _ in servers]
        before, client0, wall0 = sum(map(cpu_seconds, pids)), time.process_time(), time.monotonic()
        try:
            out = asyncio.run(run([u for _, u in servers], pids, args.sessions, args.duration, args.province,
                                  args.client, args.think))
            server_cpu = sum(map(cpu_seconds, pids)) - before
        finally:
            stop_servers(servers)
    print(report(out, args.sessions, args.duration))
    wall, client = time.monotonic() - wall0, time.process_time() - client0
    per_rerun = server_cpu / max(len(out["lat"]), 1) * 1000
    print(f"CPU over the {wall:.0f} s run: servers {server_cpu:.0f} s ({per_rerun:.0f} ms a rerun), this client "
          f"{client:.0f} s; {os.cpu_count()} cores offer {wall * (os.cpu_count() or 1):.0f} s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if out["lat"] and not out.get("signin_failed") else 1


if __name__ == "__main__":
    sys.exit(main())
