"""Field paths: text and tuple forms read back to each other; locations follow a value."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.scenario.paths import format_path, replace_locations, split_path

KEY = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=8)
PATH = st.tuples(KEY).flatmap(
    lambda head: st.lists(st.one_of(KEY, st.integers(0, 99)), max_size=5).map(
        lambda rest: (*head, *rest)
    )
)


def test_the_paths_users_write():
    assert split_path("portfolios.niche.assets[2].trial") == (
        "portfolios",
        "niche",
        "assets",
        2,
        "trial",
    )
    assert (
        format_path(("portfolios", "niche", "assets", 2, "trial"))
        == "portfolios.niche.assets[2].trial"
    )
    assert split_path("assets.onc_egfr") == ("assets", "onc_egfr")


@given(PATH)
def test_format_then_split_is_the_identity(path):
    assert split_path(format_path(path)) == path


@pytest.mark.parametrize("text", ["", "  ", "a[x]", "a[1"])
def test_unreadable_paths_are_errors(text):
    with pytest.raises(ValueError):
        split_path(text)


def test_replacing_a_value_replaces_the_locations_under_it_and_nothing_else():
    base = {
        (): ("b.yaml", 1),
        ("m",): ("b.yaml", 2),
        ("m", "x"): ("b.yaml", 3),
        ("n",): ("b.yaml", 4),
    }
    over = {("m",): ("a.yaml", 7), ("m", "y"): ("a.yaml", 8), ("n",): ("a.yaml", 9)}
    replace_locations(base, over, ("m",))
    assert base == {
        (): ("b.yaml", 1),
        ("m",): ("a.yaml", 7),
        ("m", "y"): ("a.yaml", 8),
        ("n",): ("b.yaml", 4),
    }
