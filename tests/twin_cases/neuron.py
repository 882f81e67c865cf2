"""Chapter 01's pairs (filled in as the chapter's names settle)."""

CASES = []
