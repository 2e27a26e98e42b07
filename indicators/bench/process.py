"""Run one measured step in a fresh process: its wall time, its own peak memory, and a fence.

Each step runs under launcher.py, which forks it and reports the step's own maximum resident
set (a child forked straight from this process would count this process's memory too, and
RUSAGE_CHILDREN would give the largest of every child so far). A step that runs past its
timeout is killed with its whole process group; an optional cap on the step's address space
(RLIMIT_AS) makes an allocation fail instead of the machine running out of memory.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = Path(__file__).with_name("launcher.py")
POLL_S = 0.02
REASON_CHARS = 300


@dataclass(frozen=True)
class ChildRun:
    """How one step ran: whether it succeeded, its wall time, its peak memory, why it failed."""

    ok: bool
    wall_s: float
    peak_mib: float | None
    failure: str | None = None
    # the machine's 1-minute load average as the step ended: other work competing for the cores
    load_avg: float | None = None


def last_line(log: Path) -> str:
    """Return the last non-empty line of a log file (at most REASON_CHARS), or ''."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:REASON_CHARS] if lines else ""


def run_child(
    args: Sequence[str],
    log: Path,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 3600.0,
    memory_cap_mib: float | None = None,
) -> ChildRun:
    """Run args in a new process (output to log) and return how it ran; never raises for it."""
    cap = int(memory_cap_mib * 2**20) if memory_cap_mib else 0
    log.parent.mkdir(parents=True, exist_ok=True)
    usage_file = log.with_name(log.name + ".usage.json")
    usage_file.unlink(missing_ok=True)
    # -I -S: the launcher needs nothing but the standard library, and stays small
    launch = [sys.executable, "-I", "-S", str(LAUNCHER), str(cap), str(usage_file), *args]
    timed_out = False
    with log.open("wb") as sink:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                launch,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                start_new_session=True,  # a timeout kills the step's whole process group
            )
        except OSError as exc:
            return ChildRun(False, 0.0, 0.0, f"could not start: {exc}")
        try:
            while proc.poll() is None:
                if time.perf_counter() - start > timeout_s:
                    timed_out = True
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    break
                time.sleep(POLL_S)
        except BaseException:  # interrupted: take the step down with the bench
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        wall = time.perf_counter() - start
    busy = os.getloadavg()[0]
    if timed_out:
        return ChildRun(False, wall, None, f"timeout after {timeout_s:g} s", busy)
    try:
        usage = json.loads(usage_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ChildRun(False, wall, None, f"the launcher failed (exit {proc.returncode})", busy)
    finally:
        usage_file.unlink(missing_ok=True)
    code = os.waitstatus_to_exitcode(usage["status"])
    peak = usage["maxrss_kib"] / 1024  # KiB on Linux
    if code == 0:
        return ChildRun(True, wall, peak, None, busy)
    if code < 0:
        name = signal.Signals(-code).name
        hint = " (out of memory?)" if -code == signal.SIGKILL else ""
        return ChildRun(False, wall, peak, f"killed by {name}{hint}", busy)
    if code == 127 and not log.stat().st_size:
        return ChildRun(False, wall, peak, f"could not start {args[0]}", busy)
    reason = last_line(log) or "no output"
    return ChildRun(False, wall, peak, f"exit {code}: {reason}", busy)
