"""nnlib.data.text: checked loading, the vocabulary, the split by position, the windows."""

import gzip
import lzma

import numpy as np
import pytest

from nnlib.data.text import (Vocabulary, load_text, make_windows, split_by_position,
                             text_sha256)

TEXT = "def f(x):\n    return x + 1\n"


def test_sha256_is_the_standard_one():
    assert text_sha256("abc") == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015"
                                  "ad")


@pytest.mark.parametrize("suffix, writer", [(".txt", lambda d: d), (".xz", lzma.compress),
                                            (".gz", gzip.compress)])
def test_load_text_reads_plain_and_compressed_files(tmp_path, suffix, writer):
    path = tmp_path / f"corpus{suffix}"
    path.write_bytes(writer(TEXT.encode()))
    assert load_text(path, text_sha256(TEXT)) == TEXT


def test_a_changed_file_is_refused_naming_both_checksums(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(TEXT.replace("1", "2"))
    with pytest.raises(ValueError, match=rf"has SHA-256 {text_sha256(TEXT.replace('1', '2'))}, "
                                         rf"expected {text_sha256(TEXT)}: the file was changed "
                                         r"or damaged"):
        load_text(path, text_sha256(TEXT))


def test_missing_damaged_and_badly_named_inputs_are_refused(tmp_path):
    with pytest.raises(ValueError, match="path: no file"):
        load_text(tmp_path / "nothing.txt", text_sha256(TEXT))
    (tmp_path / "bad.xz").write_bytes(b"not xz at all")
    with pytest.raises(ValueError, match="cannot be read"):
        load_text(tmp_path / "bad.xz", text_sha256(TEXT))
    (tmp_path / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(ValueError, match="is not UTF-8 text"):
        load_text(tmp_path / "latin.txt", text_sha256(TEXT))
    with pytest.raises(ValueError, match="sha256 must be 64 hexadecimal digits"):
        load_text(tmp_path / "latin.txt", "abc")


def test_the_committed_corpus_loads_with_its_checksum():
    from course.charlm import CORPUS_FILE, CORPUS_SHA256, load_corpus

    corpus = load_corpus()
    assert len(corpus.text) == 1_227_957 and corpus.vocabulary.size == 96
    assert text_sha256(corpus.text) == CORPUS_SHA256
    assert CORPUS_FILE.stat().st_size < 300_000
    # the split is by position: the three parts, in order, are the whole text
    parts = np.concatenate([corpus.train, corpus.validation, corpus.test])
    assert corpus.vocabulary.decode(parts) == corpus.text
    assert (len(corpus.train), len(corpus.validation), len(corpus.test)) == (1_105_161, 61_398,
                                                                            61_398)


def test_encode_decode_round_trip_and_sorted_ids():
    vocabulary = Vocabulary.from_text(TEXT)
    ids = vocabulary.encode(TEXT)
    assert ids.dtype == np.int64 and ids.shape == (len(TEXT),)
    assert vocabulary.decode(ids) == TEXT
    assert vocabulary.chars == "".join(sorted(set(TEXT)))
    assert vocabulary.encode("\n").tolist() == [0]
    assert vocabulary.decode(ids[:26].reshape(2, -1)) == TEXT[:26]  # any shape, read in order
    assert vocabulary.encode("").shape == (0,)


def test_unknown_characters_and_bad_ids_are_named():
    vocabulary = Vocabulary.from_text(TEXT)
    with pytest.raises(ValueError, match=r"outside the vocabulary, first 'z' at position 3"):
        vocabulary.encode("defz")
    with pytest.raises(ValueError, match=r"ids must hold class labels 0 \.\. "):
        vocabulary.decode([0, vocabulary.size])
    with pytest.raises(ValueError, match="chars must be a non-empty string"):
        Vocabulary("")


def test_one_hot_rows_have_one_one_at_the_id():
    vocabulary = Vocabulary.from_text(TEXT)
    ids = vocabulary.encode(TEXT[:12]).reshape(3, 4)
    rows = vocabulary.one_hot(ids)
    assert rows.shape == (3, 4, vocabulary.size)
    np.testing.assert_array_equal(rows.argmax(axis=-1), ids)
    np.testing.assert_array_equal(rows.sum(axis=-1), 1.0)


def test_split_by_position_keeps_order_and_lengths():
    parts = split_by_position(np.arange(100), (0.9, 0.05, 0.05))
    assert [len(p) for p in parts] == [90, 5, 5]
    np.testing.assert_array_equal(np.concatenate(parts), np.arange(100))
    assert [len(p) for p in split_by_position(np.arange(7), (0.5, 0.5))] == [3, 4]
    with pytest.raises(ValueError, match="fractions must sum to 1"):
        split_by_position(np.arange(10), (0.5, 0.4))
    with pytest.raises(ValueError, match="fractions must be a number > 0"):
        split_by_position(np.arange(10), (1.0, 0.0))
    with pytest.raises(ValueError, match=r"ids must be one sequence of shape \(L,\)"):
        split_by_position(np.zeros((2, 3)))


def test_windows_are_consecutive_and_targets_are_shifted_by_one():
    ids = np.arange(23)
    inputs, targets = make_windows(ids, 5)
    assert inputs.shape == targets.shape == (4, 5)
    np.testing.assert_array_equal(inputs.ravel(), np.arange(20))
    np.testing.assert_array_equal(targets, inputs + 1)
    # the windows tile the text: each window starts where the previous one ended
    np.testing.assert_array_equal(inputs[1:, 0], inputs[:-1, -1] + 1)
    assert make_windows(np.arange(6), 5)[0].shape == (1, 5)
    with pytest.raises(ValueError, match="length must leave at least one window"):
        make_windows(np.arange(5), 5)
    with pytest.raises(ValueError, match="length must be an integer >= 1"):
        make_windows(ids, 0)
    with pytest.raises(ValueError, match="ids must be a 1-D array of integer ids"):
        make_windows(np.arange(10.0), 2)
