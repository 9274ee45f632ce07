"""Photos that carry every kind of metadata, each block holding its own marker string, and readers that list what a
JPEG or a PDF really contains, for byte-level tests of the photo cleaning and the posters."""

from __future__ import annotations

import io
import re
import struct
import zlib

from PIL import Image
from PIL.PngImagePlugin import PngInfo

PHONE = "+91 98220 12345"
# One marker per block, none a part of another, so that a marker found tells which block survived.
MARKERS = {
    "exif": f"Marker1ExifDescription call {PHONE}",
    "exif-gps": "Marker2ExifGps",
    "xmp": "Marker3Xmp",
    "iptc": "Marker4Iptc",
    "icc": "Marker5Icc",
    "comment": f"Marker6JpegComment pay {PHONE}",
    "png-text": "Marker7PngText",
    "png-itxt": "Marker8PngItxt",
    "png-ztxt": "Marker9PngZtxt",
    "gif-comment": "Marker10GifComment",
    "gif-xmp": "Marker11GifXmp",
}
GPS_IFD = 0x8825


def _s15f16(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def swapped_rgb_profile(description: str) -> bytes:
    """An ICC v2 RGB display profile whose red and blue primaries are sRGB's blue and red, so that a pixel stored
    as pure red *means* blue: converting it to sRGB must turn it blue. Its description holds `description`."""
    d50 = (0.9642, 1.0, 0.8249)
    srgb_red, srgb_green, srgb_blue = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)

    def xyz(values):
        return b"XYZ " + b"\0" * 4 + b"".join(_s15f16(v) for v in values)

    text = description.encode("ascii") + b"\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(text)) + text + b"\0" * 8 + b"\0\0" + b"\0" + b"\0" * 67
    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # gamma 2.2
    tags = [(b"desc", desc), (b"wtpt", xyz(d50)), (b"rXYZ", xyz(srgb_blue)), (b"gXYZ", xyz(srgb_green)),
            (b"bXYZ", xyz(srgb_red)), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 24 + struct.pack(">I", 0)
              + b"".join(_s15f16(v) for v in d50) + b"\0" * 48)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def exif() -> Image.Exif:
    data = Image.Exif()
    data[0x010E] = MARKERS["exif"]  # ImageDescription
    data[0x013B] = "Priya Sharma"  # Artist
    data.get_ifd(GPS_IFD).update({1: "N", 2: (18.0, 32.0, 10.3), 3: "E", 4: (73.0, 53.0, 38.0),
                                  27: MARKERS["exif-gps"]})  # GPSProcessingMethod
    return data


def xmp(marker: str) -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="{marker}"/>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def picture(size=(1200, 900)) -> Image.Image:
    """Pure red on the left, white on the right: colour conversion and orientation are both visible."""
    image = Image.new("RGB", size, (255, 255, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return image


def iptc_segment(caption: str) -> bytes:
    """An APP13 Photoshop segment with an IPTC-IIM record: 2:00 version and 2:120 caption."""
    records = b"\x1c\x02\x00" + struct.pack(">H", 2) + b"\x00\x04"
    text = caption.encode()
    records += b"\x1c\x02\x78" + struct.pack(">H", len(text)) + text
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(records)) + records
    resource += b"\0" * (len(resource) % 2)
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_everything() -> bytes:
    out = io.BytesIO()
    picture().save(out, "JPEG", quality=90, exif=exif(), icc_profile=swapped_rgb_profile(MARKERS["icc"]),
                   comment=MARKERS["comment"], xmp=xmp(MARKERS["xmp"]))
    data = out.getvalue()
    return data[:2] + iptc_segment(MARKERS["iptc"]) + data[2:]


def png_with_everything() -> bytes:
    info = PngInfo()
    info.add_text("Comment", MARKERS["png-text"])  # tEXt
    info.add_itxt("Description", MARKERS["png-itxt"], lang="en", tkey="Description")  # iTXt
    info.add_text("Author", MARKERS["png-ztxt"], zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", xmp(MARKERS["xmp"]).decode())  # XMP lives in an iTXt chunk
    out = io.BytesIO()
    picture().save(out, "PNG", pnginfo=info, exif=exif(), icc_profile=swapped_rgb_profile(MARKERS["icc"]))
    return out.getvalue()


def gif_with_everything() -> bytes:
    out = io.BytesIO()
    picture().convert("P", palette=Image.Palette.ADAPTIVE, colors=4).save(out, "GIF",
                                                                          comment=MARKERS["gif-comment"])
    data = out.getvalue()
    # XMP in GIF: an application extension "XMP DataXMP" in data sub-blocks, before the trailer.
    packet = xmp(MARKERS["gif-xmp"])
    blocks = b"".join(bytes([len(packet[i:i + 255])]) + packet[i:i + 255] for i in range(0, len(packet), 255))
    return data[:-1] + b"\x21\xff\x0bXMP DataXMP" + blocks + b"\x00" + data[-1:]


def webp_with_everything() -> bytes:
    out = io.BytesIO()
    picture().save(out, "WEBP", quality=90, exif=exif(), icc_profile=swapped_rgb_profile(MARKERS["icc"]),
                   xmp=xmp(MARKERS["xmp"]))
    return out.getvalue()


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) for each segment of a JPEG up to the first scan, then the markers after the scans."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    segments = [(0xD8, b"")]
    position = 2
    while position < len(data):
        assert data[position] == 0xFF, f"no marker at byte {position}"
        marker = data[position + 1]
        if marker == 0xD9:
            segments.append((marker, b""))
            assert position + 2 == len(data), "bytes after the end of the JPEG"
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            segments.append((marker, b""))
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        segments.append((marker, data[position + 4:position + 2 + length]))
        position += 2 + length
        if marker == 0xDA:
            while not (data[position] == 0xFF and data[position + 1] not in (0x00, *range(0xD0, 0xD8))):
                position += 1
    return segments


def pdf_stream_contents(pdf: bytes) -> list[bytes]:
    """Every stream of a PDF as stored and, where it is Flate-compressed, inflated."""
    contents = []
    for match in re.finditer(rb"(?<!end)stream\r?\n(.*?)(?:\r?\n)?endstream", pdf, re.S):
        raw = match.group(1)
        contents.append(raw)
        try:
            contents.append(zlib.decompress(raw))
        except zlib.error:
            pass
    return contents
