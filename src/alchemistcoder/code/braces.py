"""Text helpers for the brace languages (C, C++, Java, JavaScript, C#, ...), where decontamination reads
signatures and bodies with patterns rather than a parser: a parameter list split at its top-level commas, and
the end of a body from its opening brace."""

from __future__ import annotations


def split_params(text: str) -> list[str]:
    """``"int a, Map<K, V> m, int[] xs"`` -> ``["int a", "Map<K, V> m", "int[] xs"]`` (commas inside ``<>``,
    ``[]`` and ``()`` kept; a lone ``void`` is no parameter)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += 1 if ch in "<[(" else -1 if ch in ">])" else 0
        if ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    last = text[start:].strip()
    return [*out, last] if last and last != "void" else out


def body_end(source: str, open_brace: int, pair: str = "{}") -> int:
    """The index just past the brace that closes the one at ``open_brace`` (the text's end when none does);
    ``pair`` = ``"()"`` for a parenthesis."""
    depth, step = 0, {pair[0]: 1, pair[1]: -1}
    for i in range(open_brace, len(source)):
        depth += step.get(source[i], 0)
        if depth == 0:
            return i + 1
    return len(source)
