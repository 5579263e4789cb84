"""``symgrad serve``: the interactive worked solution as a local web page."""

from __future__ import annotations

import click


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (127.0.0.1: this machine only; 0.0.0.0: the network).",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: any free port, printed at start).",
)
@click.option(
    "--time-limit",
    default=20.0,
    show_default=True,
    type=click.FloatRange(0.5, 600),
    metavar="SECONDS",
    help="A derivation that runs longer is stopped with an error page.",
)
@click.option("--quiet", is_flag=True, help="Do not log requests.")
def serve(host: str, port: int, time_limit: float, quiet: bool) -> None:
    """Serve the interactive worked solution on a local web page (for a class or a lab).

    GET /derive?expr=...&at=...&granularity=...&lang=... answers with the page, so a link
    shares a derivation; / is the form. It never reads or writes files named in a request.
    Ctrl-C stops it ("stopped", exit status 0).

    Example:
      symgrad serve --port 8000    then open http://127.0.0.1:8000/
    """
    import signal

    from .errors import Interrupted, SymgradError, raise_interrupted
    from .serve import make_server

    try:
        server = make_server(host, port, time_limit=time_limit, quiet=quiet)
    except OSError as error:
        raise SymgradError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    bound_host, bound_port = server.server_address[:2]
    if isinstance(bound_host, bytes):  # an AF_UNIX-style address; TCP gives text
        bound_host = bound_host.decode()
    signal.signal(signal.SIGTERM, raise_interrupted)
    click.echo(
        f"symgrad serve: listening on http://{bound_host}:{bound_port}/ (Ctrl-C stops)", err=True
    )
    try:
        server.serve_forever(poll_interval=0.2)
    except (Interrupted, KeyboardInterrupt):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        click.echo("symgrad serve: stopped", err=True)
    finally:
        server.server_close()
