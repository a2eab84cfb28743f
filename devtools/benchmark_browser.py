"""The browser figure: the matrix page in Chromium against a bare table of the same cells.

`measure` loads the matrix page and the bare table (devtools/views.py `bare_matrix`: a header
row of framework names, then per feature its name and one `<td>` of text per cell, built by
the same selector, so it shows exactly the cells the page's part shows) in turns, round after
round, in one headless Chromium (`/usr/bin/chromium`, driven by Playwright), and compares:

- load: from the response's first byte to the end of the load event (the navigation timing
  entry), so the server's time, which the cold and warm figures measure, is left out; the
  first round warms the server's cache and the browser's, and is not counted. Beside it the
  renderer's main-thread CPU time over the same navigation (`load_cpu_ratio`): on a machine
  shared with other work the wall-clock figure swings by 2× from one run to the next, the CPU
  time much less;
- DOM: `document.getElementsByTagName('*').length` once loaded;
- toggle: hiding, then showing again, the first category's rows as a reader does (its
  checkbox), timed from the click to the next frame after it (style, layout and paint), and
  the renderer's main-thread time per click (`toggle_task_ms`), steadier on a shared machine;
  the same for hiding and showing the same rows of the bare table by their `hidden` attribute
  (`bare_toggle_ms`, `bare_toggle_task_ms`: its rows come in the page's order, the first
  category's first), which says what the machine's layout of those cells costs whatever the
  page's markup.

Goals (issue 16): load at most 2×, DOM at most 3×, toggling under 50 ms.
"""

import statistics
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# The bare table of the cells /matrix/ shows (with the same query string); devtools/urls.py.
BARE_MATRIX_PATH = "/__benchmark__/bare-matrix/"
LOAD_GOAL, DOM_GOAL, TOGGLE_GOAL_MS = 2, 3, 50

_LOAD_MS = """() => {
  const [entry] = performance.getEntriesByType("navigation");
  return entry.loadEventEnd - entry.responseStart;
}"""
_DOM = "() => document.getElementsByTagName('*').length"
TOGGLE_CLICKS = 6
# A toggle's time to the next frame: requestAnimationFrame runs before that frame's style and
# layout, the task queued from it after the frame is drawn. Hidden and shown again
# TOGGLE_CLICKS / 2 times: the slower direction's median, and how many rows were toggled.
# On the page (`count` null) a click on its first category's toggle; on the bare table as
# many rows, after its header row, flipped by the `hidden` attribute, timed alike.
_TOGGLE_MS = """async (count) => {
  let flip, rows;
  if (count === null) {
    const box = document.querySelector(".matrix__toggle");
    if (!box) return null;
    rows = box.closest("tbody").querySelectorAll(".matrix__row").length;
    flip = () => box.click();
  } else {
    const bare = [...document.querySelectorAll("tr")].slice(1, 1 + count);
    rows = count;
    flip = () => { for (const row of bare) row.hidden = !row.hidden; };
  }
  const frame = () => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
  const median = (list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
  await frame();
  const times = [[], []];
  for (let turn = 0; turn < CLICKS; turn++) {
    const started = performance.now();
    flip();
    await frame();
    times[turn % 2].push(performance.now() - started);
  }
  return {ms: Math.max(median(times[0]), median(times[1])), rows};
}""".replace("CLICKS", str(TOGGLE_CLICKS))


def _metric(devtools, name: str) -> float:
    """One of the renderer's performance metrics (CDP Performance.getMetrics), in seconds."""
    metrics = devtools.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == name)


class BrowserMissing(Exception):
    """Chromium or Playwright is not installed: the figure cannot be taken."""


def skip_reason() -> str | None:
    """Why the browser figure cannot be measured here, or None when it can."""
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed"
    return None


def measure(
    base_url: str,
    matrix_path: str = "/matrix/",
    bare_path: str = BARE_MATRIX_PATH,
    rounds: int = 5,
) -> dict:
    """The medians over `rounds` (after a warm-up round) of both pages' load times (wall clock
    and main-thread CPU), their DOM sizes, the ratios, and the slower of hiding or showing a
    category (and as many of the bare table's rows) with the main-thread time per click, in
    milliseconds.

    Raises BrowserMissing (with the reason) when Chromium or Playwright is missing.
    """
    if reason := skip_reason():
        raise BrowserMissing(reason)
    from playwright.sync_api import sync_playwright

    base = base_url.rstrip("/")
    loads: dict[str, list[float]] = {"matrix": [], "bare": []}
    cpu: dict[str, list[float]] = {"matrix": [], "bare": []}
    doms: dict[str, int] = {}
    toggles: dict[str, list[float]] = {"matrix": [], "bare": []}
    toggle_tasks: dict[str, list[float]] = {"matrix": [], "bare": []}
    category_rows = 0
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM))
        try:
            # One context, so the static files are cached as a returning reader's are; a new
            # tab per load, whose renderer's main-thread CPU time is then that load's.
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            for turn in range(rounds + 1):
                for name, path in (("matrix", matrix_path), ("bare", bare_path)):
                    page = context.new_page()
                    devtools = context.new_cdp_session(page)
                    devtools.send("Performance.enable")
                    response = page.goto(base + path, wait_until="load")
                    thread_ms = _metric(devtools, "ThreadTime") * 1000
                    if response is None or response.status != 200:
                        status = response.status if response else "no response"
                        raise RuntimeError(f"{path} answered {status}")
                    doms[name] = page.evaluate(_DOM)
                    if turn:
                        loads[name].append(page.evaluate(_LOAD_MS))
                        cpu[name].append(thread_ms)
                        tasks_before = _metric(devtools, "TaskDuration")
                        if name == "matrix":
                            toggled = page.evaluate(_TOGGLE_MS, None)
                            category_rows = toggled["rows"] if toggled else 0
                        else:
                            toggled = page.evaluate(_TOGGLE_MS, category_rows)
                        task_ms = (_metric(devtools, "TaskDuration") - tasks_before) * 1000
                        if toggled is not None and toggled["rows"]:
                            toggles[name].append(toggled["ms"])
                            toggle_tasks[name].append(task_ms / TOGGLE_CLICKS)
                    page.close()
        finally:
            browser.close()
    matrix_ms, bare_ms = (statistics.median(loads[name]) for name in ("matrix", "bare"))
    matrix_cpu, bare_cpu = (statistics.median(cpu[name]) for name in ("matrix", "bare"))
    toggle, bare_toggle, toggle_task, bare_toggle_task = (
        round(statistics.median(times[name]), 1) if times[name] else None
        for times in (toggles, toggle_tasks)
        for name in ("matrix", "bare")
    )
    return {
        "matrix_load_ms": round(matrix_ms, 1),
        "bare_load_ms": round(bare_ms, 1),
        "load_ratio": round(matrix_ms / bare_ms, 2),
        "matrix_load_cpu_ms": round(matrix_cpu, 1),
        "bare_load_cpu_ms": round(bare_cpu, 1),
        "load_cpu_ratio": round(matrix_cpu / bare_cpu, 2),
        "matrix_dom": doms["matrix"],
        "bare_dom": doms["bare"],
        "dom_ratio": round(doms["matrix"] / doms["bare"], 2),
        "toggle_ms": toggle,
        "bare_toggle_ms": bare_toggle,
        "toggle_task_ms": toggle_task,
        "bare_toggle_task_ms": bare_toggle_task,
        "toggled_rows": category_rows,
        "rounds": rounds,
    }


if __name__ == "__main__":  # python -m devtools.benchmark_browser http://127.0.0.1:8000
    import json
    import sys

    print(json.dumps(measure(sys.argv[1]), indent=2))
