"""BLAKE3 (default hash mode, 32-byte output) for `aip.hash.blake3*` and `aip.file.hash_blake3*`.

aip uses the `blake3` crate. Python's hashlib has no BLAKE3, so this uses the `blake3` package
when it is installed and otherwise this pure-Python implementation of the reference algorithm
(BLAKE3 spec, section 5 / `reference_impl.rs`). It is slow (about 2 MB/s) but exact; agents hash
source files, which are small. A candidate for a library binding: with `blake3` (the crate's own
Python binding) a declared dependency, the pure-Python fallback can go.
"""

from __future__ import annotations

_IV = (0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19)
_MSG_PERMUTATION = (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8)
_CHUNK_START, _CHUNK_END, _PARENT, _ROOT = 1, 2, 4, 8
_BLOCK_LEN, _CHUNK_LEN = 64, 1024
_MASK = 0xFFFFFFFF


def _compress(cv: tuple[int, ...] | list[int], block: list[int], counter: int, block_len: int, flags: int) -> list[int]:
    s = [*cv, *_IV[:4], counter & _MASK, (counter >> 32) & _MASK, block_len, flags]
    m = list(block)
    for round_index in range(7):
        for a, b, c, d, x, y in (
            (0, 4, 8, 12, 0, 1), (1, 5, 9, 13, 2, 3), (2, 6, 10, 14, 4, 5), (3, 7, 11, 15, 6, 7),
            (0, 5, 10, 15, 8, 9), (1, 6, 11, 12, 10, 11), (2, 7, 8, 13, 12, 13), (3, 4, 9, 14, 14, 15),
        ):
            sa, sb, sc, sd = s[a], s[b], s[c], s[d]
            sa = (sa + sb + m[x]) & _MASK
            sd ^= sa
            sd = ((sd >> 16) | (sd << 16)) & _MASK
            sc = (sc + sd) & _MASK
            sb ^= sc
            sb = ((sb >> 12) | (sb << 20)) & _MASK
            sa = (sa + sb + m[y]) & _MASK
            sd ^= sa
            sd = ((sd >> 8) | (sd << 24)) & _MASK
            sc = (sc + sd) & _MASK
            sb ^= sc
            sb = ((sb >> 7) | (sb << 25)) & _MASK
            s[a], s[b], s[c], s[d] = sa, sb, sc, sd
        if round_index < 6:
            m = [m[index] for index in _MSG_PERMUTATION]
    for index in range(8):
        s[index] ^= s[index + 8]
        s[index + 8] ^= cv[index]
    return s


def _words(block: bytes) -> list[int]:
    block = block.ljust(_BLOCK_LEN, b"\0")
    return [int.from_bytes(block[index : index + 4], "little") for index in range(0, _BLOCK_LEN, 4)]


class _Output:
    def __init__(self, cv: list[int] | tuple[int, ...], block: list[int], counter: int, block_len: int, flags: int) -> None:
        self.cv, self.block, self.counter, self.block_len, self.flags = cv, block, counter, block_len, flags

    def chaining_value(self) -> list[int]:
        return _compress(self.cv, self.block, self.counter, self.block_len, self.flags)[:8]

    def root_bytes(self) -> bytes:
        words = _compress(self.cv, self.block, 0, self.block_len, self.flags | _ROOT)
        return b"".join(word.to_bytes(4, "little") for word in words)[:32]


def _chunk_output(chunk: bytes, counter: int) -> _Output:
    cv: list[int] | tuple[int, ...] = _IV
    blocks = [chunk[index : index + _BLOCK_LEN] for index in range(0, len(chunk), _BLOCK_LEN)] or [b""]
    for index, block in enumerate(blocks):
        flags = (_CHUNK_START if index == 0 else 0) | (_CHUNK_END if index == len(blocks) - 1 else 0)
        if index == len(blocks) - 1:
            return _Output(cv, _words(block), counter, len(block), flags)
        cv = _compress(cv, _words(block), counter, _BLOCK_LEN, flags)[:8]
    raise AssertionError("unreachable: a chunk has at least one block")


def _parent_output(left: list[int], right: list[int]) -> _Output:
    return _Output(_IV, [*left, *right], 0, _BLOCK_LEN, _PARENT)


def _pure_blake3(data: bytes) -> bytes:
    chunks = [data[index : index + _CHUNK_LEN] for index in range(0, len(data), _CHUNK_LEN)] or [b""]
    stack: list[list[int]] = []
    for counter, chunk in enumerate(chunks[:-1]):
        cv = _chunk_output(chunk, counter).chaining_value()
        total = counter + 1
        # Merge completed subtrees: one merge per trailing zero bit of the chunk count.
        while total & 1 == 0:
            cv = _parent_output(stack.pop(), cv).chaining_value()
            total >>= 1
        stack.append(cv)
    output = _chunk_output(chunks[-1], len(chunks) - 1)
    while stack:
        output = _parent_output(stack.pop(), output.chaining_value())
    return output.root_bytes()


def blake3_digest(data: bytes) -> bytes:
    """The 32-byte BLAKE3 hash of `data`."""
    try:
        from blake3 import blake3 as native_blake3  # type: ignore[import-not-found]
    except ImportError:
        return _pure_blake3(data)
    return native_blake3(data).digest()
