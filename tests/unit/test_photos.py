import ast
import hashlib
import io
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageFile, TiffImagePlugin

from dispatch.core import photos
from dispatch.core.photos import PhotoError, inspect, process, read_gps

CHONGQING = ("N", (29, 34, 36.0), "E", (106, 31, 48.0))  # 29.576667 N, 106.53 E


def make_image(
    size=(400, 200), fmt="JPEG", *, mode="RGB", orientation=None, gps=None, taken=None, **save
):
    """Noisy pixels so that cutting the file in half lands inside the image data."""
    img = Image.merge("RGB", [Image.effect_noise(size, 64 + 20 * i) for i in range(3)]).convert(
        mode
    )
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if gps is not None:
        lat_ref, lat, lon_ref, lon = gps
        exif[0x8825] = {1: lat_ref, 2: lat, 3: lon_ref, 4: lon}
    if taken is not None:
        exif[0x8769] = {0x9003: taken}
    if len(exif) and "exif" not in save:
        save["exif"] = exif.tobytes()
    out = io.BytesIO()
    img.save(out, fmt, **save)
    return out.getvalue()


def refused(data, **kwargs):
    with pytest.raises(PhotoError) as caught:
        inspect(data, **kwargs)
    with pytest.raises(PhotoError) as caught_again:
        process(data, **kwargs)
    assert caught.value.code == caught_again.value.code
    assert str(caught.value)
    return caught.value.code


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_allowed_formats_are_accepted(fmt):
    info = inspect(make_image(fmt=fmt))
    assert (info.format, info.width, info.height) == (fmt, 400, 200)
    assert info.gps is None and info.taken_at is None


def test_multi_frame_phone_jpeg_counts_as_jpeg():
    first = Image.new("RGB", (64, 48), "red")
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (32, 24))])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    assert inspect(out.getvalue()).format == "JPEG"
    assert process(out.getvalue()).display.width == 64


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"hello, this is plainly text\n" * 20, "not_an_image"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "not_an_image"),
        (make_image(fmt="GIF"), "unsupported_format"),
        (make_image(fmt="BMP"), "unsupported_format"),
        (make_image(fmt="TIFF"), "unsupported_format"),
    ],
    ids=["empty", "text", "pdf", "gif", "bmp", "tiff"],
)
def test_bad_uploads_are_refused(data, code):
    assert refused(data) == code


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("keep", [0.5, 0.9], ids=["half", "most"])
def test_truncated_uploads_are_refused(fmt, keep):
    data = make_image(fmt=fmt)
    assert refused(data[: int(len(data) * keep)]) == "truncated"


def test_too_many_pixels_is_refused_before_decoding():
    assert refused(make_image((100, 100), "PNG"), max_pixels=9_999) == "too_many_pixels"
    assert inspect(make_image((100, 100), "PNG"), max_pixels=10_000).width == 100


def test_pillow_bomb_protection_never_escapes(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000)
    assert inspect(make_image((40, 40), "PNG")).width == 40  # Pillow would only warn here
    assert refused(make_image((100, 100), "PNG")) == "too_many_pixels"  # Pillow raises here


def test_photo_error_is_a_value_error_with_a_code():
    err = PhotoError("empty", "The uploaded file is empty.")
    assert (
        isinstance(err, ValueError)
        and err.code == "empty"
        and str(err) == "The uploaded file is empty."
    )


def test_exif_orientation_is_applied():
    data = make_image((400, 200), orientation=6)
    info = inspect(data)
    assert (info.width, info.height) == (200, 400)
    result = process(data)
    assert (result.display.width, result.display.height) == (200, 400)
    assert Image.open(io.BytesIO(result.display.data)).size == (200, 400)
    assert (result.thumbnail.width, result.thumbnail.height) == (160, 320)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_agrees_between_inspect_and_process(orientation):
    data = make_image((400, 200), orientation=orientation)
    info, result = inspect(data), process(data)
    expected = (200, 400) if orientation >= 5 else (400, 200)
    assert (info.width, info.height) == (result.display.width, result.display.height) == expected


def test_sixteen_bit_grey_png_keeps_its_tones():
    grey = Image.linear_gradient("L").convert("I").point(lambda v: v * 256).convert("I;16")
    out = io.BytesIO()
    grey.save(out, "PNG")
    rendered = Image.open(io.BytesIO(process(out.getvalue()).display.data))
    assert rendered.getpixel((0, 10))[0] < 30 and 100 < rendered.getpixel((0, 128))[0] < 160


def test_gps_and_time_are_read():
    info = inspect(make_image(gps=CHONGQING, taken="2024:05:17 09:30:00"))
    assert info.gps == pytest.approx((106.53, 29.576667), abs=1e-5)
    assert info.taken_at.isoformat() == "2024-05-17T09:30:00"


@pytest.mark.parametrize(
    ("lat_ref", "lon_ref", "sign"), [("S", "E", (1, -1)), ("N", "W", (-1, 1)), ("S", "W", (-1, -1))]
)
def test_southern_and_western_refs_are_negative(lat_ref, lon_ref, sign):
    lon, lat = inspect(make_image(gps=(lat_ref, (29, 34, 36.0), lon_ref, (106, 31, 48.0)))).gps
    assert (lon, lat) == pytest.approx((sign[0] * 106.53, sign[1] * 29.576667), abs=1e-5)


@pytest.mark.parametrize(
    "gps",
    [
        {5: "unused"},  # control: well-formed
        {2: (TiffImagePlugin.IFDRational(29, 0), 34, 36)},
        {1: "X"},
        {2: (95, 0, 0)},
        {2: ()},
        {2: "29 34 36"},
        {2: (0, 0, 0), 4: (0, 0, 0)},
    ],
    ids=["valid", "zero-denominator", "bad-ref", "out-of-range", "empty", "text", "null-island"],
)
def test_malformed_gps_reads_as_none(gps):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (29, 34, 36.0), 3: "E", 4: (106, 31, 48.0), **gps}
    expected = (106.53, 29.576667) if 5 in gps else None
    assert read_gps(exif) == (pytest.approx(expected, abs=1e-5) if expected else None)


def test_missing_gps_reads_as_none():
    assert read_gps(Image.Exif()) is None
    assert inspect(make_image(orientation=1)).gps is None
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (29, 34, 36.0)}  # latitude only
    assert read_gps(exif) is None


@pytest.mark.parametrize(
    "exif",
    [
        b"Exif\x00\x00garbage that is no TIFF header",
        b"Exif\x00\x00II*\x00\xff\xff\xff\x7f",
        b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x05",
    ],
)
def test_broken_exif_costs_only_the_metadata(exif):
    data = make_image(exif=exif)
    info = inspect(data)
    assert (info.width, info.height, info.gps, info.taken_at) == (400, 200, None, None)
    assert process(data).display.width == 400


@pytest.mark.parametrize(
    ("size", "display", "thumb"),
    [
        ((3000, 1500), (2048, 1024), (320, 160)),
        ((1500, 3000), (1024, 2048), (160, 320)),
        ((100, 50), (100, 50), (100, 50)),
    ],
)
def test_renditions_fit_without_upscaling(size, display, thumb):
    result = process(make_image(size, "PNG"))
    for rendition, expected in ((result.display, display), (result.thumbnail, thumb)):
        assert (rendition.width, rendition.height) == expected
        assert Image.open(io.BytesIO(rendition.data)).size == expected
        assert rendition.content_type == "image/jpeg"


def test_custom_rendition_sizes():
    result = process(make_image((1000, 500)), display_px=600, thumb_px=100, quality=60)
    assert (result.display.width, result.thumbnail.width) == (600, 100)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparency_is_flattened_onto_white(mode):
    img = Image.new("RGBA", (64, 64), (255, 0, 0, 0))
    img.paste((0, 0, 255, 255), (0, 0, 32, 64))
    out = io.BytesIO()
    if mode == "P":  # Pillow drops alpha when converting RGBA to P, so build the palette by hand
        img = Image.new("P", (64, 64), 0)
        img.putpalette([255, 0, 0, 0, 0, 255])
        img.paste(1, (0, 0, 32, 64))
        img.save(out, "PNG", transparency=0)
    else:
        img.convert(mode).save(out, "PNG")
    rendered = Image.open(io.BytesIO(process(out.getvalue()).display.data))
    assert rendered.format == "JPEG" and rendered.mode == "RGB"
    assert min(rendered.getpixel((56, 32))) > 240  # transparent part turned white, not black


def test_output_carries_no_metadata_at_all():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/><secret-xmp/></x:xmpmeta>'
    data = make_image(
        orientation=3,
        gps=CHONGQING,
        taken="2024:05:17 09:30:00",
        comment=b"secret-comment",
        icc_profile=icc,
        xmp=xmp,
    )
    assert inspect(data).gps is not None
    result = process(data)
    for rendition in (result.display, result.thumbnail):
        out = Image.open(io.BytesIO(rendition.data))
        assert not out.getexif() and read_gps(out.getexif()) is None
        assert b"Exif" not in rendition.data and b"secret" not in rendition.data
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(out.info)
        assert out.info.get("progressive") and out.format == "JPEG"
        assert inspect(rendition.data).gps is None


def test_sha256_is_of_the_original_bytes():
    data = make_image(fmt="WEBP")
    assert process(data).sha256 == hashlib.sha256(data).hexdigest()


def test_module_imports_only_stdlib_and_pillow():
    tree = ast.parse(Path(photos.__file__).read_text(encoding="utf-8"))
    modules = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    modules |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    roots = {name.split(".")[0] for name in modules}
    assert roots <= set(sys.stdlib_module_names) | {"PIL", "__future__"}


def tiny_jpeg_declaring(width: int, height: int) -> bytes:
    """The decompression-bomb-ish upload of issue 10: a ~600-byte JPEG whose header declares
    width x height and whose scan ends at once, which libjpeg fills in as grey."""
    data = bytearray(make_image((64, 64)))
    sof = data.find(b"\xff\xc0")
    data[sof + 5:sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    sos = data.find(b"\xff\xda")
    return bytes(data[:sos + 2 + int.from_bytes(data[sos + 2:sos + 4], "big")]) + b"\xff\xd9"


@pytest.fixture
def decodes(monkeypatch):
    """The size of every image Pillow actually decodes (a load() with tiles left to decode)."""
    sizes = []
    load = ImageFile.ImageFile.load

    def counting_load(self):
        if self.tile:
            sizes.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return sizes


def test_a_tiny_file_declaring_huge_dimensions_is_priced_from_its_header(decodes):
    bomb = tiny_jpeg_declaring(6000, 6000)
    assert len(bomb) < 1000
    header = photos.peek(bomb)
    assert (header.format, header.pixels) == ("JPEG", 36_000_000)
    assert decodes == []  # the header alone
    with pytest.raises(PhotoError) as caught:
        photos.peek(bomb, max_pixels=30_000_000)
    assert caught.value.code == "too_many_pixels" and decodes == []


def test_checking_a_huge_jpeg_decodes_it_at_an_eighth_of_its_size(decodes):
    info = inspect(tiny_jpeg_declaring(6000, 6000))
    assert (info.format, info.width, info.height) == ("JPEG", 6000, 6000)  # as declared
    assert decodes == [(750, 750)]


def test_processing_a_huge_jpeg_decodes_it_once_at_the_display_size(decodes):
    result = process(tiny_jpeg_declaring(6000, 6000))
    assert (result.display.width, result.thumbnail.width) == (2048, 320)
    assert decodes == [(3000, 3000)]  # once, at 1/2: the smallest scale still 2048 px wide


def test_a_wide_jpeg_is_scaled_down_by_its_longest_side(decodes):
    result = process(make_image((4200, 1400)), display_px=1000, thumb_px=100)
    assert decodes == [(1050, 350)]  # 1/4: still at least the 1000 px of the display copy
    assert (result.display.width, result.display.height) == (1000, 333)


def test_draft_decoding_still_catches_a_cut_off_jpeg(decodes):
    data = make_image((1600, 1200))
    assert refused(data[: len(data) // 2]) == "truncated"
