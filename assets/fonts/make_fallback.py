#!/usr/bin/env python3
"""Makes assets/fonts/NotoSansCJKsc-RareSubset.ttf, the fallback font for rare characters.

Run once at build-prep time, not at build or run time (needs `pip install fonttools`):

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb x
    python3 assets/fonts/make_fallback.py \
        x/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
        assets/fonts/NotoSansSC-Regular.ttf \
        assets/fonts/NotoSansCJKsc-RareSubset.ttf

It takes the "Noto Sans CJK SC" face (index 2) of the Debian package's collection, keeps only
the CJK ideographs (Ext. A-F, compatibility ideographs) that the main font lacks, converts the
CFF outlines to TrueType quadratic outlines (printpdf/allsorts subset glyf fonts reliably), and
renames the face so it is not mistaken for the full font.
"""
import sys

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

IDEOGRAPH_RANGES = [
    (0x3400, 0x4DBF),  # Ext. A
    (0x4E00, 0x9FFF),  # URO (the few the main font lacks)
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x2FA1F),  # Ext. B-F, compatibility supplement
    (0x30000, 0x323AF),  # Ext. G-H
]
NAME = "NotoSansCJKsc-RareSubset"


def to_truetype(font):
    order = font.getGlyphOrder()
    glyphset = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphset)
        glyphset[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                  "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                  "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(order)
    font["maxp"] = maxp
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def main(ttc_path, main_path, out_path):
    have = set(TTFont(main_path, lazy=True).getBestCmap())
    src = TTCollection(ttc_path).fonts[2]
    assert src["name"].getDebugName(4) == "Noto Sans CJK SC", src["name"].getDebugName(4)
    wanted = sorted(
        u for u in src.getBestCmap()
        if u not in have and any(a <= u <= b for a, b in IDEOGRAPH_RANGES)
    )
    opts = subset.Options()
    opts.layout_features = []
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    opts.notdef_outline = True
    opts.hinting = False
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    sub = subset.Subsetter(options=opts)
    sub.populate(unicodes=wanted)
    sub.subset(src)
    to_truetype(src)
    for rec in src["name"].names:
        if rec.nameID in (1, 4, 16):
            rec.string = "Noto Sans CJK SC Rare Subset"
        elif rec.nameID == 6:
            rec.string = NAME
        elif rec.nameID == 3:
            rec.string = NAME + ";cunan"
    src.save(out_path)
    print(f"{out_path}: {len(wanted)} characters")


if __name__ == "__main__":
    main(*sys.argv[1:4])
