"""``python -m symgrad`` and the ``symgrad`` console script.

Ctrl-C is handled from the first line: the handler is installed before the command line
(click, SymPy, NumPy) is imported, so an interrupt at any moment is one line and exit 130.
"""

import signal
import sys

from .errors import Interrupted, raise_interrupted


def main() -> None:
    try:
        signal.signal(signal.SIGINT, raise_interrupted)
    except ValueError:  # not the main thread: keep Python's own handling
        pass
    try:
        from .cli import cli
    except Interrupted:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.stderr.write("symgrad: error: aborted\n")
        sys.exit(130)
    cli()


if __name__ == "__main__":
    main()
