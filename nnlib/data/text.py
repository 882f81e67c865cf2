"""Text as data for character language models: a checked corpus, a vocabulary, windows.

- ``load_text(path, sha256)`` reads a text file (plain, or compressed with the standard
  library's ``lzma``/``.xz`` or ``gzip``/``.gz``) and refuses it unless the SHA-256 of its text
  is the one given: a corpus that changed silently would change every number measured on it.
- ``Vocabulary`` maps the characters of a text to integers 0 .. V-1 and back, and to one-hot
  rows.
- ``split_by_position(ids, fractions)`` cuts a sequence into consecutive training,
  validation and test parts (no shuffling: neighbouring characters are not independent, so a
  random split would put near-copies of test text into the training set).
- ``make_windows(ids, length)`` cuts a sequence into non-overlapping windows of ``length``
  inputs and the ``length`` characters that follow each input: the (N, T) examples a recurrent
  network reads, every step predicting the next character. Truncated backpropagation through
  time then cuts the gradient inside each window (the ``truncate`` setting of the recurrent
  models), while the hidden state runs on through the whole window.

Left out on purpose: words and subword tokenisers, Unicode normalisation, streaming of corpora
larger than memory.
"""

from __future__ import annotations

import gzip
import hashlib
import lzma
import os
from pathlib import Path

import numpy as np

from nnlib.data.digits import one_hot
from nnlib.validation import check_labels, check_memory, check_number


def text_sha256(text: str) -> str:
    """The SHA-256 of ``text`` encoded as UTF-8, as 64 hexadecimal digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_text(path, sha256: str) -> str:
    """Read the text file ``path`` and check that its text has the SHA-256 ``sha256``.

    Parameters
    ----------
    path : str or os.PathLike; ``.xz`` and ``.gz`` files are decompressed
    sha256 : str, 64 hexadecimal digits: the checksum of the (decompressed) text as UTF-8

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When the file is missing, unreadable, not UTF-8, or its checksum differs.
    """
    if not isinstance(sha256, str) or len(sha256) != 64 or set(sha256.lower()) - set(
            "0123456789abcdef"):
        raise ValueError(f"sha256 must be 64 hexadecimal digits, got {sha256!r}.")
    path = Path(os.path.expanduser(os.fspath(path)))
    opener = {".xz": lzma.open, ".gz": gzip.open}.get(path.suffix, open)
    try:
        with opener(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        raise ValueError(f"path: no file {str(path)!r}; give the path of the corpus file "
                         f"(relative paths start in the current folder, {os.getcwd()!r}).") \
            from None
    except (OSError, lzma.LZMAError, EOFError) as error:
        raise ValueError(f"path: {str(path)!r} cannot be read ({error}); restore the original "
                         f"file.") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"path: {str(path)!r} is not UTF-8 text ({error.reason} at byte "
                         f"{error.start}); restore the original file.") from None
    got = text_sha256(text)
    if got != sha256.lower():
        raise ValueError(f"path: the text of {path.name!r} has SHA-256 {got}, expected "
                         f"{sha256.lower()}: the file was changed or damaged. Restore the "
                         f"original (every number measured on it depends on it).")
    return text


class Vocabulary:
    """The characters of a text, numbered 0 .. V-1 in sorted order.

    Parameters
    ----------
    chars : str, the distinct characters (sorted and deduplicated here)

    Attributes
    ----------
    chars : str, the characters in order (``chars[i]`` has the id i)
    size : int, V
    """

    def __init__(self, chars: str):
        if not isinstance(chars, str) or not chars:
            raise ValueError(f"chars must be a non-empty string of characters, got {chars!r}.")
        self.chars = "".join(sorted(set(chars)))
        self.size = len(self.chars)
        self._index = {char: i for i, char in enumerate(self.chars)}
        self._table = np.array([ord(char) for char in self.chars])

    @classmethod
    def from_text(cls, text: str) -> "Vocabulary":
        """The vocabulary of every character that occurs in ``text``."""
        if not isinstance(text, str) or not text:
            raise ValueError(f"text must be a non-empty string, got {text!r:.60}.")
        return cls("".join(set(text)))

    def encode(self, text: str) -> np.ndarray:
        """``text`` as ids: int64 array of shape (len(text),)."""
        if not isinstance(text, str):
            raise ValueError(f"text must be a string, got {type(text).__name__}.")
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        ids = np.searchsorted(self._table, codes)
        ids = np.minimum(ids, self.size - 1)
        unknown = self._table[ids] != codes
        if np.any(unknown):
            first = int(np.flatnonzero(unknown)[0])
            missing = "".join(sorted(set(np.array(list(text))[unknown])))
            raise ValueError(f"text holds characters outside the vocabulary, first "
                             f"{text[first]!r} at position {first} (all: {missing[:20]!r}); "
                             f"build the vocabulary from a text that contains them.")
        return ids

    def decode(self, ids) -> str:
        """Ids (any integer array of values 0 .. V-1, read in order) back to a string."""
        ids = check_labels("ids", np.ravel(np.asarray(ids)), (None,), self.size)
        return "".join(self.chars[i] for i in ids.tolist())

    def one_hot(self, ids) -> np.ndarray:
        """Ids of any shape S -> float64 one-hot rows of shape S + (V,)."""
        ids = np.asarray(ids)
        check_memory("the one-hot rows", ids.size * self.size, "the number of characters")
        flat = one_hot(np.ravel(ids), self.size)
        return flat.reshape(ids.shape + (self.size,))

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"Vocabulary({self.size} characters: {self.chars[:40]!r}{'…' if self.size > 40 else ''})"


def split_by_position(ids, fractions=(0.9, 0.05, 0.05)) -> tuple[np.ndarray, ...]:
    """Consecutive parts of ``ids``: the first ``fractions[0]``, the next, and so on.

    Parameters
    ----------
    ids : array_like, shape (L,)
    fractions : sequence of positive numbers that sum to 1 (e.g. train, validation, test)

    Returns
    -------
    tuple of arrays, the parts in order; lengths ``floor`` of each cumulative boundary.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be one sequence of shape (L,), got shape {ids.shape}.")
    fractions = [check_number("fractions", f, minimum=0, exclusive_minimum=True)
                 for f in fractions]
    if abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"fractions must sum to 1, got {fractions} (sum {sum(fractions):g}).")
    bounds = np.floor(np.cumsum([0.0] + fractions) * len(ids) + 1e-9).astype(int)
    bounds[-1] = len(ids)
    return tuple(ids[a:b] for a, b in zip(bounds[:-1], bounds[1:]))


def make_windows(ids, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping windows of ``length`` characters and the character after each one.

    Parameters
    ----------
    ids : array_like of int, shape (L,)
    length : int >= 1, T

    Returns
    -------
    inputs, targets : int64 arrays of shape (N, T), N = (L - 1) // T;
        ``inputs[n] = ids[n T : (n + 1) T]`` and ``targets[n] = ids[n T + 1 : (n + 1) T + 1]``
        (the last ``(L - 1) % T`` characters are left out).
    """
    length = check_number("length", length, minimum=1, integer=True)
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a 1-D array of integer ids, got shape {ids.shape} and "
                         f"dtype {ids.dtype}.")
    N = (len(ids) - 1) // length
    if N < 1:
        raise ValueError(f"length must leave at least one window: {len(ids)} ids give none "
                         f"of length {length} (and the character after it).")
    inputs = ids[:N * length].reshape(N, length).astype(np.int64)
    targets = ids[1:N * length + 1].reshape(N, length).astype(np.int64)
    return inputs, targets


__all__ = ["Vocabulary", "load_text", "make_windows", "split_by_position", "text_sha256"]
