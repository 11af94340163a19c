"""The gate rules' expression language: what it accepts, what it refuses, what it computes."""

import numpy as np
import pytest

from simulator.pillars.decisions.expressions import RuleError, evaluate, parse_rule

SIGNALS = ("a", "b")


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "a.real > 0",
        "abs(a) > 0",
        "a[0] > 0",
        "'x' == 'x'",
        "lambda: 1",
        "c > 0",
        "a >",
        "",
        "a if b else 0",
        "a ** 2 > 1",
    ],
)
def test_refused(text):
    with pytest.raises(RuleError):
        parse_rule(text, SIGNALS)


def test_unknown_name_lists_the_allowed_signals():
    with pytest.raises(RuleError, match="signals allowed here: a, b"):
        parse_rule("c >= 0.1", SIGNALS)


def test_values_match_numpy():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=1000), rng.normal(size=1000)
    tree = parse_rule("(0 < a <= 1 and not b > 0.5) or -a + 2 * b / 4 > 1", SIGNALS)
    expected = ((a > 0) & (a <= 1) & ~(b > 0.5)) | (-a + 2 * b / 4 > 1)
    np.testing.assert_array_equal(evaluate(tree, {"a": a, "b": b}), expected)
