"""Shared by the benchmarks: wait for a quiet machine, describe it, start a Ray cluster of their own,
read the bundled corpora as plain text.

Benchmarks share this 2-core machine with other people's jobs; a number taken while the load
average is far above the core count measures the neighbours, not the code. `wait_for_quiet`
blocks until the 1-minute load average has stayed under a threshold for a full minute.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO / "mediphi" / "data" / "corpora"


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def wait_for_quiet(threshold: float = 3.0, hold_s: float = 60.0, poll_s: float = 15.0,
                   max_wait_s: float = 90 * 60) -> bool:
    """Block until the 1-minute load average stays below `threshold` for `hold_s`.

    Returns False (after printing why) if that never happens within `max_wait_s`: the caller
    decides whether to measure anyway and label the numbers as taken under load.
    """
    start = time.time()
    quiet_since: float | None = None
    while True:
        one = os.getloadavg()[0]
        now = time.time()
        if one < threshold:
            quiet_since = quiet_since or now
            # hold_s of consecutive quiet polls: one low sample between two jobs is not quiet.
            if now - quiet_since >= hold_s:
                print(f"[quiet] {loadavg()} below {threshold} for {hold_s:.0f}s after {now - start:.0f}s waiting",
                      flush=True)
                return True
        else:
            quiet_since = None
        if now - start > max_wait_s:
            print(f"[quiet] gave up after {max_wait_s / 60:.0f} min: {loadavg()}", flush=True)
            return False
        print(f"[quiet] waiting: 1-min load {one:.2f} (need < {threshold} for {hold_s:.0f}s)", flush=True)
        time.sleep(poll_s)


def _cpu_of(pid: int) -> float:
    """utime + stime + cutime + cstime of one process, in seconds (reaped children included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def descendants(root: int) -> list[int]:
    """PIDs of every live descendant of `root`, from /proc (parent links)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def tree_cpu(root: int) -> float:
    """CPU seconds of `root` and every live descendant (a reaped one counts in its parent's cutime)."""
    total = 0.0
    for pid in [root, *descendants(root)]:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += _cpu_of(pid)
    return total


def busy_cpu() -> float:
    """Busy CPU seconds of the whole machine since boot (steal counted: a neighbour VM took it)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Contention:
    """The share of the machine's CPU that processes outside ours used during a measurement.

    The load average says the machine is quiet before a run starts; this says whether it stayed
    quiet while the run ran: (machine busy - our process tree) / (wall * cores). A level that
    others took more than `MAX_OTHERS` of is measured again.
    """

    MAX_OTHERS = 0.10

    def __init__(self, root: int | None = None):
        self.root = root or os.getpid()

    def __enter__(self):
        self.t0, self.busy0, self.mine0 = time.time(), busy_cpu(), tree_cpu(self.root)
        return self

    def __exit__(self, *exc):
        wall = time.time() - self.t0
        busy, mine = busy_cpu() - self.busy0, tree_cpu(self.root) - self.mine0
        self.mine = mine / (wall * (os.cpu_count() or 1))
        self.others = max(0.0, busy - mine) / (wall * (os.cpu_count() or 1))
        return False

    @property
    def clean(self) -> bool:
        return self.others <= self.MAX_OTHERS


def corpus_texts() -> Iterator[str]:
    """Every bundled corpus file as text: JSONL rows' string fields, XML without its tags."""
    for path in sorted(CORPORA.rglob("*")):
        if not path.is_file() or path.name == "README.md":
            continue
        raw = path.read_text(errors="replace")
        if path.suffix == ".jsonl":
            for line in raw.splitlines():
                if line.strip():
                    row = json.loads(line)
                    yield "\n".join(_strings(row))
        elif path.suffix == ".xml":
            yield re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw))
        else:
            yield raw


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def header(title: str) -> None:
    print(f"# {title}\n# {machine()}\n# python {sys.version.split()[0]}, {loadavg()}", flush=True)


@contextlib.contextmanager
def embedded_cluster(num_cpus: int) -> Iterator[str]:
    """A Ray cluster of this process's own, with mediphi's embedded-cluster settings as ensure_ray
    starts it; yields its temp dir, and shuts it down and removes the dir on exit.

    "local": never attach to another Ray on this machine. Its own short temp dir under /tmp (Ray's
    socket paths have a length limit), and no worker output on the benchmark's stdout.
    """
    import ray

    from mediphi.context import configure_ray_data

    temp = tempfile.mkdtemp(prefix="mphi-bench-ray-", dir="/tmp")
    configure_ray_data()
    ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, _temp_dir=temp, log_to_driver=False)
    try:
        yield temp
    finally:
        ray.shutdown()
        shutil.rmtree(temp, ignore_errors=True)
