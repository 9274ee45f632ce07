"""Draws the app icons (static/icons/*.png) and the blank map tile (static/img/tile-offline.png) from the favicon's design (static/favicon.svg: a white bold "S" on a
red rounded square) with Pillow. Run again after changing the design; the PNGs are committed.

    .venv/bin/python scripts/make_icons.py

"any" icons keep the rounded square; "maskable" ones fill the whole square with red and keep the letter inside the
central safe zone (a circle of 80 % of the side), since the phone cuts its own shape out of them.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

RED, WHITE = (176, 0, 32), (255, 255, 255)
FONTS = ["/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"]
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
SCALE = 4  # drawn larger, then reduced: smooth edges


def font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    raise SystemExit(f"none of these fonts is installed: {', '.join(FONTS)} (apt-get install fonts-noto-core)")


def icon(side: int, *, maskable: bool) -> Image.Image:
    big = side * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, big, big), fill=RED)
        letter = big * 0.50
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 6 / 32, fill=RED)
        letter = big * 20 / 32
    draw.text((big / 2, big / 2), "S", font=font(round(letter)), fill=WHITE, anchor="mm")
    return image.resize((side, side), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for side in (192, 512):
        icon(side, maskable=False).save(OUT / f"icon-{side}.png", optimize=True)
        icon(side, maskable=True).save(OUT / f"icon-maskable-{side}.png", optimize=True)
    # iOS home screen: no transparency (it would turn black), the maskable design at 180 px.
    icon(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    # The map tile shown where a tile cannot be loaded (no connection): plain, the map's background colour.
    Image.new("RGB", (256, 256), (238, 241, 244)).save(OUT.parent / "img" / "tile-offline.png", optimize=True)
    for path in [*sorted(OUT.glob("*.png")), OUT.parent / "img" / "tile-offline.png"]:
        print(path.relative_to(OUT.parent.parent), path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
