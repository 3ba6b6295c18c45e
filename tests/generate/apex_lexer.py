"""A small Apex lexer for tests: splits source into code, comments and decoded string literals,
so a test can prove where a payload ended up."""

from __future__ import annotations

from dataclasses import dataclass, field

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}


@dataclass
class Lexed:
    code: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)


def lex(source: str) -> Lexed:
    """Raises ValueError on an unterminated string or comment, or a raw line break in a string."""
    out = Lexed()
    i, start = 0, 0
    while i < len(source):
        if source.startswith("//", i) or source.startswith("/*", i):
            out.code.append(source[start:i])
            end = source.find("\n", i) if source[i + 1] == "/" else source.find("*/", i + 2)
            if end < 0 and source[i + 1] == "*":
                raise ValueError("unterminated comment")
            end = len(source) if end < 0 else end + (2 if source[i + 1] == "*" else 0)
            out.comments.append(source[i:end])
            i = start = end
        elif source[i] == "'":
            out.code.append(source[start:i])
            i, text = _string(source, i + 1)
            out.strings.append(text)
            start = i
        else:
            i += 1
    out.code.append(source[start:])
    return out


def _string(source: str, i: int) -> tuple[int, str]:
    chars: list[str] = []
    while i < len(source):
        char = source[i]
        if char == "'":
            return i + 1, "".join(chars)
        if char in "\n\r\u2028\u2029\x85":
            raise ValueError(f"raw line break inside a string literal at {i}")
        if char == "\\":
            nxt = source[i + 1]
            if nxt == "u":
                chars.append(chr(int(source[i + 2 : i + 6], 16)))
                i += 6
                continue
            chars.append(_ESCAPES[nxt])
            i += 2
            continue
        chars.append(char)
        i += 1
    raise ValueError("unterminated string literal")
