"""``symgrad serve``: a local web page for a class or a lab.

``GET /`` is a form; ``GET /derive?expr=…&at=…&granularity=…&lang=…`` answers with the
interactive worked solution (the ``--format html`` page plus the form), so a link shares a
derivation. ``GET /check?expr=…&at=…&answers=…`` checks a student's own answers (lines
``name = answer``, names as ``symgrad check --template`` lists them) with ``symgrad check``'s
diagnosis, without revealing the right values. Nothing else is served, and no request names a file: the server never reads or
writes files on a request's behalf.

Why the standard library (``http.server.ThreadingHTTPServer``): the server answers GET
requests from a handful of students on 127.0.0.1 or a lab network; it needs no routing,
sessions or uploads, and adds no dependency. Its weak points are covered here: a request line
is limited (:data:`MAX_REQUEST_BYTES`), bodies are refused, each socket has a read timeout,
and every derivation runs in its own worker process (``forkserver``: forked from a clean,
single-threaded process with symgrad preloaded) that is killed after :data:`TIME_LIMIT_S`,
with at most :data:`MAX_WORKERS` at a time. A stopped derivation is an error page; the
server keeps serving.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .errors import SymgradError

MAX_REQUEST_BYTES = 16_384  # the whole request target (path + query)
MAX_PAGE_BYTES = 32_000_000  # a worker's answer larger than this is refused
TIME_LIMIT_S = 20.0  # one derivation, parse to page
MAX_WORKERS = 2  # derivations at once (the reference machine has 2 cores)
QUEUE_WAIT_S = 30.0  # how long a request waits for a free worker before "busy"
SOCKET_TIMEOUT_S = 15  # a client that stops sending is dropped
WORKER_MEMORY_BYTES = 4 << 30  # address space of one derivation's process
GRANULARITIES = ("written", "primitive", "gate")


def _context():
    """The forkserver context, its server started now: SymPy is imported once, at start,
    not inside the first request's time limit."""
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["symgrad.derivation", "symgrad.render", "symgrad.render.html"])
    forkserver.ensure_running()
    return context


def solve(params: dict) -> tuple[int, str]:
    """(HTTP status, page) for the query ``params``; runs inside a worker process."""
    from .derivation import derive
    from .render import VIEWS
    from .render.html import page, solution_page

    form = form_values(params)
    if not form["expr"]:
        return 200, page(form)
    try:
        d = derive(form["expr"], at=form["at"] or None, granularity=form["granularity"])
        return 200, solution_page(
            d, "derivation", VIEWS["derivation"], form["lang"], serve_form=form
        )
    except SymgradError as error:
        return 400, page(form, error=str(error))
    except RecursionError:
        return 400, page(form, error="the expression is nested too deeply")


def check(params: dict) -> tuple[int, str]:
    """(HTTP status, page) for a check of typed answers (``symgrad check``'s report)."""
    from .render.html import page

    form = form_values(params)
    if not form["expr"] or not form["answers"].strip():
        return 200, page(form)
    try:
        report, correct = check_report(form)
        return 200, page(form, report=report, correct=correct)
    except SymgradError as error:
        return 400, page(form, error=str(error))
    except RecursionError:
        return 400, page(form, error="the expression is nested too deeply")


def check_report(form: dict) -> tuple[str, bool]:
    """The text report of ``symgrad check`` for the form's answers (lines ``name = answer``);
    the right values are not revealed."""
    import difflib

    from .derivation import derive
    from .grading.answers import normalized
    from .grading.diagnose import diagnose, names
    from .render import render

    if not form["at"]:
        raise SymgradError("give the point (answers are numbers there)")
    d = derive(form["expr"], at=form["at"], granularity=form["granularity"], check=False)
    valid = names(d)
    answers, where = {}, {}
    for number, line in enumerate(form["answers"].splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, answer = line.partition("=")
        name = name.strip().strip("\"'")
        here = f"line {number}"
        if not sep or name not in valid:
            close = difflib.get_close_matches(name[:60], valid, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise SymgradError(
                f"{here}: write name = answer with a name of: {', '.join(valid)}{hint}"
            )
        if name in answers:
            raise SymgradError(f"{here}: {name} is given twice")
        value = normalized(answer.strip().strip("\"'"), f"{here}: {name}")
        if value is not None:
            answers[name], where[name] = value, here
    result = diagnose(d, answers, where)
    result.reveal = False
    return render(result, "text", lang=form["lang"]), bool(result.all_correct)


def form_values(params: dict) -> dict:
    """The form's fields from a parsed query (one value each, defaults filled in)."""

    def one(name: str, default: str = "") -> str:
        values = params.get(name) or [default]
        return values[0].strip()

    granularity = one("granularity", "written")
    lang = one("lang", "en")
    return {
        "expr": one("expr"),
        "at": one("at"),
        "answers": one("answers"),
        "granularity": granularity if granularity in GRANULARITIES else "written",
        "lang": lang if lang in ("en", "zh") else "en",
    }


def _worker(connection, params: dict, task=solve) -> None:
    import resource

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which kills us
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    try:
        answer = task(params)
    except MemoryError:
        answer = (400, "")
    except Exception:  # never a traceback to the client
        answer = (500, "")
    connection.send(answer)
    connection.close()


class Solver:
    """Runs :func:`solve` in worker processes with a time limit and a bound on concurrency."""

    def __init__(self, time_limit: float = TIME_LIMIT_S, workers: int = MAX_WORKERS):
        self.time_limit = time_limit
        self.slots = threading.BoundedSemaphore(workers)
        self.context = _context()

    def __call__(self, params: dict, task=solve) -> tuple[int, str | None, str]:
        """(status, page or None, reason): None with reason "timeout", "busy" or "failed"."""
        if not self.slots.acquire(timeout=QUEUE_WAIT_S):
            return 503, None, "busy"
        try:
            receive, send = self.context.Pipe(duplex=False)
            process = self.context.Process(target=_worker, args=(send, params, task), daemon=True)
            process.start()
            send.close()
            try:
                if not receive.poll(self.time_limit):
                    return 503, None, "timeout"
                status, text = receive.recv()
            except (EOFError, OSError):
                return 500, None, "failed"
            finally:
                if process.is_alive():
                    process.kill()
                process.join(5)
                receive.close()
            if not text:
                return status, None, "failed"
            return status, text, ""
        finally:
            self.slots.release()


class Handler(BaseHTTPRequestHandler):
    """GET /, /derive and /check only; everything else is 404 (or 405/413)."""

    server_version = "symgrad"
    sys_version = ""
    timeout = SOCKET_TIMEOUT_S
    solver: Solver  # set by make_server
    quiet = False

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if len(self.path) > MAX_REQUEST_BYTES or self.headers.get("Content-Length", "0") != "0":
            self._send(413, self._error_page("too_large", limit=MAX_REQUEST_BYTES))
            return
        url = urlsplit(self.path)
        if url.path not in ("/", "/derive", "/check"):
            self._send(404, self._error_page("not_found"))
            return
        try:
            params = parse_qs(url.query, keep_blank_values=True, max_num_fields=10, errors="strict")
        except (ValueError, UnicodeDecodeError):
            self._send(400, self._error_page("not_found"))
            return
        if url.path == "/":
            params = {"lang": params.get("lang", ["en"])}
        status, text, reason = self.solver(params, check if url.path == "/check" else solve)
        if text is None:
            kind = reason if reason in ("timeout", "busy") else "failed"
            text = self._error_page(
                kind, seconds=f"{self.solver.time_limit:g}", form=form_values(params)
            )
        self._send(status, text)

    def do_HEAD(self) -> None:  # noqa: N802
        self._send(405, "", head=True)

    def do_POST(self) -> None:  # noqa: N802
        self._send(405, self._error_page("not_found"))

    def _error_page(self, key: str, form: dict | None = None, **values) -> str:
        from .render.html import error_page

        return error_page(key, form, **values)

    def _send(self, status: int, text: str, head: bool = False) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        if not self.quiet:
            super().log_message(format, *args)


def make_server(
    host: str = "127.0.0.1", port: int = 8000, time_limit: float = TIME_LIMIT_S, quiet: bool = False
) -> ThreadingHTTPServer:
    """The server, bound and ready for ``serve_forever()`` (port 0 picks a free port)."""
    handler = type("SymgradHandler", (Handler,), {"solver": Solver(time_limit), "quiet": quiet})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
