"""Small audio files made in the test, and files that only pretend to be audio.

A WAV is written with the standard library's `wave` module (a real, playable tone). The
others are built from their published container layouts: MP3 frames (MPEG-1 layer III,
128 kbit/s, 44.1 kHz), an Ogg page carrying an Opus or Vorbis header, an MP4 file-type
box with an audio brand, raw AAC in ADTS frames.
"""

from __future__ import annotations

import io
import math
import struct
import wave


def wav(seconds: float = 0.5, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
            for i in range(int(seconds * rate))
        )
        w.writeframes(frames)
    return out.getvalue()


MP3_HEADER = b"\xff\xfb\x90\x64"  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz, no padding
MP3_FRAME = 144 * 128_000 // 44_100  # 417 bytes


def mp3(frames: int = 8, id3: bool = False) -> bytes:
    body = (MP3_HEADER + bytes(MP3_FRAME - 4)) * frames
    if not id3:
        return body
    tag = b"TIT2" + struct.pack(">I", 6) + b"\x00\x00" + b"\x00Step"  # a title frame
    size = len(tag)
    synchsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x04\x00\x00" + synchsafe + tag + body


def ogg(codec_packet: bytes) -> bytes:
    segments = bytes([len(codec_packet)])
    header = (
        b"OggS"
        + bytes([0, 0x02])  # version 0, beginning of stream
        + bytes(8)  # granule position
        + struct.pack("<I", 1234)  # stream serial
        + struct.pack("<I", 0)  # page sequence
        + bytes(4)  # checksum (not what the sniff looks at)
        + bytes([len(segments)])
    )
    return header + segments + codec_packet + bytes(64)


def opus() -> bytes:
    return ogg(b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0))


def vorbis() -> bytes:
    return ogg(b"\x01vorbis" + bytes(23))


def m4a(brand: bytes = b"M4A ") -> bytes:
    ftyp = brand + struct.pack(">I", 0) + brand + b"isom"
    return struct.pack(">I", 8 + len(ftyp)) + b"ftyp" + ftyp + struct.pack(">I", 8) + b"free"


def adts(frames: int = 4) -> bytes:
    length = 64
    header = bytes(
        [
            0xFF,
            0xF1,  # MPEG-4, layer 0, no CRC
            0x50,  # AAC LC, 44.1 kHz
            0x80 | (length >> 11),
            (length >> 3) & 0xFF,
            ((length & 0x07) << 5) | 0x1F,
            0xFC,
        ]
    )
    return (header + bytes(length - 7)) * frames


def make_recording(
    practice, slot: str = "step:settle", language: str = "en", transcript: str = "Words."
):
    """A practice's recording with a real WAV file in storage (for the guard tests'
    worlds; the upload path itself is tested in tests/test_audio.py)."""
    from django.core.files.base import ContentFile

    from programs.audio.models import Recording

    content = wav()
    recording = Recording(
        practice=practice,
        slot=slot,
        language=language,
        content_type="audio/wav",
        size=len(content),
        transcript=transcript,
    )
    recording.file.save("recording.wav", ContentFile(content), save=False)
    recording.save()
    return recording
