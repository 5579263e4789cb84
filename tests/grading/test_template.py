"""The answer file a learner fills in: every quantity of the worked solution in order, what
each one is, and no answer or value anywhere."""

import json

import pytest

from symgrad.derivation import derive
from symgrad.grading.template import template


@pytest.fixture(scope="module")
def d():
    return derive("x*y + sin(x)", at="x=2,y=3")


def names_of(d) -> list[str]:
    return json.loads(template(d, "json", "en")).keys()


def test_every_quantity_in_worked_solution_order(d):
    names = list(names_of(d))
    ops = [n.name for n in d.graph.op_nodes]
    assert names[: len(ops)] == ops  # forward values first, in graph order
    assert {"df/dx", "df/dy"} <= set(names)
    assert names.index("df/dx") > names.index(ops[-1])
    assert f"df/d{ops[-1]}" not in names  # df/df = 1: nothing to compute, not asked


@pytest.mark.parametrize("fmt", ["toml", "json", "csv"])
def test_no_value_is_given_away(d, fmt):
    text = template(d, fmt, "en")
    values = [d.value, *(g.value for g in d.gradients.values())]
    values += [d.value_of(n) for n in d.graph.op_nodes]
    telling = [v for v in values if v != round(v)]  # 6.909, 2.584, 0.9093: not the point's 2, 3
    assert len(telling) >= 3
    for value in telling:
        assert f"{value:.3g}" not in text, value


def test_toml_and_csv_carry_comments_json_only_names(d):
    toml_text, csv_text = template(d, "toml", "en"), template(d, "csv", "en")
    assert toml_text.startswith("# ") and '"df/dx" = ""' in toml_text
    assert csv_text.splitlines()[0].startswith("#") and "name,answer" in csv_text
    assert json.loads(template(d, "json", "en")) == {n: "" for n in names_of(d)}


def test_chinese_template_has_chinese_comments(d):
    text = template(d, "toml", "zh")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert json.loads(template(d, "json", "zh")) == json.loads(template(d, "json", "en"))
