"""Reads the value expressions an emitted scenario test writes (``Decimal.valueOf('1.50')``,
``Date.newInstance(2026, 11, 1)``, ``Datetime.newInstance(1795600800660L)``, ``'x'.repeat(n)``,
lists, maps, concatenations) into the Apex values of :mod:`tests.simulate.apex_model`."""

from __future__ import annotations

import re
from typing import ClassVar

from tests.simulate.apex_model import ADate, ADatetime, ADecimal, ApexValue


class ApexReader:
    """A recursive-descent reader for the value expressions apex_scenarios writes."""

    _ESCAPES: ClassVar[dict[str, str]] = {
        "n": "\n",
        "r": "\r",
        "t": "\t",
        "b": "\b",
        "f": "\f",
        "'": "'",
        '"': '"',
    }

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def value(self) -> ApexValue:
        self._space()
        rest = self.text[self.at :]
        for word, result in (("null", None), ("true", True), ("false", False)):
            if rest.startswith(word) and not rest[len(word) : len(word) + 1].isalnum():
                self.at += len(word)
                return result
        if rest[:1].isdigit() or rest[:1] == "-":
            return self._integer()
        if rest.startswith("'"):
            text = self._repeated()
            self._space()
            while self.text.startswith("+", self.at):  # 'a' + 'x'.repeat(n) + 'b'
                self.at += 1
                self._space()
                text += self._repeated()
                self._space()
            return text
        if rest.startswith("Decimal.valueOf("):
            self.at += len("Decimal.valueOf(")
            number = ADecimal.value_of(self._string())
            self._expect(")")
            return number
        if rest.startswith("Date.newInstance("):
            self.at += len("Date.newInstance(")
            parts = [self._integer()]
            for _ in range(2):
                self._expect(",")
                parts.append(self._integer())
            self._expect(")")
            return ADate(*parts)
        if rest.startswith("Datetime.newInstance("):
            self.at += len("Datetime.newInstance(")
            millis = self._integer()
            self._expect("L")
            self._expect(")")
            return ADatetime(millis)
        if rest.startswith("new List<Object>{"):
            self.at += len("new List<Object>{")
            return self._items("}")
        if rest.startswith("new Map<String, Object>()"):
            self.at += len("new Map<String, Object>()")
            return {}
        if rest.startswith("new Map<String, Object>{"):
            self.at += len("new Map<String, Object>{")
            return self._pairs()
        raise ValueError(f"unexpected Apex at {rest[:40]!r}")

    def arguments(self) -> list[ApexValue]:
        """Comma-separated values up to the end of the text."""
        items = [self.value()]
        self._space()
        while self.text.startswith(",", self.at):
            self.at += 1
            items.append(self.value())
            self._space()
        assert self.at == len(self.text), self.text[self.at :]
        return items

    def _repeated(self) -> str:
        text = self._string()
        if self.text.startswith(".repeat(", self.at):
            self.at += len(".repeat(")
            count = self._integer()
            self._expect(")")
            return text * count
        return text

    def _items(self, end: str) -> list[ApexValue]:
        items: list[ApexValue] = []
        self._space()
        while not self.text.startswith(end, self.at):
            items.append(self.value())
            self._space()
            if self.text.startswith(",", self.at):
                self.at += 1
            self._space()
        self.at += len(end)
        return items

    def _pairs(self) -> dict[str, ApexValue]:
        pairs: dict[str, ApexValue] = {}
        self._space()
        while not self.text.startswith("}", self.at):
            key = self._string()
            self._expect("=>")
            pairs[key] = self.value()
            self._space()
            if self.text.startswith(",", self.at):
                self.at += 1
            self._space()
        self.at += 1
        return pairs

    def _string(self) -> str:
        self._space()
        assert self.text[self.at] == "'", self.text[self.at : self.at + 20]
        self.at += 1
        out: list[str] = []
        while self.text[self.at] != "'":
            char = self.text[self.at]
            if char == "\\":
                code = self.text[self.at + 1]
                if code == "u":
                    out.append(chr(int(self.text[self.at + 2 : self.at + 6], 16)))
                    self.at += 6
                    continue
                out.append(self._ESCAPES.get(code, code))
                self.at += 2
                continue
            out.append(char)
            self.at += 1
        self.at += 1
        return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16")

    def _integer(self) -> int:
        self._space()
        match = re.compile(r"-?[0-9]+").match(self.text, self.at)
        assert match, self.text[self.at : self.at + 20]
        self.at = match.end()
        return int(match.group())

    def _expect(self, token: str) -> None:
        self._space()
        assert self.text.startswith(token, self.at), (token, self.text[self.at : self.at + 20])
        self.at += len(token)

    def _space(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in " \n":
            self.at += 1


def read_value(text: str) -> ApexValue:
    reader = ApexReader(text)
    value = reader.value()
    assert reader.text[reader.at :].strip() in ("", ";"), reader.text[reader.at :]
    return value
