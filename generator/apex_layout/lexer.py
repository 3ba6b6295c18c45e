"""Tokens of the Apex the generator writes: enough of the language for its statements.

A token is its text: a string literal starts with a quote, a number with a digit, a name
with a letter or underscore, and anything else is an operator. Comments never reach here
(the line scanner refuses statements with comments).
"""

from __future__ import annotations

import re


class LayoutUnsupported(Exception):
    """The text uses Apex this layout does not model; the caller formats it with prettier."""


#: An Apex string literal on one line (the scanner blanks them before counting brackets).
STRING = r"'(?:\\.|[^'\\\n])*'"
_TOKEN = re.compile(
    STRING + r"|\d+(?:\.\d+)?[lLdD]?"
    r"|[A-Za-z_][A-Za-z0-9_]*"
    r"|=>|==|!=|<=|>=|&&|\|\||\+\+|--|\+=|-=|\*=|/=|\?\.|\?\?"
    r"|[-+*/%<>=!?:;,.(){}\[\]@]"
    r"|\S"
)
_ALLOWED_SINGLE = frozenset("-+*/%<>=!?:;,.(){}[]@_")


def tokenize(text: str) -> list[str]:
    """The tokens of ``text``; a character outside the modelled language is unsupported."""
    tokens: list[str] = _TOKEN.findall(text)
    for word in tokens:
        if len(word) == 1 and not (word.isalnum() or word in _ALLOWED_SINGLE):
            raise LayoutUnsupported(f"unexpected character {word!r}")
    return tokens


def is_name(word: str) -> bool:
    return word[:1].isalpha() or word[:1] == "_"
