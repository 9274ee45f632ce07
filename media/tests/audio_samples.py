"""Real recordings for the upload tests, encoded with FFmpeg's own encoders through PyAV (a test dependency), in the
containers phones and browsers record into."""

from __future__ import annotations

import io
import struct
import wave
import zipfile

import av
import numpy as np

# name: (PyAV muxer, encoder, sample rate, muxer options)
FORMATS = {
    "webm": ("webm", "libopus", 48000, {}),  # Chrome and Android MediaRecorder
    "webm-live": ("webm", "libopus", 48000, {"live": "1"}),  # as MediaRecorder streams it: Segment of unknown size
    "ogg": ("ogg", "libopus", 48000, {}),  # Firefox MediaRecorder
    "m4a": ("ipod", "aac", 44100, {}),  # iPhone voice memos, Safari
    "3gp": ("3gp", "aac", 44100, {}),  # older Android recorders
    "mp3": ("mp3", "libmp3lame", 44100, {}),
    "aac": ("adts", "aac", 44100, {}),
}


def recording(name: str, seconds: float = 1.0) -> bytes:
    """`seconds` of a 440 Hz tone in the named container."""
    if name == "wav":
        return wav_bytes(seconds)
    muxer, codec, rate, options = FORMATS[name]
    out = io.BytesIO()
    container = av.open(out, "w", format=muxer, options=options)
    stream = container.add_stream(codec, rate=rate)
    stream.layout = "mono"
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(int(rate * seconds)) / rate)).astype(np.float32)
    frame = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="flt", layout="mono")
    frame.sample_rate = rate
    for packet in [*stream.encode(frame), *stream.encode(None)]:
        container.mux(packet)
    container.close()
    return out.getvalue()


def wav_bytes(seconds: float = 0.5) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(struct.pack("<h", 0) * int(8000 * seconds))
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("invoice.html", "<html><body>Pay now</body></html>" * 20)
    return out.getvalue()


APPENDED = {
    "a ZIP archive": zip_bytes(),
    "an HTML page": b"<!doctype html><html><head><title>Win</title></head><body><a href='x'>Pay</a></body></html>",
    "random bytes": bytes((i * 7919 + 13) % 256 for i in range(3000)),
    "a text line": b"\nhello\n",
}
