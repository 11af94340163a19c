"""A small expression language for gate rules, over the signals an asset has observed.

A rule such as ``"effect_reading >= 0.15 and prevalence_reading > 0.05"`` is read with
Python's :mod:`ast` parser and then checked node by node against a whitelist: numbers,
signal names, the comparisons ``< <= > >= == !=`` (chains allowed), ``and``, ``or``,
``not``, unary minus and ``+ - * /``. Anything else (calls, attributes, subscripts,
strings, lambdas, ``__import__``) is refused before anything is evaluated, and every name
must be a known signal. Nothing is ever passed to ``eval``: :func:`evaluate` walks the
checked tree itself, element-wise over arrays of iterations.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping

import numpy as np

_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


class RuleError(ValueError):
    """A rule that is not in the language, or names an unknown signal."""


def parse_rule(text: str, signals: tuple[str, ...] | list[str]) -> ast.Expression:
    """The checked syntax tree of ``text``; :class:`RuleError` says what is wrong and,
    for an unknown name, lists the signals allowed."""
    if not isinstance(text, str) or not text.strip():
        raise RuleError("a rule is a non-empty expression, e.g. 'effect_reading >= 0.15'")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise RuleError(f"malformed expression {text!r}: {exc.msg}") from None
    _check(tree.body, tuple(signals), text)
    return tree


def _check(node: ast.AST, signals: tuple[str, ...], text: str) -> None:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And | ast.Or):
        for v in node.values:
            _check(v, signals, text)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        _check(node.operand, signals, text)
    elif isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        for v in (node.left, *node.comparators):
            _check(v, signals, text)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left, signals, text)
        _check(node.right, signals, text)
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        pass
    elif isinstance(node, ast.Name):
        if node.id not in signals:
            raise RuleError(
                f"unknown signal {node.id!r} in {text!r}; signals allowed here: "
                f"{', '.join(signals) if signals else 'none'}"
            )
    else:
        raise RuleError(
            f"{type(node).__name__} is not allowed in a rule ({text!r}): use numbers, signal "
            "names, comparisons, and/or/not and + - * /"
        )


def evaluate(tree: ast.Expression, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """The rule's value per iteration (a bool array for a comparison)."""
    return np.asarray(_eval(tree.body, values))


def _eval(node: ast.AST, values: Mapping[str, np.ndarray]):
    if isinstance(node, ast.BoolOp):
        parts = [np.asarray(_eval(v, values), dtype=bool) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        out = parts[0]
        for p in parts[1:]:
            out = combine(out, p)
        return out
    if isinstance(node, ast.UnaryOp):
        inner = _eval(node.operand, values)
        return np.logical_not(inner) if isinstance(node.op, ast.Not) else -inner
    if isinstance(node, ast.Compare):
        out, left = True, _eval(node.left, values)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, values)
            out = np.logical_and(out, _COMPARE[type(op)](left, right))
            left = right
        return out
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.Constant):
        return float(node.value)
    return values[node.id]  # ast.Name, checked by parse_rule
