import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rnnviz.core.data.text import PAD_ID, UNK_ID, Vocabulary, clean, tokenize


def test_words_and_punctuation_are_lower_case_tokens():
    assert tokenize("Great movie, NOT bad!") == ["great", "movie", ",", "not", "bad", "!"]


def test_contractions_stay_whole():
    assert tokenize("I don't like it's ending") == ["i", "don't", "like", "it's", "ending"]


def test_accents_stay_inside_words_even_when_decomposed():
    decomposed = "cafe\u0301 cre\u0300me"
    assert tokenize(decomposed) == ["café", "crème"]
    assert tokenize("Déjà vu") == ["déjà", "vu"]


def test_emoji_and_symbols_are_their_own_tokens():
    assert tokenize("love it😀👍!") == ["love", "it", "😀", "👍", "!"]
    assert tokenize("5★ ❤️") == ["5", "★", "❤"]


def test_control_characters_separate_words_and_format_characters_vanish():
    # the imdb file's mis-decoded cp1252 dashes and ellipsis (U+0096, U+0085), a zero-width space
    assert tokenize("bad\u0096 really\u0085 bad\u200b") == ["bad", "really", "bad"]
    assert tokenize("a\tb\nc") == ["a", "b", "c"]
    assert tokenize("this\x01is\u0085fine\x00too") == ["this", "is", "fine", "too"]
    assert tokenize("soft\u00adhyphen") == ["softhyphen"]  # a format character: no split


def test_ascii_text_is_cleaned_as_any_other_text():
    """ASCII-only text takes a shortcut; beside a non-ASCII letter (the general path) each of
    the 128 ASCII characters must come out the same."""
    for code in range(128):
        text = f"a{chr(code)}b"
        assert clean(text) == clean(text + "é")[:-1], repr(chr(code))


@given(st.text())
def test_tokenizer_never_fails_and_yields_no_whitespace(text):
    for token in tokenize(text):
        assert token and not any(ch.isspace() for ch in token)


def test_vocabulary_order_is_count_then_alphabetical():
    texts = [["b", "a", "c"], ["c", "b"], ["c", "d"]]
    vocab = Vocabulary.build(texts)
    assert vocab.tokens == ("<pad>", "<unk>", "c", "b", "a", "d")
    assert vocab.index["<pad>"] == PAD_ID and vocab.index["<unk>"] == UNK_ID


def test_vocabulary_does_not_depend_on_input_order_or_hashing():
    texts = [["x", "y"], ["y", "z"], ["w"], ["z", "x"]]
    assert Vocabulary.build(texts) == Vocabulary.build(reversed(texts))


def test_min_count_and_max_size():
    texts = [["a", "a", "b", "b", "c"]]
    assert Vocabulary.build(texts, min_count=2).tokens == ("<pad>", "<unk>", "a", "b")
    assert Vocabulary.build(texts, max_size=3).tokens == ("<pad>", "<unk>", "a")


def test_encode_marks_unknown_words():
    vocab = Vocabulary.build([["good", "movie"]])
    encoded = vocab.encode("Good zzz movie")
    assert encoded.tokens == ["good", "zzz", "movie"]
    np.testing.assert_array_equal(encoded.unknown, [False, True, False])
    assert encoded.ids[1] == UNK_ID
