"""Run a command and write its own exit status and peak memory to a file (standard library only).

Usage: python -I -S launcher.py CAP_BYTES USAGE_FILE COMMAND [ARG ...]

Why a launcher: on Linux a child's peak memory (ru_maxrss) starts from the memory of the
process it was forked from, so a step forked straight from the bench (a Python process with
pandas and DuckDB loaded) would report at least the bench's own size. This small process forks
the step instead, so the step's figure is its own (plus this launcher's ~10 MiB at most).
CAP_BYTES > 0 limits the step's address space (RLIMIT_AS).
"""

import json
import os
import resource
import sys


def main() -> None:
    """Fork and exec the command, wait for it, write {"status", "maxrss_kib"} to USAGE_FILE."""
    cap, usage_file, command = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    pid = os.fork()
    if pid == 0:
        try:
            if cap > 0:
                resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    with open(usage_file, "w", encoding="utf-8") as f:
        json.dump({"status": status, "maxrss_kib": usage.ru_maxrss}, f)


if __name__ == "__main__":
    main()
