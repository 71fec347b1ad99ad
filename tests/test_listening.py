"""The listening helpers tolerate a recogniser's spelling, and still catch a word not said."""

from __future__ import annotations

import pytest
from support.listening import find, missing, tokens


def test_tokens_spell_numerals_and_drop_punctuation() -> None:
    assert tokens("Hold it for 30 seconds. Don't rush!") == ["hold", "it", "for", "thirty", "seconds", "dont", "rush"]
    assert tokens("1,500 steps, 2.5 minutes") == ["one", "thousand", "five", "hundred", "steps", "two", "point", "five",
                                                 "minutes"]


@pytest.mark.parametrize(("script", "heard"), [
    ("The old lighthouse", "the old light house"),
    ("The old lighthouse", "The old lighthouse."),
    ("thirty seconds", "30 seconds"),
    ("30 seconds", "thirty seconds"),
    ("twenty-five breaths", "25 breaths"),
    ("a toe-pull stretch", "a toe pull stretch"),
    ("a toe pull", "a toe-pull"),
])
def test_spelling_is_not_an_error(script: str, heard: str) -> None:
    assert missing(script, heard) == []


@pytest.mark.parametrize(("script", "heard", "lost"), [
    ("The old lighthouse", "the old house", ["lighthouse"]),
    ("The old lighthouse", "the old light", ["lighthouse"]),
    ("thirty seconds", "20 seconds", ["thirty"]),
    ("warmth and calm", "warm and calm", ["warmth"]),
    ("salts", "insults", ["salts"]),
])
def test_a_word_not_said_is_reported(script: str, heard: str, lost: list[str]) -> None:
    assert missing(script, heard) == lost


def test_find_gives_the_position_of_split_words() -> None:
    heard = tokens("the old light house stands by the museum")
    assert find("lighthouse", heard) == 2
    assert find("museum", heard) == 7
    assert find("garden", heard) is None
