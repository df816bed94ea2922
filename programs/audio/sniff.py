"""What an uploaded file really is, from its first bytes: WAV, MP3, Ogg (Opus or Vorbis),
M4A (MP4 audio) or raw AAC (ADTS) — or nothing we accept.

The file name's extension and the browser's content type are whatever the sender says;
the container's own signature and header are checked instead. A file that starts like
audio but whose header makes no sense (a WAV with no format chunk, an MP3 "frame" whose
bit rate is invalid or whose next frame is not where the first says) is refused too.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import IO

# Enough for an ID3 tag with a small cover picture, then the first audio frames.
HEAD_BYTES = 256 * 1024


@dataclass(frozen=True)
class AudioFormat:
    name: str  # shown to the admin: "MP3", "WAV", …
    content_type: str
    extension: str


WAV = AudioFormat("WAV", "audio/wav", "wav")
MP3 = AudioFormat("MP3", "audio/mpeg", "mp3")
OGG = AudioFormat("Ogg", "audio/ogg", "ogg")
M4A = AudioFormat("M4A", "audio/mp4", "m4a")
AAC = AudioFormat("AAC", "audio/aac", "aac")
FORMATS = (MP3, M4A, AAC, OGG, WAV)

# MP4 major brands of audio files (and the generic ones many encoders write for audio).
M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"mp42", b"mp41", b"isom", b"iso2", b"dash", b"F4A "}

# MPEG audio layer III bit rates (kbit/s) by version, index 1–14; 0 and 15 are invalid.
_MP3_BITRATES = {
    "1": (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    "2": (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {
    "1": (44100, 48000, 32000),
    "2": (22050, 24000, 16000),
    "2.5": (11025, 12000, 8000),
}


def sniff(stream: IO[bytes]) -> AudioFormat | None:
    """The audio format of `stream` (read from its start; left at its start), or None."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    for check, found in (
        (_is_wav, WAV),
        (_is_ogg, OGG),
        (_is_m4a, M4A),
        (_is_mp3, MP3),
        (_is_adts, AAC),
    ):
        if check(head):
            return found
    return None


def _is_wav(head: bytes) -> bool:
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return False
    # Walk the chunks to "fmt ": PCM or another real codec, channels and a sample rate.
    offset = 12
    while offset + 8 <= len(head):
        chunk_id, size = (
            head[offset : offset + 4],
            struct.unpack("<I", head[offset + 4 : offset + 8])[0],
        )
        if chunk_id == b"fmt ":
            if size < 16 or offset + 8 + 16 > len(head):
                return False
            codec, channels, rate = struct.unpack("<HHI", head[offset + 8 : offset + 16])
            return codec != 0 and 1 <= channels <= 32 and 1000 <= rate <= 384_000
        offset += 8 + size + (size & 1)
    return False


def _is_ogg(head: bytes) -> bool:
    # The first page: "OggS", version 0, beginning-of-stream flag, then its segment table;
    # the first packet names the codec.
    if len(head) < 28 or head[:4] != b"OggS" or head[4] != 0 or not head[5] & 0x02:
        return False
    segments = head[26]
    packet = head[27 + segments : 27 + segments + 8]
    return packet.startswith(b"OpusHead") or packet[:7] == b"\x01vorbis"


def _is_m4a(head: bytes) -> bool:
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    size = struct.unpack(">I", head[:4])[0]
    if not 16 <= size <= 256:
        return False
    brands = {head[8:12]} | {head[i : i + 4] for i in range(16, min(size, len(head)), 4)}
    return bool(brands & M4A_BRANDS)


def _mp3_frame_length(head: bytes, at: int) -> int:
    """The length of the MPEG audio layer III frame at `at`, or 0 if there is none."""
    if at + 4 > len(head) or head[at] != 0xFF or head[at + 1] & 0xE0 != 0xE0:
        return 0
    version_bits = (head[at + 1] >> 3) & 0x03
    layer_bits = (head[at + 1] >> 1) & 0x03
    if version_bits == 0b01 or layer_bits != 0b01:  # reserved version; not layer III
        return 0
    version = {0b11: "1", 0b10: "2", 0b00: "2.5"}[version_bits]
    bitrate_index = head[at + 2] >> 4
    rate_index = (head[at + 2] >> 2) & 0x03
    if bitrate_index in (0, 15) or rate_index == 3:
        return 0
    bitrate = _MP3_BITRATES["1" if version == "1" else "2"][bitrate_index] * 1000
    rate = _MP3_RATES[version][rate_index]
    padding = (head[at + 2] >> 1) & 0x01
    per_frame = 144 if version == "1" else 72
    return per_frame * bitrate // rate + padding


def _is_mp3(head: bytes) -> bool:
    start = 0
    if head[:3] == b"ID3" and len(head) >= 10:
        # ID3v2 tag: its size is four 7-bit bytes; the audio starts after it.
        if any(b & 0x80 for b in head[6:10]):
            return False
        size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        start = 10 + size + (10 if head[5] & 0x10 else 0)
        # Some encoders pad after the tag: find the first frame in the next few bytes.
        for skip in range(start, min(start + 4096, len(head) - 4)):
            if _mp3_frame_length(head, skip):
                start = skip
                break
    first = _mp3_frame_length(head, start)
    if not first:
        return False
    # Two frames in a row, each where the one before says: not a chance match.
    return bool(_mp3_frame_length(head, start + first))


def _is_adts(head: bytes) -> bool:
    def frame_length(at: int) -> int:
        if at + 7 > len(head) or head[at] != 0xFF or head[at + 1] & 0xF6 != 0xF0:
            return 0
        if (head[at + 2] >> 2) & 0x0F > 12:  # sampling frequency index
            return 0
        return ((head[at + 3] & 0x03) << 11) | (head[at + 4] << 3) | (head[at + 5] >> 5)

    first = frame_length(0)
    return first >= 7 and bool(frame_length(first))
