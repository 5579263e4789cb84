"""The interactive pages in a real browser: headless Debian chromium driven by Selenium
through the system chromedriver (nothing downloads a browser).

In CI (CI=true) these tests never skip: a missing chromium or chromedriver fails them.
Screenshots go to $SYMGRAD_SCREENSHOTS when set (else a pytest temporary folder).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import skip_or_fail

from symgrad.cli import cli

pytestmark = pytest.mark.slow  # a real browser

SIGMOID = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
POINT = "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"
BIG = (
    "sigmoid(w1*x1+w2*x2+b)*log(x1) + tanh(x2)^2 - x1/x2 + sigmoid(w1*x2-b)*tanh(w2*x1)"
    " + sigmoid(b*x1)*x2"
)  # 40 nodes at primitive granularity


def _browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        chromium = None
    if chromium and driver:
        return chromium, driver
    skip_or_fail(
        "needs chromium, chromedriver and selenium (apt-get install chromium chromium-driver)"
    )


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = _browser()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("SYMGRAD_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_page(tmp_path, *args) -> Path:
    out = tmp_path / "page.html"
    result = CliRunner().invoke(cli, [*args, "--format", "html", "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    return out


def clean_logs(driver) -> None:
    """No console error, and no request that left file:// (or data:)."""
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    assert urls and all(u.startswith(("file://", "data:")) for u in urls), urls


def steps(driver) -> list[dict]:
    return json.loads(
        driver.find_element("css selector", "script.sg-data").get_attribute("textContent")
    )["steps"]


def click(driver, action: str) -> None:
    driver.find_element("css selector", f'[data-action="{action}"]').click()


def panel(driver) -> str:
    """The step panel's text without the line breaks MathML puts between its tokens."""
    return "".join(driver.find_element("css selector", ".sg-panel").text.split())


def node_id(driver, gate_text: str) -> str:
    for g in driver.find_elements("css selector", ".sg-node"):
        if g.find_element("css selector", ".sg-gate-text").text == gate_text:
            return g.get_attribute("data-node")
    raise AssertionError(f"no node {gate_text}")


def label(driver, kind: str, node: str):
    return driver.find_element("css selector", f'.{kind}[data-node="{node}"]')


@pytest.mark.parametrize("granularity", ["written", "primitive"])
def test_sigmoid_circuit_steps(browser, tmp_path, shots, granularity):
    page = write_page(tmp_path, "derive", SIGMOID, "--at", POINT, "--granularity", granularity)
    browser.get(page.as_uri())
    plan = steps(browser)
    recip, plus_one, w2 = node_id(browser, "1/x"), None, node_id(browser, "w2")
    into_recip = next(s for s in plan if s["kind"] == "backward" and str(s["parent"]) == recip)
    plus_one = str(into_recip["node"])
    last_w2 = max(k for k, s in enumerate(plan) if str(s["node"]) == w2)
    assert not label(browser, "sg-grad", w2).get_attribute("class").count("sg-hidden")
    for k, step in enumerate(plan):
        click(browser, "next")
        assert browser.find_element("css selector", ".symgrad").get_attribute("data-step") == str(k)
        active = browser.find_elements("css selector", ".sg-node.sg-active")
        assert [a.get_attribute("data-node") for a in active] == [str(step["node"])]
        if step["kind"] == "backward":
            wire = browser.find_element("css selector", f'[data-wire="{step["wire"]}"]')
            assert "sg-active" in wire.get_attribute("class")
        if step["kind"] == "forward" and str(step["node"]) == recip:
            assert "0.7311" in panel(browser)
            assert label(browser, "sg-value", recip).text == "0.731"
        if step is into_recip:
            assert "\u22120.5344" in panel(browser)
            assert label(browser, "sg-grad", plus_one).is_displayed()
            assert label(browser, "sg-grad", plus_one).text == "\u22120.534"
            assert not label(browser, "sg-grad", w2).is_displayed()  # not reached yet
            browser.save_screenshot(str(shots / f"circuit-{granularity}-backward-en.png"))
        if k == last_w2:
            assert "0.1966" in panel(browser)
            assert label(browser, "sg-grad", w2).text == "0.197"
            assert label(browser, "sg-grad", w2).is_displayed()
    click(browser, "next")  # past the end: stays on the last step
    assert browser.find_element("css selector", ".symgrad").get_attribute("data-step") == str(
        len(plan) - 1
    )
    clean_logs(browser)


def test_keys_click_and_toggle(browser, tmp_path):
    browser.get(write_page(tmp_path, "derive", SIGMOID, "--at", POINT).as_uri())
    from selenium.webdriver.common.keys import Keys

    body = browser.find_element("css selector", "body")
    root = browser.find_element("css selector", ".symgrad")
    body.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_LEFT)
    assert root.get_attribute("data-step") == "1"
    assert "z" in panel(browser) and "=" in panel(browser)
    recip = node_id(browser, "1/x")
    browser.find_element("css selector", f'.sg-node[data-node="{recip}"] .sg-gate-text').click()
    info = "".join(browser.find_element("css selector", ".sg-info").text.split())
    assert info.startswith("z_8")
    assert "0.7311" in info
    click(browser, "reset")
    value = label(browser, "sg-value", recip)
    assert value.is_displayed()
    browser.find_element("css selector", ".sg-toggle").click()
    assert not value.is_displayed()
    clean_logs(browser)


def test_without_javascript_the_static_solution_is_complete(tmp_path):
    """The same page with scripts disabled (a fresh browser): every label and table shows."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = _browser()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--blink-settings=scriptEnabled=false",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        driver.get(write_page(tmp_path, "derive", SIGMOID, "--at", POINT).as_uri())
        labels = driver.find_elements("css selector", ".sg-value, .sg-grad")
        assert len(labels) >= 20 and all(e.is_displayed() for e in labels)
        assert not driver.find_element("css selector", ".sg-controls").is_displayed()
        assert len(driver.find_elements("css selector", "table.sg-backward tr")) > 10
    finally:
        driver.quit()


def test_mlp_page_steps(browser, tmp_path, shots):
    browser.get(write_page(tmp_path, "mlp", "--layers", "3,4,3,2", "--seed", "1").as_uri())
    plan = steps(browser)
    assert len(browser.find_elements("css selector", ".sg-node")) == 12
    for _k, step in enumerate(plan):
        click(browser, "next")
        lit = browser.find_elements(
            "css selector", f'.sg-node.sg-active[data-layer="{step["units"]}"]'
        )
        assert lit and len(browser.find_elements("css selector", ".sg-node.sg-active")) == len(lit)
        assert "=" in panel(browser)
        if "nabla_{\\mathbf{h}^{(1)}}" in step["latex"]:  # g ← ∇_h(1) J: layer 1 lights up
            assert {e.get_attribute("data-layer") for e in lit} == {"1"} and len(lit) == 4
        if step["kind"] == "backward" and step["layer"] == 2 and step["done"]:
            browser.save_screenshot(str(shots / "mlp-backward-en.png"))
    clean_logs(browser)


def test_chinese_pages_and_screenshots(browser, tmp_path, shots):
    browser.get(write_page(tmp_path, "derive", SIGMOID, "--at", POINT, "--lang", "zh").as_uri())
    for _ in range(12):
        click(browser, "next")
    assert "反向传播" in browser.find_element("css selector", ".sg-counter").text
    browser.save_screenshot(str(shots / "circuit-backward-zh.png"))
    clean_logs(browser)
    browser.get(
        write_page(tmp_path, "mlp", "--layers", "3,4,3,2", "--seed", "1", "--lang", "zh").as_uri()
    )
    for _ in range(12):
        click(browser, "next")
    browser.save_screenshot(str(shots / "mlp-backward-zh.png"))
    clean_logs(browser)


def _boxes(browser) -> list[dict]:
    return browser.execute_script("""
        var out = [];
        document.querySelectorAll('.sg-figure svg .sg-value, .sg-figure svg .sg-grad,'
            + ' .sg-figure svg .sg-name, .sg-figure svg .sg-node > circle,'
            + ' .sg-figure svg .sg-node > rect').forEach(function (e) {
          var b = e.getBBox();
          out.push({x: b.x, y: b.y, w: b.width, h: b.height, kind: e.getAttribute('class') || e.tagName});
        });
        return out;""")


def test_forty_nodes_open_step_and_do_not_overlap(browser, tmp_path, shots):
    page = write_page(
        tmp_path,
        "derive",
        BIG,
        "--at",
        "w1=0.5,x1=2,w2=-1,x2=3,b=0.1",
        "--granularity",
        "primitive",
    )
    browser.get(page.as_uri())
    assert len(browser.find_elements("css selector", ".sg-node")) == 40
    boxes = _boxes(browser)
    texts = [b for b in boxes if b["kind"].startswith("sg-")]
    assert len(texts) >= 60
    hits = []
    for n, a in enumerate(boxes):
        for b in boxes[n + 1 :]:
            if (
                a["x"] < b["x"] + b["w"] - 0.5
                and b["x"] < a["x"] + a["w"] - 0.5
                and a["y"] < b["y"] + b["h"] - 0.5
                and b["y"] < a["y"] + a["h"] - 0.5
            ):
                hits.append((a, b))
    assert hits == []
    browser.save_screenshot(str(shots / "forty-nodes-en.png"))
    for _ in steps(browser):
        click(browser, "next")
    assert browser.find_element("css selector", ".symgrad").get_attribute("data-step") == str(
        len(steps(browser)) - 1
    )
    clean_logs(browser)


def test_serve_form_in_the_browser(browser, shots):
    process = subprocess.Popen(
        [sys.executable, "-m", "symgrad", "serve", "--port", "0", "--quiet", "--time-limit", "20"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        port = int(re.search(r"127\.0\.0\.1:(\d+)", process.stderr.readline()).group(1))
        base = f"http://127.0.0.1:{port}/"
        browser.get(base)

        def submit(expr: str, at: str) -> None:
            field = browser.find_element("name", "expr")
            browser.execute_script("arguments[0].value = arguments[1];", field, expr)
            point = browser.find_element("name", "at")
            point.clear()
            point.send_keys(at)
            browser.find_element("css selector", "form button[type=submit]").click()
            deadline = time.monotonic() + 30
            while "/derive" not in browser.current_url and time.monotonic() < deadline:
                time.sleep(0.1)

        submit(SIGMOID, POINT)
        assert "/derive?expr=" in browser.current_url
        assert len(browser.find_elements("css selector", ".sg-node")) == 13
        click(browser, "next")
        assert "z" in panel(browser)
        browser.save_screenshot(str(shots / "serve-en.png"))
        browser.find_element("css selector", ".sg-check-form summary").click()
        browser.find_element("name", "answers").send_keys("z_1 = -2\ndf/dw2 = 0.1966")
        browser.find_element("css selector", ".sg-check-form button[type=submit]").click()
        deadline = time.monotonic() + 30
        while "/check" not in browser.current_url and time.monotonic() < deadline:
            time.sleep(0.1)
        report = browser.find_element("css selector", ".sg-report").text
        assert "z_1" in report and "correct" in report
        assert browser.find_element("css selector", "p.pass").is_displayed()
        for hostile in ("__import__('os')", "(" * 400 + "x" + ")" * 400, "x*" * 3000 + "x"):
            browser.get(base)
            submit(hostile, "x=1")
            error = browser.find_elements("css selector", ".sg-error")
            assert error and error[0].is_displayed(), hostile[:20]
        browser.get(base + "derive?expr=x*y&at=x%3D2,y%3D3")
        assert len(browser.find_elements("css selector", ".sg-node")) == 3  # still serving
        # the error pages' 400 status is logged as a network error; nothing else may be
        assert [
            e
            for e in browser.get_log("browser")
            if e["level"] == "SEVERE" and e["source"] != "network"
        ] == []
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_two_notebook_widgets_step_independently(browser, tmp_path):
    """Two cells' widgets on one page (as in a notebook): each steps on its own."""
    from symgrad.derivation import derive
    from symgrad.render import render

    cells = [render(derive(e, at="x=2,y=3"), "html", fragment=True) for e in ("x*y", "x+y*x")]
    page = tmp_path / "notebook.html"
    page.write_text("<!DOCTYPE html><html><body>" + "".join(cells) + "</body></html>")
    browser.get(page.as_uri())
    first, second = browser.find_elements("css selector", ".symgrad")
    first.find_element("css selector", '[data-action="next"]').click()
    for _ in range(3):
        second.find_element("css selector", '[data-action="next"]').click()
    assert first.get_attribute("data-step") == "0" and second.get_attribute("data-step") == "2"
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
