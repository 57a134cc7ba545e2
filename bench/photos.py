"""CPU time per photo upload (the check at upload plus the job's renditions), for the
decompression-bomb-ish JPEG of issue 10 and for an ordinary phone photo.

    python -m bench.photos [--repeat 5]

The baseline is measured in the same run: the same code with JPEG draft mode switched off,
which decodes every photo at full size twice (at upload, then in the photo job), as it did
before. A six-photo request of such JPEGs is now refused from the headers alone."""

import argparse
import io
import statistics
import time
from contextlib import contextmanager

from PIL import Image, JpegImagePlugin

from dispatch.core import photos

REQUEST_PIXEL_BUDGET = 120_000_000  # the default MAX_REQUEST_PHOTO_PIXELS


def bomb(width: int = 6000, height: int = 6000) -> bytes:
    """A JPEG of a few hundred bytes declaring width x height; its scan ends at once."""
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "grey").save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.find(b"\xff\xc0")
    data[sof + 5:sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    sos = data.find(b"\xff\xda")
    return bytes(data[:sos + 2 + int.from_bytes(data[sos + 2:sos + 4], "big")]) + b"\xff\xd9"


def phone_photo(width: int = 4000, height: int = 3000) -> bytes:
    """A 12-megapixel photo with real detail (noise at quality 90 is the costly case)."""
    tile = Image.merge("RGB", [Image.effect_noise((500, 500), 40 + 10 * i) for i in range(3)])
    img = Image.new("RGB", (width, height))
    for x in range(0, width, 500):
        for y in range(0, height, 500):
            img.paste(tile, (x, y))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


@contextmanager
def without_draft_mode():
    original = JpegImagePlugin.JpegImageFile.draft
    JpegImagePlugin.JpegImageFile.draft = lambda self, mode, size: None
    try:
        yield
    finally:
        JpegImagePlugin.JpegImageFile.draft = original


def upload_cpu(data: bytes, repeat: int) -> float:
    """Median CPU seconds of what one upload costs: the check, then the photo job."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        photos.inspect(data)
        photos.process(data)
        times.append(time.process_time() - start)
    return statistics.median(times)


def request_cpu(data: bytes, count: int, repeat: int) -> tuple[float, bool]:
    """CPU seconds to price a request of `count` such photos; True if the budget refuses it."""
    times, refused = [], False
    for _ in range(repeat):
        start = time.process_time()
        refused = sum(photos.peek(data).pixels for _ in range(count)) > REQUEST_PIXEL_BUDGET
        times.append(time.process_time() - start)
    return statistics.median(times), refused


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    cases = (("bomb 6000x6000", bomb()), ("phone 4000x3000", phone_photo()))
    print(f"CPU per upload (check + photo job), median of {args.repeat}:")
    for label, data in cases:
        with without_draft_mode():
            before = upload_cpu(data, args.repeat)
        after = upload_cpu(data, args.repeat)
        print(f"  {label:<16} {len(data):>9,} B   full decode twice {before * 1000:8.1f} ms   "
              f"draft decode {after * 1000:7.1f} ms   {before / after:5.1f}x less CPU")
    with without_draft_mode():
        before = 6 * upload_cpu(cases[0][1], args.repeat)
    spent, refused = request_cpu(cases[0][1], 6, args.repeat)
    print(f"six bombs in one request: before {before:.2f} s of CPU, accepted; now "
          f"{spent * 1000:.2f} ms to read six headers, {'refused' if refused else 'ACCEPTED'} "
          f"(budget {REQUEST_PIXEL_BUDGET // 1_000_000} MP per request)")


if __name__ == "__main__":
    main()
