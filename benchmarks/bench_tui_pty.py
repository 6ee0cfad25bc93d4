"""Time the terminal UI as a terminal sees it: `tracker tui` in a pseudo-terminal, keys written to
it as bytes, the answer read back as the frames Textual writes.

    python benchmarks/bench_tui_pty.py                  # 1,000 tasks x 100 units = 100,000 assignments
    python benchmarks/bench_tui_pty.py --presses 100

Pilot (bench_tui.py) waits for the app to be idle in 20 ms sleeps, so its round trip is mostly
its own waiting. Here nothing waits on the app's behalf: the benchmark answers Textual's query for
synchronized output (mode 2026) as a modern terminal does, after which every frame ends with
ESC[?2026l. A key press's answer is the time from writing the key to the end of the last frame it
caused (the output then stays quiet). Opening the matrix is the same from writing `l` until the
end of the frame that draws its first rows (the first task's line, looked for in the output, so
that a slow load is waited for rather than taken for silence). What a terminal emulator then
takes to paint is not included. The UI's peak memory is read when it exits (wait4).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from bench_check import HERE

ROOT = HERE.parent
SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"  # "supported, currently reset"
FRAME_END = b"\x1b[?2026l"
LEDGER_TITLE = "基准台账"  # benchmarks/make_db.py's ledger
# The first task's line as the matrix draws it (benchmarks/make_db.py names the tasks 任务1, 任务2…).
FIRST_TASK = "  1 任务1 "
KEYS = {"down": b"\x1b[B", "right": b"\x1b[C", "left": b"\x1b[D", "pagedown": b"\x1b[6~"}


class Terminal:
    """The child's terminal: what it wrote, when each frame ended, and the query answered."""

    def __init__(self, argv: list[str], columns: int, rows: int) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the UI
            os.environ.update(TERM="xterm-256color", COLUMNS=str(columns), LINES=str(rows))
            os.execv(argv[0], argv)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.pid, self.fd = pid, fd
        self.seen = b""
        self.frames: list[float] = []  # when each frame's end arrived
        self.first = 0.0

    def read(self, quiet: float, limit: float = 30.0) -> None:
        """Read until nothing more has come for ``quiet`` seconds (or ``limit`` in all)."""
        start = last = time.perf_counter()
        while time.perf_counter() - last < quiet and time.perf_counter() - start < limit:
            ready, _, _ = select.select([self.fd], [], [], quiet / 4)
            if not ready:
                continue
            chunk = os.read(self.fd, 1 << 16)
            now = time.perf_counter()
            last = now
            if SYNC_QUERY in self.seen[-16:] + chunk:
                os.write(self.fd, SYNC_REPLY)
            self.frames += [now] * chunk.count(FRAME_END)
            self.seen = (self.seen + chunk)[-(1 << 20) :]

    def drawn(self, key: bytes, text: str, limit: float = 120.0) -> float:
        """Seconds from writing ``key`` to the end of the frame that shows ``text``."""
        self.read(0.2)  # drain whatever was still coming
        self.seen, self.frames = b"", []
        sent = time.perf_counter()
        os.write(self.fd, key)
        needle = text.encode()
        while True:
            at = self.seen.find(needle)
            if at >= 0 and FRAME_END in self.seen[at:]:
                # the frame end after the text: frames before it ended earlier
                ended = self.seen[: at + self.seen[at:].find(FRAME_END)].count(FRAME_END)
                return self.frames[ended] - sent
            if time.perf_counter() - sent > limit:
                raise SystemExit(f"the UI never drew {text!r} within {limit:.0f} s")
            self.read(0.05, limit=0.5)

    def wait_for(self, text: str, limit: float = 60.0) -> None:
        needle = text.encode()
        start = time.perf_counter()
        while needle not in self.seen:
            if time.perf_counter() - start > limit:
                raise SystemExit(f"the UI never showed {text!r}")
            self.read(0.05, limit=1)

    def answer(self, key: bytes, quiet: float) -> float:
        """Seconds from writing ``key`` to the end of the last frame it caused (``self.first``:
        to the end of the first)."""
        self.read(quiet)  # drain whatever was still coming
        self.frames.clear()
        sent = time.perf_counter()
        os.write(self.fd, key)
        # The first frame may come late on a busy machine (or when a new window of cells is
        # read): wait for it, then for the quiet that ends the answer.
        while not self.frames and time.perf_counter() - sent < 30.0:
            self.read(0.05, limit=0.5)
        if not self.frames:
            raise SystemExit(f"no frame answered {key!r} within 30 s")
        self.read(quiet)
        self.first = self.frames[0] - sent
        return self.frames[-1] - sent

    def close(self) -> float:
        """Stop the UI; its peak resident memory in MiB."""
        os.kill(self.pid, signal.SIGTERM)
        _, _, usage = os.wait4(self.pid, 0)
        os.close(self.fd)
        return usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tracker-bench"))
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3, help="times the matrix is opened")
    parser.add_argument("--quiet", type=float, default=0.15, help="silence that ends an answer (s)")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    db = args.dir / f"weekly-{args.tasks}x{args.units}.db"
    url = f"sqlite:///{db}"
    if not db.exists():
        make = [sys.executable, str(HERE / "make_db.py"), "--db", url, "--tasks", str(args.tasks)]
        subprocess.run([*make, "--units", str(args.units)], check=True)
    tracker = str(Path(sys.executable).with_name("tracker"))
    opens: list[float] = []
    presses: list[float] = []
    firsts: list[float] = []
    peaks: list[float] = []
    by_key: dict[str, list[float]] = {}
    for _ in range(args.runs):
        term = Terminal([tracker, "--db", url, "tui", "--as-of", "2017-01-01"], 160, 45)
        try:
            # The dashboard's ledger list, filled by its own worker (seconds at a million
            # assignments): the matrix is opened after it, so its opening is timed alone.
            term.wait_for(LEDGER_TITLE)
            term.read(0.5)
            opens.append(term.drawn(b"l", FIRST_TASK))
            keys = ["down", "right", "pagedown", "down", "left"]
            for i in range(args.presses):
                key = keys[i % len(keys)]
                took = term.answer(KEYS[key], args.quiet)
                presses.append(took)
                firsts.append(term.first)
                by_key.setdefault(key, []).append(took)
        finally:
            peaks.append(term.close())
    print(f"assignments: {args.tasks * args.units}; terminal 160x45; {time.strftime('%Y-%m-%d')}")
    print(f"open the ledger matrix: median {statistics.median(opens):.3f} s ({len(opens)} runs)")
    print(f"peak memory of the UI: max {max(peaks):.0f} MiB, median {statistics.median(peaks):.0f} MiB")
    print(
        f"key press answered: median {statistics.median(presses) * 1000:.1f} ms, "
        f"95th percentile {statistics.quantiles(presses, n=20)[-1] * 1000:.1f} ms ({len(presses)} presses)"
    )
    print(f"  first frame after the key: median {statistics.median(firsts) * 1000:.1f} ms")
    for key, times in by_key.items():
        print(f"  {key}: median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
