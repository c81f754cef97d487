"""Hostile uploads built at test time: a real DOCX whose ``word/document.xml`` unpacks to about 1 GB.

Compressing 1 GB with zlib takes ~10 s here, so the deflate stream is assembled by hand instead: a stored
block with the XML prefix, then one byte-aligned fixed-Huffman block (``n`` copies of "repeat the last 258
bytes at distance 1") repeated as many times as needed, then a final stored block with the XML suffix. It
is a valid deflate stream that any inflater (zipfile, python-docx, lxml) expands to the full size.
"""

from __future__ import annotations

import struct
import zlib

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PREFIX = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>a').encode()
SUFFIX = b"</w:t></w:r></w:p></w:body></w:document>"


def _stored(data: bytes, final: bool) -> bytes:
    return bytes([1 if final else 0]) + struct.pack("<HH", len(data), 0xFFFF ^ len(data)) + data


def _fixed_block(copies: int) -> bytes:
    """A non-final fixed-Huffman block of ``copies`` x (length 258, distance 1); byte-aligned when
    ``copies % 8 == 6`` (3 header bits + 13 bits per copy + 7 end-of-block bits)."""
    assert copies % 8 == 6
    bits = [0, 1, 0]  # BFINAL=0, BTYPE=01 (fixed), LSB first
    for _ in range(copies):
        bits += [1, 1, 0, 0, 0, 1, 0, 1]  # literal/length code 285 (length 258), Huffman codes MSB first
        bits += [0, 0, 0, 0, 0]  # distance code 0 (distance 1)
    bits += [0] * 7  # end of block (code 256)
    out = bytearray()
    for i in range(0, len(bits), 8):
        out.append(sum(bit << j for j, bit in enumerate(bits[i : i + 8])))
    return bytes(out)


def deflate_bomb(size: int) -> tuple[bytes, int, int]:
    """A raw deflate stream of PREFIX + 'a' * ~size + SUFFIX; returns (stream, unpacked size, CRC-32)."""
    copies = 8 * 500 + 6
    block = _fixed_block(copies)
    per_block = copies * 258
    n_blocks = max(1, size // per_block)
    stream = _stored(PREFIX, False) + block * n_blocks + _stored(SUFFIX, True)
    crc = zlib.crc32(PREFIX)
    chunk = b"a" * per_block
    for _ in range(n_blocks):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(SUFFIX, crc)
    return stream, len(PREFIX) + n_blocks * per_block + len(SUFFIX), crc


def _zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive from (name, data, method, unpacked size, crc) entries (sizes under 4 GiB)."""
    out = bytearray()
    central = bytearray()
    for name, data, method, size, crc in entries:
        raw = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(raw), 0)
        out += raw + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data),
                               size, len(raw), 0, 0, 0, 0, 0, offset)
        central += raw
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0)
    return bytes(out)


CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                 b'2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                 b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                 b'officedocument.wordprocessingml.document.main+xml"/></Types>')


RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx_bomb(size: int = 1 << 30, declared: int | None = None) -> bytes:
    """A DOCX whose document.xml unpacks to ``size`` bytes; ``declared`` overrides the size written in the
    zip headers (a lying archive)."""
    stream, unpacked, crc = deflate_bomb(size)
    return _zip([
        ("[Content_Types].xml", CONTENT_TYPES, 0, len(CONTENT_TYPES), zlib.crc32(CONTENT_TYPES)),
        ("_rels/.rels", RELS, 0, len(RELS), zlib.crc32(RELS)),
        ("word/document.xml", stream, 8, unpacked if declared is None else declared, crc),
    ])
