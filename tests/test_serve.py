"""symgrad serve: the form and /derive answer from 127.0.0.1 only in these tests; hostile
requests get a clean error page and the server keeps serving; Ctrl-C stops it cleanly."""

import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from symgrad.serve import MAX_REQUEST_BYTES, make_server

pytestmark = pytest.mark.slow  # a live HTTP server per module, slow derivations stopped on purpose

SLOW = "sin(" * 180 + "x" + ")" * 180  # over 1 s on the reference machine


def running(time_limit: float):
    srv = make_server("127.0.0.1", 0, time_limit=time_limit, quiet=True)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def server():
    yield from running(time_limit=15.0)


@pytest.fixture
def impatient_server():
    """A server whose time limit (0.25 s) the slow derivation is sure to pass."""
    yield from running(time_limit=0.25)


def get(base: str, path: str, timeout: float = 30) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def derive_path(**query) -> str:
    return "/derive?" + urllib.parse.urlencode(query)


def test_form_and_solution(server):
    status, page = get(server, "/")
    assert status == 200 and 'action="/derive"' in page and "form-action &#39;self&#39;" in page
    status, page = get(server, derive_path(expr="(x+y)*z", at="x=-2,y=5,z=-4", lang="en"))
    assert status == 200
    assert 'value="(x+y)*z"' in page  # the form keeps what was asked: the link is shareable
    assert "<mn>12</mn>" in page and 'class="sg-data"' in page  # f = -12 shown in the steps
    status, page = get(server, derive_path(expr="x*y", at="x=1,y=2", lang="zh"))
    assert status == 200 and "反向传播" in page


@pytest.mark.parametrize(
    "expr, words",
    [
        ("__import__('os').system('true')", "column 1"),
        ("(" * 400 + "x" + ")" * 400, "nested"),
        ("x+", "column 3"),
    ],
)
def test_hostile_expressions_get_a_clean_error(server, expr, words):
    status, page = get(server, derive_path(expr=expr, at="x=1"))
    assert status == 400 and 'class="sg-error"' in page and words in page
    assert "Traceback" not in page
    assert get(server, derive_path(expr="x*x", at="x=3"))[0] == 200  # still serving


def test_the_form_echoes_user_text_escaped(server):
    hostile = '"><script>alert(1)</script>'
    status, page = get(server, derive_path(expr=hostile, at=hostile))
    assert status == 400 and "<script>alert" not in page
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page


def test_huge_request_is_refused(server):
    status, page = get(server, derive_path(expr="x+" * 500_000 + "x"))
    assert status in (413, 414) and "Traceback" not in page
    assert len(derive_path(expr="x" * MAX_REQUEST_BYTES)) > MAX_REQUEST_BYTES
    assert get(server, "/")[0] == 200


def test_slow_derivation_is_stopped(impatient_server):
    start = time.monotonic()
    status, page = get(impatient_server, derive_path(expr=SLOW, at="x=0.5"))
    assert status == 503 and "was stopped" in page and "0.25 s" in page
    assert time.monotonic() - start < 10
    assert get(impatient_server, "/no-such-page")[0] == 404  # still answering


def test_no_file_is_served(server):
    for path in (
        "/etc/passwd",
        "/../../etc/passwd",
        "/derive/../pyproject.toml",
        "/static/symgrad.js",
    ):
        status, page = get(server, path)
        assert status == 404 and "root:" not in page


def check_path(**query) -> str:
    return "/check?" + urllib.parse.urlencode(query)


def test_check_form_judges_typed_answers(server):
    """symgrad check behind the form: right answers pass, a wrong one is named, no value leaks."""
    point = dict(expr="(x+y)*z", at="x=-2,y=5,z=-4")
    status, page = get(
        server, check_path(**point, answers="u_1 = 3\ndf/dx = -4\ndf/dz = 3")
    )  # z: nodes u_k
    assert status == 200 and "Every answer is correct." in page
    status, page = get(server, check_path(**point, answers="u_1 = 3\ndf/dx = 4"))
    assert status == 200 and "wrong (first wrong step)" in page
    assert "Every answer is correct." not in page
    row = next(
        line
        for line in page.split('class="sg-report"')[1].splitlines()
        if line.strip().startswith("df/dx")
    )
    assert "-4" not in row  # the right value is not revealed
    status, page = get(server, check_path(**point, answers="dfdx = 1"))
    assert status == 400 and "did you mean &#39;df/dx&#39;?" in page
    status, page = get(server, derive_path(**point))
    assert 'action="/check"' in page  # the solution page carries the check form
