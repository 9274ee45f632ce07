"""Walk an audio file's container from its first byte to its last, so that a real recording with something else
appended (a ZIP, an HTML page, any bytes) is told apart from a recording.

Each walker raises `Broken` when the structure is not what it claims (damaged or truncated) and `ExtraData` when a
valid recording is followed by bytes that belong to no part of it. They read structure, not sound: mutagen's own
readers (MPEG frames, Ogg pages with their CRC, MP4 atoms) where it has them, and small readers for RIFF, ADTS and
Matroska (WebM), which mutagen does not walk.
"""

from __future__ import annotations

import io
import struct

from mutagen.mp3 import HeaderNotFoundError, MPEGFrame
from mutagen.mp4 import AtomError, Atoms
from mutagen.ogg import OggPage
from mutagen.ogg import error as OggError


class Broken(ValueError):
    """The container is damaged or truncated."""


class ExtraData(ValueError):
    """A complete recording is followed by other data."""


# --- Tags around MPEG and ADTS streams ----------------------------------------------------------------------------


def _id3v2_end(data: bytes) -> int:
    """Where audio starts after any ID3v2 tags at the front."""
    position = 0
    while data[position:position + 3] == b"ID3" and len(data) >= position + 10:
        size = 0
        for byte in data[position + 6:position + 10]:
            if byte & 0x80:
                raise Broken("bad ID3 size")
            size = size << 7 | byte
        footer = 10 if data[position + 5] & 0x10 else 0
        position += 10 + size + footer
    if position > len(data):
        raise Broken("ID3 tag longer than the file")
    return position


def _trailing_tags_start(data: bytes, start: int) -> int:
    """Where audio ends before an ID3v1 tag and an APEv2 tag at the back."""
    end = len(data)
    if end - start >= 128 and data[end - 128:end - 125] == b"TAG":
        end -= 128
    if end - start >= 32 and data[end - 32:end - 24] == b"APETAGEX":
        size, _items, flags = struct.unpack("<III", data[end - 20:end - 8])
        end -= size + (32 if flags & 0x80000000 else 0)
        if end < start:
            raise Broken("APE tag longer than the file")
    return end


# --- The walkers --------------------------------------------------------------------------------------------------


def walk_mp3(data: bytes) -> None:
    """Every byte between the tags is a chain of MPEG audio frames, each starting where the last one ends."""
    position = _id3v2_end(data)
    end = _trailing_tags_start(data, position)
    stream = io.BytesIO(data)
    frames = 0
    while position < end:
        stream.seek(position)
        try:
            MPEGFrame(stream)
        except HeaderNotFoundError:
            raise (ExtraData if frames else Broken)(f"no MPEG frame at byte {position}") from None
        position = stream.tell()
        frames += 1
    if position > end:
        raise Broken("the last MPEG frame is cut short")
    if not frames:
        raise Broken("no MPEG frames")


def walk_adts(data: bytes) -> None:
    """A chain of ADTS frames (raw AAC), each header giving its frame's length."""
    position = _id3v2_end(data)
    end = _trailing_tags_start(data, position)
    frames = 0
    while position < end:
        header = data[position:position + 7]
        if len(header) < 7 or header[0] != 0xFF or header[1] & 0xF6 != 0xF0:
            raise (ExtraData if frames else Broken)(f"no ADTS frame at byte {position}")
        length = (header[3] & 0x03) << 11 | header[4] << 3 | header[5] >> 5
        if length < 7:
            raise Broken("ADTS frame too short")
        position += length
        frames += 1
    if position > end:
        raise Broken("the last ADTS frame is cut short")
    if not frames:
        raise Broken("no ADTS frames")


def walk_ogg(data: bytes) -> None:
    """Ogg pages back to back to the end, each one's checksum right (mutagen rewrites the page, CRC included)."""
    stream = io.BytesIO(data)
    pages = 0
    while stream.tell() < len(data):
        start = stream.tell()
        try:
            page = OggPage(stream)
        except (OggError, EOFError, OSError):
            cut_short = data[start:start + 4] == b"OggS"
            raise (ExtraData if pages and not cut_short else Broken)(f"no Ogg page at byte {start}") from None
        if page.write() != data[start:stream.tell()]:
            raise Broken(f"Ogg page at byte {start} is damaged")
        pages += 1
    if not pages:
        raise Broken("no Ogg pages")


MP4_TOP_LEVEL = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"udta", b"uuid", b"meta", b"pdin", b"moof",
                 b"mfra", b"styp", b"sidx", b"ssix", b"prft", b"emsg"}


def walk_mp4(data: bytes) -> None:
    """MP4 / M4A / 3GP: known top-level atoms (mutagen walks into the containers) tiling the file exactly."""
    try:
        atoms = Atoms(io.BytesIO(data)).atoms
    except AtomError as error:
        raise Broken(f"MP4 structure: {error}") from None
    names = set()
    position = 0
    for atom in atoms:
        if atom.name not in MP4_TOP_LEVEL:
            complete = {b"moov", b"mdat"} <= names
            raise (ExtraData if complete else Broken)(f"unknown atom at byte {atom.offset}")
        if atom.offset + atom.length > len(data):
            raise Broken(f"atom {atom.name!r} is cut short")
        names.add(atom.name)
        position = atom.offset + atom.length
    if not atoms or atoms[0].name != b"ftyp" or not {b"moov", b"mdat"} <= names:
        raise Broken("an MP4 recording needs ftyp, moov and mdat")
    if position != len(data):
        raise ExtraData(f"{len(data) - position} bytes after the last atom")


def walk_wav(data: bytes) -> None:
    """RIFF/WAVE: the RIFF size covers the whole file, and its chunks tile it, with "fmt " and "data" among them."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise Broken("not RIFF/WAVE")
    end = 8 + struct.unpack("<I", data[4:8])[0]
    if end > len(data):
        raise Broken("the RIFF chunk is cut short")
    position, chunks = 12, set()
    while position < end:
        if position + 8 > end:
            raise Broken("a chunk header is cut short")
        chunk_id, size = data[position:position + 4], struct.unpack("<I", data[position + 4:position + 8])[0]
        if not all(32 <= byte < 127 for byte in chunk_id):
            raise Broken(f"not a chunk at byte {position}")
        chunks.add(chunk_id)
        position += 8 + size + (size & 1)
    if position > end + 1:  # the pad byte of an odd last chunk may lie outside the RIFF size
        raise Broken("the last chunk is cut short")
    if not {b"fmt ", b"data"} <= chunks:
        raise Broken("a WAVE file needs fmt and data chunks")
    if len(data) > max(position, end):
        raise ExtraData(f"{len(data) - max(position, end)} bytes after the RIFF chunk")


# Matroska / WebM element ids (with their length marker bits), per the Matroska specification.
EBML_HEADER, SEGMENT, CLUSTER = 0x1A45DFA3, 0x18538067, 0x1F43B675
VOID, CRC32 = 0xEC, 0xBF
SEGMENT_CHILDREN = {0x114D9B74, 0x1549A966, 0x1654AE6B, CLUSTER, 0x1C53BB6B, 0x1254C367, 0x1043A770, 0x1941A469,
                    VOID, CRC32}
CLUSTER_CHILDREN = {0xE7, 0x5854, 0xA7, 0xAB, 0xA3, 0xA0, 0xAF, VOID, CRC32}
BLOCKS = {0xA3, 0xA0}  # SimpleBlock, BlockGroup
UNKNOWN = None


def _vint(data: bytes, position: int, *, keep_marker: bool) -> tuple[int | None, int]:
    """An EBML variable-length integer at `position`: (value, length); value None for "unknown size"."""
    if position >= len(data):
        raise Broken("cut short")
    first = data[position]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or position + length > len(data):
        raise Broken(f"bad EBML number at byte {position}")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[position + 1:position + length]:
        value = value << 8 | byte
    if not keep_marker and value == (1 << (7 * length)) - 1:
        return UNKNOWN, length
    return value, length


def _element(data: bytes, position: int) -> tuple[int, int | None, int]:
    """(id, size or None, where the content starts) of the element at `position`."""
    element_id, id_length = _vint(data, position, keep_marker=True)
    if id_length > 4:
        raise Broken(f"bad element id at byte {position}")
    size, size_length = _vint(data, position + id_length, keep_marker=False)
    return element_id, size, position + id_length + size_length


def walk_webm(data: bytes) -> None:
    """EBML header, then one Segment whose elements (clusters of known or unknown size included) run to the end
    of the file, with at least one block of sound."""
    element_id, size, start = _element(data, 0)
    if element_id != EBML_HEADER or size is UNKNOWN or start + size > len(data):
        raise Broken("no EBML header")
    element_id, size, position = _element(data, start + size)
    if element_id != SEGMENT:
        raise Broken("no Segment after the EBML header")
    segment_end = len(data) if size is UNKNOWN else position + size
    if segment_end > len(data):
        raise Broken("the Segment is cut short")
    blocks = 0
    in_cluster = False  # inside a cluster of unknown size: it ends at the first element that is not its child
    while position < segment_end:
        try:
            element_id, size, content = _element(data, position)
        except Broken:
            if blocks:
                raise ExtraData(f"no element at byte {position}") from None
            raise
        if in_cluster and element_id in CLUSTER_CHILDREN:
            pass
        elif element_id in SEGMENT_CHILDREN:
            in_cluster = False
        else:
            raise (ExtraData if blocks else Broken)(f"unknown element {element_id:#x} at byte {position}")
        if element_id == CLUSTER and size is UNKNOWN:
            in_cluster = True
            position = content
            continue
        if size is UNKNOWN:
            raise Broken(f"element {element_id:#x} of unknown size")
        if content + size > segment_end:
            raise Broken(f"element {element_id:#x} is cut short")
        if element_id == CLUSTER:
            # Known size: walk its children here, then carry on after it.
            blocks += _walk_cluster(data, content, content + size)
        elif element_id in BLOCKS:
            blocks += 1
        position = content + size
    if not blocks:
        raise Broken("no sound blocks")
    if segment_end < len(data):
        raise ExtraData(f"{len(data) - segment_end} bytes after the Segment")


def _walk_cluster(data: bytes, position: int, end: int) -> int:
    blocks = 0
    while position < end:
        element_id, size, content = _element(data, position)
        if element_id not in CLUSTER_CHILDREN or size is UNKNOWN or content + size > end:
            raise Broken(f"bad cluster element at byte {position}")
        blocks += element_id in BLOCKS
        position = content + size
    return blocks
