"""Photos that grid workers upload from their phones are untrusted input: only content
counts, and what we serve back is always a fresh JPEG, because phones embed GPS, serial
numbers and owner names that must not leak to whoever can view the photo.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from PIL import ExifTags, Image, ImageOps
from PIL.ExifTags import GPS

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})

# Errors Pillow's decoders are known to let out on hostile or damaged input.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error)
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")  # WebP is checked separately
_ROTATED = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height


class PhotoError(ValueError):
    """Refuses an upload: .code and .params say why (the shell words it for the worker holding
    the phone); str(e) is for logs."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class PhotoInfo:
    format: str
    width: int
    height: int
    gps: tuple[float, float] | None
    taken_at: datetime | None


@dataclass(frozen=True)
class Rendition:
    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


@dataclass(frozen=True)
class ProcessedPhoto:
    display: Rendition
    thumbnail: Rendition
    sha256: str


@dataclass(frozen=True)
class PhotoHeader:
    """What a photo claims before a single pixel is decoded: enough to price its decoding."""

    format: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def _damaged() -> PhotoError:
    return PhotoError("truncated", "The photo is incomplete or damaged.")


def _open(data: bytes, max_pixels: int) -> tuple[Image.Image, str]:
    """Image.open reads the header only; the pixels wait for load(). Call under _quiet()."""
    if not data:
        raise PhotoError("empty", "The uploaded file is empty.")
    try:
        img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise PhotoError("too_many_pixels", "The photo has too many pixels.") from None
    except _DECODE_ERRORS:
        # A known signature that fails to decode is a cut-off upload, not a wrong file.
        if data.startswith(_SIGNATURES) or data[:4] + data[8:12] == b"RIFFWEBP":
            raise _damaged() from None
        raise PhotoError("not_an_image", "The uploaded file is not an image.") from None
    # Phones store depth maps and previews as extra JPEG frames; Pillow then calls
    # the file "MPO", but its first frame is an ordinary JPEG.
    fmt = "JPEG" if img.format == "MPO" else str(img.format)
    if fmt not in ALLOWED_FORMATS:
        msg = f"{fmt} images are not accepted; use JPEG, PNG or WebP."
        raise PhotoError("unsupported_format", msg, format=fmt)
    if img.width * img.height > max_pixels:
        msg = f"The photo has too many pixels ({img.width}x{img.height})."
        raise PhotoError("too_many_pixels", msg, width=img.width, height=img.height)
    return img, fmt


@contextmanager
def _quiet() -> Iterator[None]:
    """Pillow reports bombs through warnings, which callers must never see. catch_warnings()
    is process-global before Python 3.14; a thread race can at worst hide one elsewhere."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.simplefilter("ignore", UserWarning)  # "corrupt EXIF" and the like
        yield


def peek(data: bytes, *, max_pixels: int = 40_000_000) -> PhotoHeader:
    """Format and declared size from the header alone, so a caller can price a batch of
    photos (a 600-byte JPEG may declare 36 million pixels) before paying for any decoding."""
    with _quiet():
        img, fmt = _open(data, max_pixels)
    return PhotoHeader(fmt, img.width, img.height)


def _fit(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """The size a thumbnail into a longest x longest box makes of `size` (never larger)."""
    scale = min(1.0, longest / max(size))
    return max(1, int(size[0] * scale)), max(1, int(size[1] * scale))


def _decode(data: bytes, max_pixels: int, longest: int) -> tuple[Image.Image, str]:
    """Decode once, and a JPEG only as large as needed: libjpeg's draft mode scales by 1/2,
    1/4 or 1/8 while decoding, keeping at least the size of a `longest` rendition. The
    whole file is still read, so a cut-off upload is caught at any scale."""
    with _quiet():
        img, fmt = _open(data, max_pixels)
        try:
            img.verify()  # checks PNG chunk CRCs, but lets cut-off JPEGs through...
            img = Image.open(io.BytesIO(data))
            if fmt == "JPEG":
                img.draft(img.mode, _fit(img.size, longest))
            img.load()  # ...which only decoding a fresh image catches
        except _DECODE_ERRORS:
            raise _damaged() from None
    return img, fmt


def _exif(img: Image.Image) -> Image.Exif:
    """EXIF is free-form attacker input; a broken block must cost the metadata, never the photo."""
    try:
        return img.getexif()
    except Exception:
        return Image.Exif()


def _degrees(parts, ref, positive: str, negative: str, limit: float) -> float:
    parts = parts if isinstance(parts, (tuple, list)) else (parts,)
    value = sum(float(p) / 60**i for i, p in enumerate(parts))  # x/0 rationals give nan...
    ref = (ref.decode("ascii") if isinstance(ref, bytes) else str(ref)).strip("\x00 ").upper()
    if not 1 <= len(parts) <= 3 or ref not in (positive, negative) or not 0 <= value <= limit:
        raise ValueError("bad GPS coordinate")  # ...which fails the range check
    return -value if ref == negative else value


def read_gps(exif) -> tuple[float, float] | None:
    """Location is optional evidence: anything malformed yields None rather than a refusal."""
    try:
        gps = exif.get(ExifTags.IFD.GPSInfo)
        if not isinstance(gps, dict):  # an offset into the parsed file, not an in-memory IFD
            gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        lat = _degrees(gps[GPS.GPSLatitude], gps[GPS.GPSLatitudeRef], "N", "S", 90)
        lon = _degrees(gps[GPS.GPSLongitude], gps[GPS.GPSLongitudeRef], "E", "W", 180)
    except Exception:
        return None
    # 0,0 is what phones write when they had no fix; no grid asset sits there.
    return None if lat == 0 and lon == 0 else (lon, lat)


def _taken_at(exif: Image.Exif) -> datetime | None:
    try:
        raw = exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal]
        raw = raw.decode("ascii") if isinstance(raw, bytes) else str(raw)
        return datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except Exception:
        return None


def inspect(data: bytes, *, max_pixels: int = 40_000_000) -> PhotoInfo:
    """Lets callers refuse early and file where and when a photo was taken, judging by
    content alone: file names and declared content types are the uploader's claims."""
    header = peek(data, max_pixels=max_pixels)
    img, fmt = _decode(data, max_pixels, 1)  # decoded at the smallest scale: is it whole?
    exif = _exif(img)
    width, height = header.width, header.height
    if exif.get(ExifTags.Base.Orientation) in _ROTATED:
        width, height = height, width
    return PhotoInfo(fmt, width, height, read_gps(exif), _taken_at(exif))


def _upright_rgb(img: Image.Image) -> Image.Image:
    if img.mode in ("I", "I;16", "I;16B"):  # 16-bit grey would clip to white in convert()
        img = img.convert("I").point(lambda v: v / 256).convert("L")
    if img.has_transparency_data:  # before info is cleared: palette transparency lives there
        white = Image.new("RGBA", img.size, "white")
        img = Image.alpha_composite(white, img.convert("RGBA"))
    img = img.convert("RGB")
    _exif(img)  # cache the parsed EXIF so exif_transpose takes the orientation from it...
    img.info = {}  # ...and finds no raw metadata to rewrite, which is where it can fail
    try:
        return ImageOps.exif_transpose(img)
    except Exception:
        return img  # a photo on its side beats no photo


def _jpeg(img: Image.Image, longest: int, quality: int) -> tuple[Image.Image, Rendition]:
    img = img.copy()
    img.thumbnail((longest, longest), Image.Resampling.LANCZOS)  # never upscales
    img.info = {}  # the JPEG encoder would otherwise copy a source comment across
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return img, Rendition(out.getvalue(), img.width, img.height)


def process(
    data: bytes,
    *,
    display_px: int = 2048,
    thumb_px: int = 320,
    quality: int = 85,
    max_pixels: int = 40_000_000,
) -> ProcessedPhoto:
    """Photos never leave as uploaded: upright, flattened, resized and stripped of all metadata."""
    img, _ = _decode(data, max_pixels, display_px)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        display_img, display = _jpeg(_upright_rgb(img), display_px, quality)
        _, thumbnail = _jpeg(display_img, thumb_px, quality)
    return ProcessedPhoto(display, thumbnail, hashlib.sha256(data).hexdigest())
