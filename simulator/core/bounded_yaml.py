"""Reading YAML that anyone may have written: every failure a message with a position.

``yaml.safe_load`` runs no code, but it can still be made to crash or stall: a control
character raises a ``ReaderError`` when the loader is built; a few thousand nested ``[``
exhaust Python's recursion; an alias to the value that contains it (``a: &a [*a]``)
builds a list that contains itself, which every later walk follows forever; and ten
levels of ten aliases ("billion laughs") expand a 1 KB file to 10^10 values. This module
reads YAML with the bounds of :mod:`.limits`:

- the text is at most ``MAX_FILE_BYTES`` and UTF-8 (a stray byte is named by line and
  column);
- mappings and lists nest at most ``MAX_YAML_DEPTH`` levels, counted by the composer
  before it recurses;
- the document expands to at most ``MAX_YAML_NODES`` values: an alias costs the size of
  what it refers to (computed once per anchor, so counting is linear in the file), and an
  alias inside the value it names is refused as recursive.

Every problem is a :class:`YamlProblem` carrying the line and column (1-based) where the
reader, scanner, parser, composer or constructor stopped, and what it expected; the
message names the column, and the caller prints the file and line before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from simulator.core.limits import MAX_FILE_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES

__all__ = ["YamlProblem", "decode", "load"]


@dataclass(frozen=True)
class YamlProblem(Exception):
    """Why a text is not YAML the simulator can read, and where (1-based)."""

    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return self.message


def decode(data: bytes) -> str:
    """``data`` as text: UTF-8 (a leading byte-order mark is dropped), at most
    ``MAX_FILE_BYTES``; raises :class:`YamlProblem` naming the first bad byte's place."""
    if len(data) > MAX_FILE_BYTES:
        raise YamlProblem(
            f"the file is {len(data):,} bytes; a scenario file is at most "
            f"{MAX_FILE_BYTES:,} bytes (1 MiB); is it the right file?"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem(
            f"not a UTF-8 text file: byte 0x{data[exc.start]:02x} at column {column} "
            "cannot be read",
            line,
            column,
        ) from None


def _place(text: str, position: int) -> tuple[int, int]:
    head = text[:position]
    return head.count("\n") + 1, position - (head.rfind("\n") + 1) + 1


class _BoundedLoader(yaml.SafeLoader):
    """A safe loader whose composer counts depth and expanded values as it goes."""

    def __init__(self, text: str):
        super().__init__(text)
        self._depth = 0
        self._total = 0
        self._open: set[str] = set()  # anchors whose value is still being composed
        self._sizes: dict[int, int] = {}  # id(node) -> values it expands to

    def _grow(self, n: int, mark) -> None:
        self._total += n
        if self._total > MAX_YAML_NODES:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"the document expands to more than {MAX_YAML_NODES:,} values (aliases "
                "count once per use); a scenario needs a few thousand",
                mark,
            )

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"the alias *{event.anchor} is inside the value &{event.anchor} names "
                    "(a recursive alias never ends)",
                    event.start_mark,
                )
            node = super().compose_node(parent, index)
            self._grow(self._sizes.get(id(node), 1), event.start_mark)
            return node
        collection = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        if collection:
            self._depth += 1
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"mappings and lists nest more than {MAX_YAML_DEPTH} levels deep here; "
                    "a scenario needs fewer than ten",
                    event.start_mark,
                )
            if event.anchor is not None:
                self._open.add(event.anchor)
        before = self._total
        self._grow(1, event.start_mark)
        node = super().compose_node(parent, index)
        if collection:
            self._depth -= 1
            self._open.discard(event.anchor)
        self._sizes[id(node)] = self._total - before
        return node


def load(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (with positions) and the plain data of one YAML document.

    Raises :class:`YamlProblem` for every way the text can fail: characters YAML does
    not allow, syntax, more than one document, the bounds of the module docstring, and
    values the constructor cannot build (a 5,000-digit integer, the 31st of February).
    """
    loader = None
    try:
        loader = _BoundedLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:
        line, column = _place(text, exc.position)
        char = exc.character if isinstance(exc.character, int) else ord(exc.character or "?")
        raise YamlProblem(
            f"a character YAML does not allow (code {char:#04x}) at column {column}; "
            "remove it, or write it as an escape inside double quotes",
            line,
            column,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "cannot parse"
        if exc.context and exc.problem and "nest" not in what and "alias" not in what:
            what = f"{what} ({exc.context})"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise YamlProblem(f"malformed YAML: {what}", line, column) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"malformed YAML: {exc}") from None
    except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as exc:
        raise YamlProblem(f"malformed YAML: a value cannot be read ({exc})") from None
    finally:
        if loader is not None:
            loader.dispose()
    return node, data
