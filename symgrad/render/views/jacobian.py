r"""The vector chain rule view (``symgrad jacobian``): Jacobian, gradients and path sums.

``∂z/∂x_i = Σ_j ∂z/∂y_j · ∂y_j/∂x_i`` is written out per input, symbolically and, at a
point, with the numbers in place. :func:`data` is the JSON (``VectorChainRule.to_dict()``
plus the LaTeX of the one printer); :func:`context` feeds ``templates/jacobian.*.j2``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..numbers import bmatrix, number, parenthesized, tex_number, text_matrix
from ..printing import expr_latex, name_tex, partial, sympy_str, tex, text_expr
from .check import check_dict, check_view

if TYPE_CHECKING:
    from ...jacobian import VectorChainRule

GRAD_X_FORMULA = (
    r"\nabla_{\mathbf{x}} z = \left(\frac{\partial \mathbf{y}}"
    r"{\partial \mathbf{x}}\right)^\top \nabla_{\mathbf{y}} z"
)


def path_sums(rule: VectorChainRule) -> list[dict]:
    """Per input: ``∂z/∂x_i = Σ_j ∂z/∂y_j · ∂y_j/∂x_i`` written out, term by term.

    >>> from symgrad.jacobian import vector_chain_rule
    >>> path_sums(vector_chain_rule("x1*x2, x2+x3", "y1*y2", at="x1=1,x2=2,x3=3"))[0]["text"]
    '∂z/∂x1 = (y2)·(x2) + (y1)·(0)'
    """
    out = []
    for i, xi in enumerate(rule.x):
        lhs, generic, terms = _sum_tex(rule, i)
        text_terms = " + ".join(
            f"({text_expr(rule.grad_y[j])})·({text_expr(rule.jacobian[j, i])})"
            for j in range(len(rule.y_names))
        )
        value = None if rule.grad_x_value is None else float(rule.grad_x_value[i])
        out.append(
            {
                "variable": xi,
                "latex": f"{lhs} = {generic} = {terms}",
                "text": f"∂z/∂{xi} = {text_terms}",
                "value": value,
            }
        )
    return out


def _sum_tex(rule, i: int) -> tuple[str, str, str]:
    """LaTeX of ``∂z/∂x_i``, of its sum over the paths through y, and of that sum's terms."""
    x_tex = name_tex(rule.x[i])
    generic = " + ".join(
        partial("z", name_tex(yj)) + partial(name_tex(yj), x_tex) for yj in rule.y_names
    )
    terms = " + ".join(
        rf"\left({tex(rule.grad_y[j])}\right)"
        rf"\left({tex(rule.jacobian[j, i])}\right)"
        for j in range(len(rule.y_names))
    )
    return partial("z", x_tex), generic, terms


def data(rule: VectorChainRule) -> dict:
    """The JSON of a vector chain rule: its plain data with LaTeX and the path sums."""
    plain = rule.to_dict()
    out = {key: plain[key] for key in ("x", "y", "z", "point")}
    jac, grad_y, grad_x = plain["jacobian"], plain["grad_y"], plain["grad_x"]
    n, m = rule.shape  # expressions by the one printer: 1[x > 0], never Heaviside(x, 0)
    out["jacobian"] = {
        "shape": jac["shape"],
        "latex": tex(rule.jacobian),
        "value": jac["value"],
        "expr": [[sympy_str(rule.jacobian[j, i]) for i in range(m)] for j in range(n)],
    }
    out["grad_y"] = {
        "expr": [sympy_str(e) for e in rule.grad_y],
        "latex": tex(rule.grad_y),
        "value": grad_y["value"],
    }
    out["grad_x"] = {
        "expr": [sympy_str(e) for e in rule.grad_x],
        "latex": tex(rule.grad_x),
        "value": grad_x["value"],
        "formula": GRAD_X_FORMULA,
    }
    out["y_values"] = plain["y_values"]
    out["sums"] = path_sums(rule)
    out["check"] = check_dict(plain["check"])
    return out


def context(rule: VectorChainRule, lang: str) -> dict:
    """Everything the jacobian templates show, formatted; no math happens in templates."""
    from ...parse import parse  # loads NumPy: not at import (``symgrad --help``)

    n, m = rule.shape
    has_point = rule.point is not None
    sums = []
    for i, entry in enumerate(path_sums(rule)):
        lhs, generic, terms = _sum_tex(rule, i)
        row = {
            "text": entry["text"],
            "lhs_tex": lhs,
            "generic_tex": generic,
            "terms_tex": terms,
            "numbers_text": "",
            "numbers_tex": "",
            "value": "",
            "value_tex": "",
        }
        grad_y, jacobian = rule.grad_y_value, rule.jacobian_value  # set with a point
        if has_point and grad_y is not None and jacobian is not None:
            pairs = [(grad_y[j], jacobian[j, i]) for j in range(n)]
            row["numbers_text"] = " + ".join(f"({number(a)})·({number(b)})" for a, b in pairs)
            row["numbers_tex"] = " + ".join(
                f"{parenthesized(tex_number(a, 6))} \\cdot {parenthesized(tex_number(b, 6))}"
                for a, b in pairs
            )
            row["value"], row["value_tex"] = number(entry["value"]), tex_number(entry["value"], 6)
        sums.append(row)

    def values(a) -> dict:
        return {
            "lines": text_matrix(a) if has_point else [],
            "tex": bmatrix(a) if has_point else "",
        }

    return {
        "n": n,
        "m": m,
        "has_point": has_point,
        "x": [{"name": x, "tex": name_tex(x)} for x in rule.x],
        "y": [
            {"name": name, "text": text, "tex": name_tex(name), "expr_tex": expr_latex(parse(text))}
            for name, text in zip(rule.y_names, rule.y_texts)
        ],
        "z_text": rule.z_text,
        "z_tex": expr_latex(parse(rule.z_text)),
        "point": [
            {"name": k, "tex": name_tex(k), "value_text": str(v), "value_tex": tex(v)}
            for k, v in (rule.point or {}).items()
        ],
        "y_values": values(rule.y_values),
        "jacobian_rows": [
            "[" + ", ".join(text_expr(rule.jacobian[j, i]) for i in range(m)) + "]"
            for j in range(n)
        ],
        "jacobian_tex": tex(rule.jacobian),
        "jacobian_value": values(rule.jacobian_value),
        "grad_y_text": "[" + ", ".join(map(text_expr, rule.grad_y)) + "]",
        "grad_y_tex": tex(rule.grad_y),
        "grad_y_value": values(rule.grad_y_value),
        "grad_x_formula": GRAD_X_FORMULA,
        "grad_x_tex": tex(rule.grad_x),
        "grad_x_value": values(rule.grad_x_value),
        "sums": sums,
        "check": check_view(rule.check, {x: name_tex(x) for x in rule.x}),
    }
