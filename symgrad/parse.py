"""Safe expression parser: Python's ``ast`` plus an allowlist, turned into our own tree.

User text is data. Nothing here calls ``eval``, ``sympify`` or ``parse_expr``: the text is
parsed by :func:`ast.parse` (which executes nothing), every node is checked against an
allowlist, and the result is an :class:`Expr` tree that keeps the structure as written:
``-(a+b)`` stays a negation of a sum, ``a+b+c`` two binary additions. The tree, the names
and the limits are :mod:`symgrad.expr`'s (re-exported here); this module is the walk.

>>> parse("1/(1+exp(-x))")
div(Const(1), add(Const(1), exp(neg(Var(x)))))
"""

from __future__ import annotations

import ast
import keyword
import math
import re
import warnings
from typing import TYPE_CHECKING, NoReturn

from . import ops
from .errors import ParseError
from .expr import CONSTANTS as CONSTANTS
from .expr import FUNCTIONS as FUNCTIONS
from .expr import MAX_DEPTH as MAX_DEPTH
from .expr import (
    MAX_EXPONENT,
    MAX_INT_DIGITS,
    MAX_LENGTH,
    MAX_NAME,
    MAX_NODES,
    MAX_RESULT_DIGITS,
    REFUSED,
)
from .expr import NAME_RE as NAME_RE
from .expr import Expr as Expr
from .expr import const as const
from .expr import is_variable_name as is_variable_name
from .expr import var as var
from .hints import did_you_mean, syntax_hint

if TYPE_CHECKING:
    import sympy

_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}


def parse(text: str) -> Expr:
    """Parse ``text`` into an :class:`Expr`, or raise :class:`ParseError` naming the column.

    Grammar: numbers, names ``[A-Za-z][A-Za-z0-9_]*``, ``+ - * / ** ^``, parentheses, the
    functions of :data:`FUNCTIONS`, and the constants ``pi`` and ``e``.
    """
    if not isinstance(text, str):
        raise ParseError("expression must be text")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    for i, ch in enumerate(text):
        if ord(ch) > 127:
            raise ParseError(
                f"non-ASCII character {ch!r} (U+{ord(ch):04X}); write names and operators in "
                "plain ASCII (e.g. '-' not '\u2212', 'x' not a look-alike)",
                i + 1,
            )
        if ch == "#":
            raise ParseError("'#' is not allowed (comments are not part of an expression)", i + 1)
        if ch in "\n\r;":
            raise ParseError("only one expression is allowed (no newlines or ';')", i + 1)
        if not (ch.isprintable() or ch == "\t"):
            raise ParseError(f"control character {ch!r} is not allowed", i + 1)
    if not text.strip():
        raise ParseError("empty expression")
    source, columns = _caret_to_power(text)
    keywords: dict[str, str] = {}
    try:
        tree = _ast_parse(source)
    except SyntaxError as err:
        # `lambda*x`: a Python keyword (the usual name of the L2 weight) as a variable. Only
        # when the text does not parse as it is: `lambda x: 1` still reads as a lambda
        # (refused by name), `x if y else z` as a conditional.
        renamed, keywords = _rename_keywords(source)
        retry: ast.Expression | None
        try:
            retry = _ast_parse(renamed) if keywords else None
        except SyntaxError:
            retry = None
        if retry is None:
            lead = len(source) - len(source.lstrip())
            offset = lead + (err.offset or 1) - 1
            col = columns[min(offset, len(columns) - 1)] if err.lineno == 1 and err.offset else 0
            raise ParseError(*syntax_hint(text, err.msg, col)) from None
        source, tree = renamed, retry
    except (RecursionError, MemoryError, ValueError):
        raise ParseError(f"expression is nested too deeply (limit {MAX_DEPTH})") from None
    return _Converter(source, columns, keywords).convert(tree.body)


def _ast_parse(source: str) -> ast.Expression:
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal" for `1if`
            warnings.simplefilter("ignore")
            return ast.parse(source.strip(), mode="eval")
    except (RecursionError, MemoryError, ValueError):
        raise ParseError(f"expression is nested too deeply (limit {MAX_DEPTH})") from None


_WORD = re.compile(r"(?<![A-Za-z0-9_.])[A-Za-z_][A-Za-z0-9_]*")


def _rename_keywords(source: str) -> tuple[str, dict[str, str]]:
    """Replace each Python keyword used as a name by a placeholder of the same length (so
    columns stay right) that no user name can be: placeholders start with ``_``.

    Returns the new source and placeholder -> keyword. ``True``, ``False`` and ``None`` are
    literals to Python and stay refused as such.
    """
    words = set(_WORD.findall(source))
    mapping: dict[str, str] = {}
    taken = set(words)
    for word in sorted(words):
        if not keyword.iskeyword(word) or word in ("True", "False", "None"):
            continue
        for i in range(10 ** len(word)):
            placeholder = "_" + str(i).rjust(len(word) - 1, "_")
            if placeholder not in taken and placeholder.isidentifier():
                break
        taken.add(placeholder)
        mapping[word] = placeholder
    if not mapping:
        return source, {}
    renamed = _WORD.sub(lambda m: mapping.get(m.group(), m.group()), source)
    return renamed, {p: w for w, p in mapping.items()}


def _caret_to_power(text: str) -> tuple[str, list[int]]:
    """Replace ``^`` by ``**`` and map each source offset back to a 1-based column of ``text``.

    The returned column list is indexed by offsets into the returned source.
    """
    out, columns = [], []
    for i, ch in enumerate(text):
        if ch == "^":
            out.append("**")
            columns += [i + 1, i + 1]
        else:
            out.append(ch)
            columns.append(i + 1)
    columns.append(len(text) + 1)
    return "".join(out), columns


class _Converter:
    """Allowlisted walk of a Python AST into :class:`Expr`, with size limits."""

    def __init__(self, source: str, columns: list[int], keywords: dict[str, str] | None = None):
        self.keywords = keywords or {}  # placeholder -> the keyword it stands for
        self.source = source.strip()
        self.columns = columns
        self.lead = len(source) - len(source.lstrip())  # blanks stripped before ast.parse
        self.count = 0

    def col(self, node: ast.AST) -> int:
        offset: int | None = getattr(node, "col_offset", None)
        if offset is not None:
            offset += self.lead
        if offset is None or getattr(node, "lineno", 1) != 1:
            return 0
        return self.columns[min(offset, len(self.columns) - 1)]

    def source_of(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or type(node).__name__

    def fail(self, message: str, node: ast.AST) -> NoReturn:
        raise ParseError(message, self.col(node))

    def convert(self, root: ast.AST) -> Expr:
        # Iterative post-order walk: depth is checked before anything is built.
        done: dict[int, Expr] = {}
        stack: list[tuple[ast.AST, int, bool]] = [(root, 1, False)]
        while stack:
            node, depth, expanded = stack.pop()
            if depth > MAX_DEPTH:
                self.fail(f"expression is nested too deeply (limit {MAX_DEPTH})", node)
            children = self.children(node)
            if not expanded:
                self.count += 1
                if self.count > MAX_NODES:
                    self.fail(f"expression has too many parts (limit {MAX_NODES})", node)
                stack.append((node, depth, True))
                stack.extend(
                    (child, depth + _nesting(node, child), False) for child in reversed(children)
                )
                continue
            done[id(node)] = self.build(node, [done[id(c)] for c in children])
        return done[id(root)]

    def children(self, node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.BinOp):
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            return [node.operand]
        if isinstance(node, ast.Call):
            self.check_call(node)
            return list(node.args)
        if isinstance(node, (ast.Name, ast.Constant)):
            return []
        kind = REFUSED.get(type(node), type(node).__name__)
        self.fail(f"{kind} not allowed in an expression", node)

    def call_name(self, node: ast.Call) -> str:
        """The name a call calls; only plain names may be called."""
        if not isinstance(node.func, ast.Name):
            self.fail("only calls of the named functions are allowed", node)
        return node.func.id

    def check_call(self, node: ast.Call) -> None:
        name = self.call_name(node)
        if name not in FUNCTIONS:
            guess = did_you_mean(name, FUNCTIONS)
            hint = (
                f"did you mean {guess}? "
                if guess
                else f"for a product write {name}*(...); "
                if is_variable_name(name)
                else ""
            )
            self.fail(
                f"unknown function {name!r} ({hint}known: {', '.join(sorted(FUNCTIONS))})", node
            )
        if node.keywords:
            self.fail(f"{name}() takes no keyword arguments", node)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.fail("starred arguments not allowed", arg)
        if len(node.args) != FUNCTIONS[name]:
            want = FUNCTIONS[name]
            self.fail(
                f"{name}() takes {want} argument{'s' * (want != 1)}, got {len(node.args)}", node
            )

    def build(self, node: ast.AST, args: list[Expr]) -> Expr:
        col = self.col(node)
        if isinstance(node, ast.Constant):
            return Expr("const", value=self.number(node), col=col)
        if isinstance(node, ast.Name):
            return self.name(node, col)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.UAdd):
                return args[0]
            if isinstance(node.op, ast.USub):
                (arg,) = args
                if arg.is_const and arg.name is None:  # a negative literal, e.g. -3
                    return Expr("const", value=-arg.number, col=col)
                return self.fold(Expr("neg", (arg,), col=col), node)
            self.fail(f"operator {_op_symbol(node.op)} not allowed", node)
        if isinstance(node, ast.BinOp):
            op = _BINOPS.get(type(node.op))
            if op is None:
                self.fail(f"operator {_op_symbol(node.op)} not allowed", node)
            if op == "pow":
                self.check_power(node, *args)
            return self.fold(Expr(op, tuple(args), col=col), node)
        if isinstance(node, ast.Call):
            name = ops.canonical(self.call_name(node))
            return self.fold(Expr(name, tuple(args), col=col), node)
        self.fail(f"{type(node).__name__} not allowed", node)

    def number(self, node: ast.Constant) -> sympy.Expr:
        import sympy

        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = {str: "strings", bytes: "bytes", complex: "complex numbers"}.get(
                type(value), f"the literal {value!r}"
            )
            self.fail(f"{kind} not allowed in an expression", node)
        if isinstance(value, int):
            if len(str(value)) > MAX_INT_DIGITS:
                self.fail(f"integer literal has more than {MAX_INT_DIGITS} digits", node)
            return sympy.Integer(value)
        if not math.isfinite(value) or abs(value) >= 1e300:
            self.fail("number out of range (literals must be finite, below 1e300)", node)
        return sympy.Rational(repr(value))  # exact decimal: 0.1 is 1/10

    def name(self, node: ast.Name, col: int) -> Expr:
        import sympy

        name = self.keywords.get(node.id, node.id)
        if name == "pi":
            return Expr("const", value=sympy.pi, name="pi", col=col)
        if name == "e":
            return Expr("const", value=sympy.E, name="e", col=col)
        if name in FUNCTIONS:
            self.fail(f"{name!r} is a function; call it as {name}(...)", node)
        if not NAME_RE.match(name):
            self.fail(
                f"invalid name {name!r} (names start with a letter: [A-Za-z][A-Za-z0-9_]*)", node
            )
        if len(name) > MAX_NAME:
            self.fail(f"name longer than {MAX_NAME} characters", node)
        return Expr("var", name=name, col=col)

    def fold(self, expr: Expr, node: ast.AST) -> Expr:
        """Replace an op whose inputs are all constants by its exact value.

        A constant ``0**0`` is 1, as in SymPy, NumPy and Python (the empty product); the
        function ``x**y`` is not differentiable at (0, 0), and ``derive`` refuses that point
        as a domain edge (its gradient is not finite there)."""
        if not all(arg.is_const for arg in expr.args):
            return expr
        value = ops.get(expr.op).forward(*(arg.number for arg in expr.args))
        if not (value.is_real and value.is_finite):
            self.fail(
                f"constant expression {self.source_of(node)!r} is undefined "
                f"(it evaluates to {value})",
                node,
            )
        if value.is_Rational and max(len(str(value.p)), len(str(value.q))) > MAX_RESULT_DIGITS:
            self.fail(
                f"constant {self.source_of(node)!r} needs more than {MAX_RESULT_DIGITS} "
                "digits to write exactly",
                node,
            )
        return Expr("const", value=value, col=expr.col)

    def check_power(self, node: ast.BinOp, base: Expr, exponent: Expr) -> None:
        """Bound powers by the size of their result, not per exponent."""
        if not exponent.is_const:
            return
        c = exponent.number
        if not c.is_real or not c.is_finite:
            self.fail("exponent must be a finite real number", node)
        if not base.is_const:
            if abs(c) > MAX_EXPONENT:
                self.fail(
                    f"exponent {float(c):.3g} too large in magnitude (limit {MAX_EXPONENT})", node
                )
            return
        magnitude = float(abs(base.number))
        size = float(abs(c)) * math.log10(magnitude) if magnitude > 0 else 0.0
        if abs(size) > MAX_RESULT_DIGITS:
            self.fail(
                f"constant power too large: the result would have about {abs(size):.3g} "
                f"digits (limit {MAX_RESULT_DIGITS})",
                node,
            )


def _nesting(parent: ast.AST, child: ast.AST) -> int:
    """How much deeper ``child`` sits: 0 along a chain like a+b+c+... (its left operands),
    which SymPy flattens and nothing walks recursively; 1 for every other nesting."""
    chain = (
        isinstance(parent, ast.BinOp)
        and isinstance(child, ast.BinOp)
        and child is parent.left
        and not isinstance(parent.op, ast.Pow)
    )
    return 0 if chain else 1


def _op_symbol(op: ast.AST) -> str:
    symbols = {
        ast.FloorDiv: "//",
        ast.Mod: "%",
        ast.MatMult: "@",
        ast.BitOr: "|",
        ast.BitAnd: "&",
        ast.BitXor: "^",
        ast.LShift: "<<",
        ast.RShift: ">>",
        ast.Invert: "~",
        ast.Not: "not",
    }
    return repr(symbols.get(type(op), type(op).__name__))
