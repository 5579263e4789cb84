"""``python -m symgrad`` and the ``symgrad`` console script.

Ctrl-C is handled from the first line: the handler is installed before the command line
(click, SymPy, NumPy) is imported, so an interrupt at any moment is one line and exit 130.

The process's garbage collector is tuned for a short command that imports a lot: a young
collection every :data:`GC_YOUNG_THRESHOLD` allocations instead of CPython's 700 (importing
SymPy alone would run a few thousand collections that find almost nothing), and on the way
out every live object is frozen, so the interpreter's last collections do not walk the whole
heap of a process about to end. Together they take about a quarter off ``symgrad derive``.
Objects still alive at exit are not guaranteed a ``__del__`` in any case; symgrad closes and
syncs its files explicitly and never relies on one. A library caller's process is untouched.
"""

import gc
import signal
import sys

from .errors import Interrupted, raise_interrupted

GC_YOUNG_THRESHOLD = 50_000


def main() -> None:
    try:
        signal.signal(signal.SIGINT, raise_interrupted)
    except ValueError:  # not the main thread: keep Python's own handling
        pass
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    try:
        try:
            from .cli import cli
        except Interrupted:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            sys.stderr.write("symgrad: error: aborted\n")
            sys.exit(130)
        cli()
    finally:
        gc.freeze()  # the process ends: its last collections need not walk this heap


if __name__ == "__main__":
    main()
