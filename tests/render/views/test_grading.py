"""The check report view (`symgrad check`): verdicts, carried answers and the first wrong step
for (x+y)*z at x=-2, y=5, z=-4 (q = 3, f = -12 by hand), and no true value without --reveal."""

import json

import pytest

from symgrad.derivation import derive
from symgrad.grading.diagnose import diagnose
from symgrad.render.views.grading import context, data, diagnosis_label


@pytest.fixture(scope="module")
def diagnosis():
    d = derive("(x+y)*z", at="x=-2,y=5,z=-4")
    q, f = (n.name for n in d.graph.op_nodes)
    return diagnose(d, {q: 4.0, f: -16.0, "df/dx": 4.0}), q, f


def test_json_has_verdicts_and_credit_but_no_true_values(diagnosis):
    dg, q, f = diagnosis
    out = data(dg)
    rows = {row["name"]: row for row in out["quantities"]}
    assert rows[q]["verdict"] == "wrong" and rows[q]["first_wrong"] is True
    assert rows[f]["verdict"] == "carried" and rows[f]["credit"] == 1.0
    assert rows["df/dx"]["mistake"] is not None and rows["df/dx"]["credit"] == 0.5
    assert out["first_wrong"] == q and out["score"] == 1.5 and out["revealed"] is False
    text = json.dumps(out)
    assert "true" not in {key for row in out["quantities"] for key in row}
    assert "-12" not in text and '": 3.0' not in text  # f and q's true values stay hidden


def test_context_names_the_first_wrong_step_and_explains_carried_answers(diagnosis):
    dg, q, f = diagnosis
    c = context(dg, "en")
    assert c["first"]["name"] == q and c["reveal"] is False
    verdicts = {row["name"]: row["verdict"] for row in c["rows"]}
    assert verdicts[f] == "correct given your earlier answers"
    assert c["score"] == "1.5"


def test_labels_in_both_languages():
    assert diagnosis_label("sign_flip", "en") == "sign"
    assert diagnosis_label("sign_flip", "zh") == "符号"
