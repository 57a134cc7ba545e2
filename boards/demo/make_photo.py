"""Generate photos/manhole.jpg: the demo report's photo (a sewer manhole with its cover missing,
seen from a phone at dusk), for the README's curl example.

Deterministic drawing with Pillow (fixed seed); the JPEG carries no EXIF or other metadata.
Run ``python boards/demo/make_photo.py`` to write it again.
"""

import math
import os
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "photos", "manhole.jpg")
W, H = 800, 600
SEED = 102  # category 0102, 污水井盖缺失


def asphalt(rng: random.Random) -> Image.Image:
    """Dark grey grain, lighter towards the bottom (closer to the camera), slightly blurred."""
    img = Image.new("L", (W, H))
    img.putdata([max(0, min(255, int(38 + 22 * y / H + rng.gauss(0, 11))))
                 for y in range(H) for _ in range(W)])
    return Image.merge("RGB", [img.point(lambda v, k=k: v + k) for k in (2, 1, 0)]).filter(
        ImageFilter.GaussianBlur(0.8))


def draw(rng: random.Random) -> Image.Image:
    img = asphalt(rng)
    d = ImageDraw.Draw(img)
    # gravel: light specks
    for _ in range(700):
        x, y, r = rng.randrange(W), rng.randrange(H), rng.choice((0, 1, 1, 2))
        shade = rng.randint(52, 78)
        d.ellipse([x - r, y - r, x + r, y + r], fill=(shade, shade - 2, shade - 5))
    # a faded yellow lane line running away from the camera
    d.polygon([(640, H), (692, H), (572, 0), (562, 0)], fill=(118, 104, 48))
    # the rim: a concrete ring in perspective
    cx, cy, rx, ry = 330, 340, 185, 100
    d.ellipse([cx - rx - 28, cy - ry - 17, cx + rx + 28, cy + ry + 17], fill=(96, 94, 89))
    d.ellipse([cx - rx - 9, cy - ry - 5, cx + rx + 9, cy + ry + 5], fill=(66, 64, 61))
    # the open shaft: the far wall catches a little light, the rest is black
    shaft = [cx - rx, cy - ry, cx + rx, cy + ry]
    d.ellipse(shaft, fill=(36, 34, 31))
    hole = Image.new("L", (W, H), 0)
    ImageDraw.Draw(hole).ellipse([cx - rx + 10, cy - ry + 46, cx + rx - 10, cy + ry + 30],
                                 fill=255)
    inside = Image.new("L", (W, H), 0)
    ImageDraw.Draw(inside).ellipse(shaft, fill=255)
    dark = Image.new("RGB", (W, H), (6, 6, 7))
    img.paste(dark, (0, 0), ImageChops.multiply(hole.filter(ImageFilter.GaussianBlur(8)),
                                                inside))
    d = ImageDraw.Draw(img)
    for i in range(4):  # the ladder's rungs on the far wall
        y = cy - ry + 14 + i * 9
        d.arc([cx - 26, y - 6, cx + 26, y + 6], 0, 180, fill=(74, 56, 38), width=2)
    # hairline cracks leaving the rim
    for _ in range(6):
        angle = rng.uniform(0.2, 2.9)
        x = cx + (rx + 28) * math.cos(angle)
        y = cy + (ry + 17) * math.sin(angle)
        for _ in range(rng.randint(4, 7)):
            nx = x + rng.uniform(-10, 10) + 14 * math.cos(angle)
            ny = y + rng.uniform(-4, 4) + 9 * math.sin(angle)
            d.line([(x, y), (nx, ny)], fill=(24, 23, 22), width=1)
            x, y = nx, ny
    # an orange traffic cone someone left beside it
    d.polygon([(92, 500), (150, 500), (131, 352), (111, 352)], fill=(208, 88, 22))
    d.polygon([(102, 420), (140, 420), (137, 402), (105, 402)], fill=(222, 222, 214))
    d.rectangle([(74, 500), (168, 514)], fill=(36, 36, 36))
    # a torch's light: brighter in the middle, dark corners
    light = Image.radial_gradient("L").resize((W * 2, H * 2)).crop(
        (W // 2 - 40, H // 2 - 20, W // 2 - 40 + W, H // 2 - 20 + H))
    img = Image.composite(img, Image.eval(img, lambda v: v * 45 // 100),
                          light.point(lambda v: 255 - v * 3 // 4))
    return img.filter(ImageFilter.GaussianBlur(0.7))


if __name__ == "__main__":
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    draw(random.Random(SEED)).save(OUT, "JPEG", quality=72, optimize=True, progressive=True)
    print(f"wrote {OUT} ({os.path.getsize(OUT):,} bytes)")
