"""The check-text localizer: a check's English method and reasons become Chinese through the
phrase table of strings.toml; English passes unchanged; JSON data is never touched."""

import re

import pytest

from symgrad.derivation import derive
from symgrad.render.check_text import localize_check, localized, localized_view

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def method() -> str:
    return derive("x*y", at="x=1,y=2").check.method


def test_english_passes_unchanged(method):
    assert localized(method, "en") == method


def test_chinese_translates_the_method_and_keeps_the_numbers(method):
    zh = localized(method, "zh")
    assert zh != method and HAN.search(zh)
    assert "Richardson" in zh and "sympy.diff" in zh  # names stay
    h = re.search(r"h = ([^ ]+)", method).group(1)
    assert h in zh  # the step size carried over by the pattern's group
    assert "central differences" not in zh and "whole expression" not in zh


def test_unknown_text_is_left_as_it_is():
    assert localized("a sentence no pattern knows", "zh") == "a sentence no pattern knows"


def test_localize_check_translates_method_and_reasons_in_place(method):
    view = {"method": method, "rows": [{"name": "x", "reason": ""}], "passed": True}
    localize_check(view, "zh")
    assert HAN.search(view["method"]) and view["passed"] is True
    untouched = {"method": method, "rows": []}
    localize_check(untouched, "en")
    assert untouched["method"] == method
    localize_check(None, "zh")  # no check: nothing to do


def test_localized_view_touches_only_the_checks(method):
    view = {"check": {"method": method}, "scalar_check": None, "title": "central differences"}
    out = localized_view(view, "zh")
    assert HAN.search(out["check"]["method"])
    assert out["title"] == "central differences" and out["scalar_check"] is None
