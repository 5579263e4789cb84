"""Chinese punctuation for the shared templates.

The templates are one set for every language, so the punctuation they write between a phrase
and what follows is ASCII (``粒度: written (每个书写的运算一个节点)``). In Chinese text a colon,
comma or parenthesis that belongs to a Chinese phrase is full-width. :func:`zh_punctuation`
makes it so, touching only punctuation next to Chinese characters: names, numbers, code and
math keep their ASCII.

>>> zh_punctuation("粒度: written (每个书写的运算一个节点)")
'粒度：written（每个书写的运算一个节点）'
>>> zh_punctuation("数值检验: 通过, 最大相对误差 3.1e-11")
'数值检验：通过，最大相对误差 3.1e-11'
>>> zh_punctuation("f(x, y) = x*y (column 3)")
'f(x, y) = x*y (column 3)'
>>> zh_punctuation("错误 （第一个错误步骤）")
'错误（第一个错误步骤）'
>>> zh_punctuation("  (z_8: 起点)")
'  （z_8：起点）'
"""

from __future__ import annotations

import re

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff"
_COLON = re.compile(rf"(?<=[{_HAN}）]):[ \t]?")
_COMMA = re.compile(rf"(?<=[{_HAN}）]),[ \t]?")
_SEMICOLON = re.compile(rf"(?<=[{_HAN}）]);[ \t]?")
# "(" + a phrase holding Chinese (no nested parentheses, one line) + ")", where "(" does not
# open a function's arguments (f(x)): it follows a space (dropped after a word: "短语 (说明)"
# has no space in Chinese), a Chinese character or the start of a line
_INSIDE = rf"\(([^()\n]*[{_HAN}][^()\n]*)\)"
_PAREN_AFTER_WORD = re.compile(rf"(?<=\S)[ \t]{_INSIDE}")
_PAREN = re.compile(rf"(?:(?<=^)|(?<=[\s{_HAN}])){_INSIDE}", re.M)
_INNER_COLON = re.compile(r":[ \t]?")
_FULL_COLON_SPACE = re.compile(r"：[ \t]+")
_SPACE_BEFORE_FULL_PAREN = re.compile(r"(?<=\S)[ \t]+（")


def zh_punctuation(text: str) -> str:
    """Full-width colon, comma and parentheses where they follow or enclose Chinese text."""
    text = _COLON.sub("：", text)
    text = _COMMA.sub("，", text)
    text = _SEMICOLON.sub("；", text)
    text = _PAREN_AFTER_WORD.sub(_full_width_parentheses, text)
    text = _PAREN.sub(_full_width_parentheses, text)
    text = _SPACE_BEFORE_FULL_PAREN.sub("（", text)
    return _FULL_COLON_SPACE.sub("：", text)


def _full_width_parentheses(match: re.Match) -> str:
    return "（" + _INNER_COLON.sub("：", match.group(1)) + "）"
