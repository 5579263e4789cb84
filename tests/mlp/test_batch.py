"""Mini-batches (issue 14 item 5): J is the mean loss over the m columns of X and Y plus λΩ.

Every gradient is compared with two oracles written here, independent of symgrad's code: a
hand NumPy mean-loss backprop (scaling by 1/m at the output, not at the parameters as symgrad
does) and central finite differences of a hand NumPy forward pass. A planted wrong gradient
must make symgrad's own check (full differences, and the directional method above its size
limit) say "failed"; bad batch files and options exit 2 with one line.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

from symgrad.cli import cli
from symgrad.mlp import MAX_BATCH, make_spec, params_from_dict, random_params, run_mlp
from symgrad.mlp import result as mlp_result
from symgrad.render import render

# ---------------------------------------------------------------- the hand oracles

HIDDEN = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2),
}


def hand_forward(spec, Ws, bs, X, Y):
    """(Zs, Hs, J) with the examples as columns; J = mean loss + λ/2 Σ‖W‖²."""
    Hs, Zs = [X], []
    for k, (W, b) in enumerate(zip(Ws, bs), 1):
        Z = W @ Hs[-1] + b.reshape(-1, 1)
        Zs.append(Z)
        if k < len(Ws):
            Hs.append(HIDDEN[spec.hidden[k - 1]][0](Z))
        elif spec.output == "softmax":
            E = np.exp(Z - Z.max(axis=0))
            Hs.append(E / E.sum(axis=0))
        elif spec.output == "sigmoid":
            Hs.append(1 / (1 + np.exp(-Z)))
        else:
            Hs.append(Z)
    P = Hs[-1]
    if spec.loss == "mse":
        losses = 0.5 * ((P - Y) ** 2).sum(axis=0)
    elif spec.output == "softmax":
        losses = -(Y * np.log(P)).sum(axis=0)
    else:
        losses = -(Y * np.log(P) + (1 - Y) * np.log(1 - P)).sum(axis=0)
    J = losses.mean() + spec.l2 * 0.5 * sum((W * W).sum() for W in Ws)
    return Zs, Hs, J


def hand_backprop(spec, Ws, bs, X, Y):
    """Gradients of J by key, the 1/m applied to dJ/dZ of the output."""
    Zs, Hs, _ = hand_forward(spec, Ws, bs, X, Y)
    m, P = X.shape[1], Hs[-1]
    if spec.loss == "ce":
        dZ = (P - Y) / m
    else:
        dP = (P - Y) / m
        if spec.output == "linear":
            dZ = dP
        elif spec.output == "sigmoid":
            dZ = dP * P * (1 - P)
        else:  # softmax Jacobian, column by column
            dZ = np.column_stack(
                [(np.diag(P[:, i]) - np.outer(P[:, i], P[:, i])) @ dP[:, i] for i in range(m)]
            )
    grads = {}
    for k in range(len(Ws), 0, -1):
        grads[f"W{k}"] = dZ @ Hs[k - 1].T + spec.l2 * Ws[k - 1]
        grads[f"b{k}"] = dZ.sum(axis=1)
        if k > 1:
            dZ = (Ws[k - 1].T @ dZ) * HIDDEN[spec.hidden[k - 2]][1](Zs[k - 2])
    return grads


def hand_differences(spec, Ws, bs, X, Y, h=1e-6):
    """Central differences of the hand J, entry by entry."""
    arrays = {f"W{k}": W for k, W in enumerate(Ws, 1)} | {f"b{k}": b for k, b in enumerate(bs, 1)}
    grads = {}
    for key, array in arrays.items():
        g = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + h
            up = hand_forward(spec, Ws, bs, X, Y)[2]
            array[index] = saved - h
            down = hand_forward(spec, Ws, bs, X, Y)[2]
            array[index] = saved
            g[index] = (up - down) / (2 * h)
        grads[key] = g
    return grads


def copies(params):
    return [w.copy() for w in params.weights], [b.copy() for b in params.biases]


OUTPUTS = [("softmax", "ce"), ("linear", "mse"), ("sigmoid", "ce"), ("softmax", "mse")]


@pytest.mark.parametrize("m", [1, 2, 5])
@pytest.mark.parametrize("hidden", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("output,loss", OUTPUTS)
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_batch_gradients_match_hand_backprop_and_differences(m, hidden, output, loss, l2):
    spec = make_spec("3,4,3,2", hidden=hidden, output=output, loss=loss, l2=l2)
    params = random_params(spec, seed=7, batch=m)
    assert params.x.shape == (3, m) and params.y.shape == (2, m)
    result = run_mlp(spec, params, scalar_check=False)
    Ws, bs = copies(params)
    hand = hand_backprop(spec, Ws, bs, params.x, params.y)
    numeric = hand_differences(spec, Ws, bs, params.x, params.y)
    assert result.loss == pytest.approx(hand_forward(spec, Ws, bs, params.x, params.y)[2], 1e-12)
    for key, value in result.gradients.items():
        np.testing.assert_allclose(value, hand[key], rtol=1e-10, atol=1e-13, err_msg=key)
        np.testing.assert_allclose(value, numeric[key], rtol=1e-5, atol=1e-8, err_msg=key)
    assert result.check.passed is True, result.check.method


@pytest.mark.parametrize("m", [1, 2, 5])
def test_the_scalar_graph_cross_check_averages_the_examples(m):
    spec = make_spec("2,3,2", hidden="tanh", l2=0.1)
    result = run_mlp(spec, random_params(spec, seed=3, batch=m), scalar_check=True)
    assert result.scalar_check.passed is True
    assert result.scalar_check.max_rel_error < 1e-12


def test_batch_shows_g_and_the_mean_as_the_issue_writes_them():
    """G holds each example's own ∂L_i/∂z_i (not divided by m); ∇b = (1/m) G 1."""
    spec = make_spec("3,4,2", hidden="sigmoid")
    params = random_params(spec, seed=2, batch=4)
    result = run_mlp(spec, params, check=False)
    Ws, bs = copies(params)
    _, Hs, _ = hand_forward(spec, Ws, bs, params.x, params.y)
    first = next(s for s in result.steps if s.kind == "output")
    np.testing.assert_allclose(first.value, Hs[-1] - params.y, rtol=1e-12)
    bias = next(s for s in result.steps if s.kind == "bias" and s.layer == 2)
    np.testing.assert_allclose(bias.value, first.value.sum(axis=1) / 4, rtol=1e-12)
    losses = next(s for s in result.steps if s.node == "L_i").value
    assert losses.shape == (4,)
    assert result.values["L"] == pytest.approx(losses.mean(), rel=1e-14)


# ---------------------------------------------------------------- m = 1 is one example


@pytest.mark.parametrize(
    "layers,hidden,output,loss,l2",
    [
        ("3,4,3,2", "relu", "softmax", "ce", 0.0),
        ("3,4,3,2", "tanh", "softmax", "ce", 0.1),
        ("2,3,1", "sigmoid", "sigmoid", "ce", 0.0),
        ("2,3,2", "relu", "softmax", "mse", 0.05),
        ("2,3,2", "tanh", "linear", "mse", 0.0),
    ],
)
def test_a_batch_of_one_is_the_single_example(layers, hidden, output, loss, l2):
    spec = make_spec(layers, hidden=hidden, output=output, loss=loss, l2=l2)
    single, batch = random_params(spec, seed=4), random_params(spec, seed=4, batch=1)
    assert np.array_equal(batch.x[:, 0], single.x) and np.array_equal(batch.y[:, 0], single.y)
    one, many = run_mlp(spec, single), run_mlp(spec, batch)
    assert one.loss == many.loss
    for key in one.gradients:
        assert np.array_equal(one.gradients[key], many.gradients[key]), key
    # the check differences the same J (its rounding noise may differ in the last digits)
    assert one.check.passed is many.check.passed is True
    # the text shows the same numbers: the gradient matrices and the check line
    args = ["mlp", "--layers", layers, "--hidden", hidden, "--output", output, "--loss", loss]
    args += ["--l2", str(l2), "--seed", "4"]
    plain = CliRunner().invoke(cli, args).output
    batched = CliRunner().invoke(cli, [*args, "--batch", "1"]).output
    assert _section(plain, "Gradient matrices") == _section(batched, "Gradient matrices")
    assert "Batch size: m = 1" in batched and "Batch size" not in plain


def _section(text: str, heading: str) -> str:
    return text.split(heading, 1)[1].split("\n\n", 1)[0]


# ---------------------------------------------------------------- the checks can fail


def _plant(monkeypatch, factor: float = 1.0, delta: float = 0.0):
    """batch_pass with one gradient entry off by ``delta`` and all gradients times ``factor``."""
    real = mlp_result.batch_pass

    def wrong(spec, params):
        values, gradients, steps = real(spec, params)
        gradients = {key: value * factor for key, value in gradients.items()}
        gradients["W1"] = gradients["W1"].copy()
        gradients["W1"][0, 0] += delta
        return values, gradients, steps

    monkeypatch.setattr(mlp_result, "batch_pass", wrong)


@pytest.mark.parametrize("layers", ["3,4,3,2", "20,30,20,10"])  # full / directional check
def test_a_planted_wrong_entry_fails_the_check(monkeypatch, layers):
    spec = make_spec(layers, hidden="tanh", l2=0.01)
    params = random_params(spec, seed=1, batch=3)
    assert run_mlp(spec, params, scalar_check=False).check.passed is True
    _plant(monkeypatch, delta=1e-3)
    result = run_mlp(spec, params, scalar_check=spec.n_params <= 200)
    assert result.check.passed is False
    assert any(row.status == "fail" and row.name.startswith("W1") for row in result.check.rows)
    if result.scalar_check is not None:
        assert result.scalar_check.passed is False
    assert ("directional" in result.check.method) == (spec.n_params > 1000)


def test_a_sum_instead_of_the_mean_fails_the_check(monkeypatch):
    """Forgetting the 1/m (∇W = G Hᵀ) is caught: the check differences the mean loss."""
    spec = make_spec("3,4,2", hidden="relu")
    params = random_params(spec, seed=5, batch=2)
    _plant(monkeypatch, factor=2.0)
    result = run_mlp(spec, params)
    assert result.check.passed is False and result.scalar_check.passed is False


def test_the_cli_exits_1_when_the_check_fails(monkeypatch):
    _plant(monkeypatch, delta=1e-2)
    run = CliRunner().invoke(cli, ["mlp", "--layers", "3,4,2", "--batch", "3"])
    assert run.exit_code == 1
    assert re.search(r"Numeric check: FAILED", run.output)


# ---------------------------------------------------------------- params files


LAYERS_322 = ["--layers", "3,2,2"]
W = {"W1": [[0.1, 0.2, 0.3], [-0.4, 0.5, -0.6]], "b1": [0.1, -0.1]}
W |= {"W2": [[0.7, -0.8], [0.9, 0.1]], "b2": [0.0, 0.2]}
X3 = [[1, 0, -1], [0.5, 0.5, 0.5], [-1, 2, 0]]  # 3 inputs × 3 examples


def test_labels_and_one_hot_columns_give_the_same_batch():
    spec = make_spec("3,2,2")
    by_labels = params_from_dict(spec, W | {"X": X3, "labels": [2, 1, 2]})
    by_columns = params_from_dict(spec, W | {"X": X3, "Y": [[0, 1, 0], [1, 0, 1]]})
    assert np.array_equal(by_labels.y, by_columns.y) and by_labels.batch == 3
    hand = hand_backprop(spec, *copies(by_labels), by_labels.x, by_labels.y)
    for key, value in run_mlp(spec, by_labels).gradients.items():
        np.testing.assert_allclose(value, hand[key], rtol=1e-10, atol=1e-13)


def test_one_input_and_one_output_take_flat_lists():
    spec = make_spec("1,2,1", hidden="tanh", output="sigmoid", loss="ce")
    data = {"W1": [[0.5], [-0.3]], "b1": [0.1, 0.2], "W2": [[0.4, 0.6]], "b2": [0.0]}
    params = params_from_dict(spec, data | {"X": [0.5, -1, 2, 0.3], "Y": [1, 0, 1, 1]})
    assert params.x.shape == (1, 4) and params.y.shape == (1, 4)


def _params_run(tmp_path, data, *extra):
    path = tmp_path / "batch.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return CliRunner().invoke(cli, ["mlp", *LAYERS_322, "--params", str(path), *extra])


def test_a_batch_file_runs_and_reports_the_batch(tmp_path):
    run = _params_run(tmp_path, W | {"X": X3, "labels": [2, 1, 2]}, "--format", "json")
    assert run.exit_code == 0, run.output
    out = json.loads(run.output)
    assert out["batch"] == 3 and len(out["example_losses"]) == 3
    assert out["shapes"]["X"] == [3, 3] and out["shapes"]["Y"] == [2, 3]
    assert out["loss"] == pytest.approx(np.mean(out["example_losses"]), rel=1e-14)
    assert out["params"]["X"] == [[float(v) for v in row] for row in X3]
    # what the JSON gives back is a params file again
    again = _params_run(tmp_path, out["params"], "--format", "json")
    assert json.loads(again.output)["gradients"] == out["gradients"]


BAD_FILES = [
    ({"X": [list(r) for r in zip(*X3)][:2], "labels": [1, 2, 1]}, "X: expected 3 rows"),
    (
        {"X": [[1, 2], [3, 4], [5, 6]], "Y": [[1, 0, 0], [0, 1, 1]]},
        "Y: 3 columns (examples), but X has 2",
    ),
    (
        {"X": [[], [], []], "labels": []},
        "X: a batch needs at least one example (m ≥ 1), got 0 columns",
    ),
    (
        {"X": [[0.1] * (MAX_BATCH + 1)] * 3, "labels": [1] * (MAX_BATCH + 1)},
        f"the limit is m = {MAX_BATCH}",
    ),
    ({"X": X3, "labels": [1, 3, 2]}, "labels[1]: expected a class number from 1 to 2"),
    ({"X": X3, "labels": [0, 1, 2]}, "labels[0]: expected a class number from 1 to 2"),
    ({"X": X3, "labels": [1, 2]}, "labels: 2 labels, but X has 3 columns"),
    ({"X": X3, "Y": [[1, 0, 0], [0, 1, 1]], "labels": [1, 2, 2]}, "give exactly one of Y"),
    ({"X": X3}, "give exactly one of Y"),
    (
        {"X": X3, "Y": [[1, 0, 0.5], [0, 1, 1]]},
        "Y column 3 (example 3): cross-entropy with softmax",
    ),
    ({"X": X3, "labels": [1, 2, 2], "x": [1, 2, 3]}, "x: a batch file gives X and Y"),
    ({"X": [[1, "a", 0], [0, 0, 0], [1, 1, 1]], "labels": [1, 2, 2]}, "X[0, 1]: expected a number"),
    ({"X": [[1, 0], [0, 1, 0], [1, 1, 1]], "labels": [1, 2, 2]}, "X: rows have different lengths"),
]


@pytest.mark.parametrize("data,expected", BAD_FILES, ids=lambda v: str(v)[:30])
def test_bad_batch_files_exit_2_with_one_line(tmp_path, data, expected):
    run = _params_run(tmp_path, W | data)
    assert run.exit_code == 2, run.output
    assert run.output.count("\n") == 1 and "Traceback" not in run.output
    assert expected in run.output


def test_a_transposed_x_is_named_as_such(tmp_path):
    spec = ["--layers", "3,2,2"]
    X = [[1, 2, 3], [4, 5, 6]]  # 2 examples written as rows
    path = tmp_path / "t.json"
    path.write_text(json.dumps(W | {"X": X, "labels": [1, 2]}))
    run = CliRunner().invoke(cli, ["mlp", *spec, "--params", str(path)])
    assert run.exit_code == 2 and "one example per row: transpose it" in run.output


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--batch", "0"], "batch: m must be from 1 to"),
        (["--batch", str(MAX_BATCH + 1)], f"batch: m must be from 1 to {MAX_BATCH}"),
        (["--batch", "-2"], "batch: m must be from 1 to"),
        (["--batch", "2", "--entry", "W1,1,2"], "entry: --entry writes one example's gradient"),
    ],
)
def test_bad_batch_options_exit_2_with_one_line(args, expected):
    run = CliRunner().invoke(cli, ["mlp", *LAYERS_322, *args])
    assert run.exit_code == 2, run.output
    assert run.output.count("\n") == 1 and expected in run.output


def test_batch_and_file_must_agree(tmp_path):
    run = _params_run(tmp_path, W | {"X": X3, "labels": [1, 2, 1]}, "--batch", "2")
    assert run.exit_code == 2 and "X: 3 columns (examples), but --batch asks for 2" in run.output
    single = W | {"x": [1, 0, 0], "y": [1, 0]}
    run = _params_run(tmp_path, single, "--batch", "2")
    assert run.exit_code == 2 and "needs X (n_0 × m)" in run.output


def test_labels_need_a_softmax_output():
    spec = make_spec("3,2,2", output="sigmoid", loss="ce")
    with pytest.raises(Exception, match="labels: class labels need a softmax output"):
        params_from_dict(spec, W | {"X": X3, "labels": [1, 2, 1]})


# ---------------------------------------------------------------- what the derivation shows


def _batch_result(**spec_args):
    spec = make_spec("3,4,2", **spec_args)
    return run_mlp(spec, random_params(spec, seed=3, batch=3))


def test_every_format_shows_the_batch_form():
    result = _batch_result(hidden="sigmoid", l2=0.1)
    text = render(result, "text")
    for line in (
        "Z^(1) = W^(1) X + b^(1) 1ᵀ",
        "H^(1) = σ(Z^(1))",
        "L = (1/m) Σ_i L_i",
        "G ← [∇_z^(2)_i L_i]_i = Ŷ − Y",
        "∇_W^(1) J = (1/m) G Xᵀ + λW^(1)",
        "∇_b^(2) J = (1/m) G 1",
        "G ← W^(2)ᵀ G",
        "G ← G ⊙ g′(Z^(1)) = G ⊙ (H^(1) ⊙ (1 − H^(1)))",
        "X   (Shape: 3 x 3)",
        "Y   (Shape: 2 x 3)",
    ):
        assert line in text, line
    # the displayed ∇W^(1) is the hand backprop's, rounded as displayed
    hand = hand_backprop(result.spec, *copies(result.params), result.params.x, result.params.y)
    from symgrad.render.numbers import text_matrix

    assert "\n      ".join(text_matrix(hand["W1"])) in _section(text, "Gradient matrices")
    for fmt in ("markdown", "latex"):
        out = render(result, fmt)
        assert r"\mathbf{1}^\top" in out and r"\tfrac{1}{3}" in out, fmt
        assert r"\mathbf{G}" in out and r"\mathbf{X}" in out, fmt
    html = render(result, "html")  # MathML: bold G and X, the 1/m
    assert "&#x1D406;" in html and "&#x1D417;" in html and "<mi>m</mi></mrow></mfrac>" in html
    dot = render(result, "dot")
    assert "m = 3" in dot and "dJ/db" in dot
    data = json.loads(render(result, "json"))
    assert data["batch"] == 3 and data["shapes"]["X"] == [3, 3]
    latex = [step["latex"] for step in data["steps"]]
    assert r"L = \frac{1}{m} \sum_{i=1}^{m} L_i" in latex


def test_single_example_json_has_no_batch_keys():
    spec = make_spec("3,4,2")
    data = json.loads(render(run_mlp(spec, random_params(spec, seed=3)), "json"))
    assert "batch" not in data and "example_losses" not in data and "shapes" not in data


def test_chinese_batch_headings():
    text = render(_batch_result(hidden="relu"), "text", lang="zh")
    assert "批量大小: m = 3" in text or "批量大小：m = 3" in text
    assert "初始的 G" in text and "把 G 向下传到前一层" in text


def test_a_kink_in_one_example_is_named_by_unit_and_example():
    spec = make_spec("2,2,2", hidden="relu")
    data = {"W1": [[1.0, 0.0], [0.0, 1.0]], "b1": [0.0, 0.0], "W2": [[1, 0], [0, 1]], "b2": [0, 0]}
    params = params_from_dict(spec, data | {"X": [[1.0, 0.0], [1.0, 1.0]], "labels": [1, 2]})
    result = run_mlp(spec, params)
    assert [(k.layer, k.unit, k.example) for k in result.kinks] == [(1, 1, 2)]
    assert result.kinks[0].name == "Z^(1)_1,2"
    assert result.check.passed is None  # the kink's entries are inconclusive, not passed


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_batches_keep_off_the_kinks(seed):
    """With m examples some pre-activation lands on a ReLU kink in most draws; the examples
    there get new inputs, so a generated batch is a clean worked example (no inconclusive)."""
    from symgrad.mlp import forward, teaching_flaw

    spec = make_spec("20,30,20,10", hidden="relu")
    params = random_params(spec, seed=seed, batch=32)
    assert teaching_flaw(spec, forward(spec, params), 0.01) is None
    result = run_mlp(spec, params)
    assert result.kinks == [] and result.check.passed is True
