"""Text form fields that the unit fills after the person has signed: number and date.

vn-rules.md §1.4 (NĐ 30 Điều 15-16): the clerk numbers and dates a document when it is
issued, after the person with authority has signed it. The rendered PDF therefore
carries two read-only text fields (box 3 "Số …" and box 4 "…, ngày … tháng … năm …")
whose appearance shows blanks; at issue the unit's seal signature fills them in its
own incremental revision. PDF form filling is a change PAdES allows after an approval
signature (ISO 32000-2 §12.8.2.2, no DocMDP lock is set), so the person's signature
stays valid and the seal signature covers the filled values.

The appearance is drawn with Liberation Serif (Times metric, full Vietnamese), embedded
as a subset with a ToUnicode map so the text can be searched and copied. pyHanko's font
engine writes glyph widths in font units, which is right only for fonts of 1000 units
per em; Liberation (2048) is therefore rescaled to 1000 units once per process.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from fontTools.subset import Options, Subsetter  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fontTools.ttLib.scaleUpem import scale_upem  # type: ignore[import-untyped]
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError

from lienthong.trust.errors import SigningError, ValidationFailure
from lienthong.trust.pades.specs import TextFieldSpec

__all__ = [
    "TOP_RIGHT_FONT_PT",
    "add_text_fields",
    "add_top_right_fields",
    "fill_text_fields",
    "text_field_values",
]

_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/truetype/noto"),
)
_FONTS = {
    "regular": ("LiberationSerif-Regular.ttf", "NotoSerif-Regular.ttf"),
    "italic": ("LiberationSerif-Italic.ttf", "NotoSerif-Italic.ttf"),
    "bold": ("LiberationSerif-Bold.ttf", "NotoSerif-Bold.ttf"),
}
#: The /DA font names, declared in the form's /DR as the standard Times faces (a
#: viewer that redraws a field on its own uses them; ours draws the appearance).
_DA_FONTS = {"regular": "/TiRo", "italic": "/TiIt", "bold": "/TiBd"}
_BASE_FONTS = {"/TiRo": "/Times-Roman", "/TiIt": "/Times-Italic", "/TiBd": "/Times-Bold"}
_ALIGN = {"left": 0, "center": 1, "right": 2}
_READ_ONLY = 1  # field flag bit 1 (ISO 32000-1 Table 221)
_PRINT = 4  # annotation flag bit 3
_PAD = 1.0
#: Latin, Vietnamese and common punctuation: what a number or date line may hold.
_UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x250),
    *range(0x300, 0x324),
    *range(0x1EA0, 0x1F00),
    *range(0x2010, 0x2027),
]
_DA = re.compile(rb"(/\S+)\s+([0-9.]+)\s+Tf")


@cache
def _font_path(style: str) -> str:
    for name in _FONTS[style]:
        for folder in _FONT_DIRS:
            if (folder / name).is_file():
                return str(folder / name)
    raise SigningError(
        "No Times-metric font for form fields: install fonts-liberation2 (or fonts-noto-core)."
    )


@cache
def _font_bytes(style: str) -> bytes:
    """The face as a TrueType font of 1000 units per em, without hinting, cut down to
    the characters of a number or date line."""
    font = TTFont(_font_path(style))
    options = Options(layout_features=["kern", "ccmp", "mark", "mkmk"], hinting=False)
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]
    subsetter = Subsetter(options=options)
    subsetter.populate(unicodes=_UNICODES)
    subsetter.subset(font)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _open(pdf: bytes) -> IncrementalPdfFileWriter:
    if not pdf.lstrip()[:5].startswith(b"%PDF"):
        raise ValidationFailure("not a PDF: the file does not start with %PDF")
    try:
        return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise ValidationFailure(f"not a PDF (or a damaged one): {exc}") from exc


def _appearance(
    writer: IncrementalPdfFileWriter,
    *,
    text: str,
    width: float,
    height: float,
    font_size: float,
    style: str,
    align: str,
) -> generic.IndirectObject:
    """A form XObject showing ``text`` on one line in the field's box."""
    # An empty field (the top-right number before issue) embeds no font: pyHanko
    # cannot write a subset without glyphs.
    engine = GlyphAccumulator(writer, io.BytesIO(_font_bytes(style)), font_size) if text else None
    # No /ActualText span: the ToUnicode map alone lets a reader split the words.
    shaped = engine.shape(text, with_actual_text=False) if engine is not None else None
    text_width = shaped.x_advance * font_size if shaped is not None else 0.0
    if align == "left":
        x = _PAD
    elif align == "right":
        x = width - _PAD - text_width
    else:
        x = (width - text_width) / 2
    # Times metric: ascender 0.891 em, descender 0.216 em; centre the line vertically.
    y = (height - 1.107 * font_size) / 2 + 0.216 * font_size
    ops = b"/Tx BMC q 0 0 %.2f %.2f re W n" % (width, height)
    if shaped is not None:
        ops += b" BT /F1 %g Tf 0 g %.2f %.2f Td %s ET" % (font_size, x, y, shaped.graphics_ops)
    ops += b" Q EMC"
    stream = generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                generic.FloatObject(v) for v in (0, 0, round(width, 2), round(height, 2))
            ),
            generic.NameObject("/Resources"): generic.DictionaryObject(
                {
                    generic.NameObject("/Font"): generic.DictionaryObject(
                        {generic.NameObject("/F1"): engine.as_resource()}
                    )
                }
                if engine is not None
                else {}
            ),
        },
        stream_data=ops,
    )
    return writer.add_object(stream)


def _acroform(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    root = writer.root
    if "/AcroForm" not in root:
        root[generic.NameObject("/AcroForm")] = writer.add_object(
            generic.DictionaryObject({generic.NameObject("/Fields"): generic.ArrayObject()})
        )
        writer.update_root()
    raw = root.raw_get("/AcroForm")
    form = raw.get_object()
    if isinstance(raw, generic.IndirectObject):
        writer.mark_update(raw)
    else:
        writer.update_root()
    if "/Fields" not in form:
        form[generic.NameObject("/Fields")] = generic.ArrayObject()
    resources = form.get("/DR")
    if resources is None:
        resources = generic.DictionaryObject()
        form[generic.NameObject("/DR")] = resources
    else:
        resources = resources.get_object()
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = generic.DictionaryObject()
        resources[generic.NameObject("/Font")] = fonts
    else:
        fonts = fonts.get_object()
    for name, base in _BASE_FONTS.items():
        if name not in fonts:
            fonts[generic.NameObject(name)] = writer.add_object(
                generic.DictionaryObject(
                    {
                        generic.NameObject("/Type"): generic.NameObject("/Font"),
                        generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                        generic.NameObject("/BaseFont"): generic.NameObject(base),
                        generic.NameObject("/Encoding"): generic.NameObject("/WinAnsiEncoding"),
                    }
                )
            )
    return form


def _fields_array(form: generic.DictionaryObject, writer: IncrementalPdfFileWriter) -> Any:
    raw = form.raw_get("/Fields")
    if isinstance(raw, generic.IndirectObject):
        writer.mark_update(raw)
    return raw.get_object()


def _page_annots(writer: IncrementalPdfFileWriter, page_index: int) -> tuple[Any, Any]:
    pages = int(writer.root["/Pages"]["/Count"])
    page_ref, _ = writer.find_page_for_modification(page_index % pages)
    page = page_ref.get_object()
    if "/Annots" not in page:
        page[generic.NameObject("/Annots")] = generic.ArrayObject()
    raw = page.raw_get("/Annots")
    if isinstance(raw, generic.IndirectObject):
        writer.mark_update(raw)
    else:
        writer.mark_update(page_ref)
    return page_ref, raw.get_object()


def _walk(fields: Iterable[Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for ref in fields:
        field = ref.get_object()
        name = str(field.get("/T", ""))
        full = f"{prefix}.{name}" if prefix and name else (name or prefix)
        if "/Kids" in field and "/T" in field.get("/Kids")[0].get_object():
            yield from _walk(field["/Kids"], full)
        else:
            yield full, ref


def _text_fields(reader: Any) -> dict[str, Any]:
    """The text fields (``/FT /Tx``) by fully qualified name, as references."""
    form = reader.root.get("/AcroForm")
    if form is None:
        return {}
    found: dict[str, Any] = {}
    for name, ref in _walk(form.get_object().get("/Fields", generic.ArrayObject())):
        if str(ref.get_object().get("/FT", "")) == "/Tx":
            found[name] = ref
    return found


def add_text_fields(*, pdf: bytes, fields: Sequence[TextFieldSpec]) -> bytes:
    """Add read-only text fields, each showing its ``value``, as an incremental update.

    Args:
        pdf: an unsigned PDF (a signed one would see its signature covered by less
            than the file; add fields before the first signature).
        fields: the fields to add.

    Returns:
        The PDF with the fields.

    Raises:
        ValidationFailure: ``pdf`` is not a PDF.
        SigningError: a field of that name exists, or no font to draw it.
    """
    writer = _open(pdf)
    try:
        existing = _text_fields(writer.prev)
        form = _acroform(writer)
        array = _fields_array(form, writer)
        for spec in fields:
            if spec.name in existing:
                raise SigningError(f"The PDF already has a field named {spec.name}")
            x1, y1, x2, y2 = spec.box
            width, height = abs(x2 - x1), abs(y2 - y1)
            page_ref, annots = _page_annots(writer, spec.page)
            appearance = _appearance(
                writer,
                text=spec.value,
                width=width,
                height=height,
                font_size=spec.font_size,
                style=spec.style,
                align=spec.align,
            )
            field = generic.DictionaryObject(
                {
                    generic.NameObject("/Type"): generic.NameObject("/Annot"),
                    generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
                    generic.NameObject("/FT"): generic.NameObject("/Tx"),
                    generic.NameObject("/T"): generic.TextStringObject(spec.name),
                    generic.NameObject("/V"): generic.TextStringObject(spec.value),
                    generic.NameObject("/Ff"): generic.NumberObject(_READ_ONLY),
                    generic.NameObject("/F"): generic.NumberObject(_PRINT),
                    generic.NameObject("/Rect"): generic.ArrayObject(
                        generic.FloatObject(round(v, 2))
                        for v in (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
                    ),
                    generic.NameObject("/P"): page_ref,
                    generic.NameObject("/DA"): generic.pdf_string(
                        f"{_DA_FONTS[spec.style]} {spec.font_size:g} Tf 0 g"
                    ),
                    generic.NameObject("/Q"): generic.NumberObject(_ALIGN[spec.align]),
                    generic.NameObject("/AP"): generic.DictionaryObject(
                        {generic.NameObject("/N"): appearance}
                    ),
                }
            )
            ref = writer.add_object(field)
            annots.append(ref)
            array.append(ref)
            existing[spec.name] = ref
        out = io.BytesIO()
        writer.write(out)
    except (PdfError, KeyError, TypeError, ValueError) as exc:
        raise SigningError(f"The form fields cannot be added: {exc}") from exc
    return out.getvalue()


#: The size of the top-right text (vn-rules.md §1.9: the unit's text-only signature
#: on page 1 is Times New Roman 10, upright, black).
TOP_RIGHT_FONT_PT = 10.0
_MM = 72 / 25.4
#: The top-right block: 10 mm below the top edge and 15 mm from the right edge (inside
#: NĐ 30's 20-25 mm top margin and at its 15-20 mm right margin, vn-rules.md §1.3),
#: 260 pt wide: room for "Thành phố Hồ Chí Minh, ngày 12 tháng 11 năm 2026" in 10 pt.
_TOP_RIGHT_WIDTH = 260.0
_TOP_RIGHT_TOP_MM = 10.0
_TOP_RIGHT_RIGHT_MM = 15.0
_LINE_FACTOR = 1.4


def _visible_box(reader: Any, page_index: int) -> tuple[float, float, float, float] | None:
    """The page's visible rectangle (CropBox, else MediaBox, inherited), or None when
    the page is rotated (its "top right" is then another corner)."""
    ref, _ = reader.find_page_for_modification(page_index)
    node: Any = ref.get_object()
    box: Any = None
    crop: Any = None
    rotate = 0
    while node is not None:
        if crop is None and "/CropBox" in node:
            crop = node["/CropBox"]
        if box is None and "/MediaBox" in node:
            box = node["/MediaBox"]
        if "/Rotate" in node and not rotate:
            rotate = int(node["/Rotate"]) % 360
        node = node["/Parent"].get_object() if "/Parent" in node else None
    if rotate:
        return None
    x1, y1, x2, y2 = (float(v) for v in (crop or box or (0, 0, 595, 842)))
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def add_top_right_fields(
    *, pdf: bytes, names: Sequence[str], font_size: float = TOP_RIGHT_FONT_PT
) -> bytes:
    """Add empty read-only text fields, one a line, right-aligned in the top right
    corner of page 1, as an incremental update: the places where the unit writes the
    number and date of a document that lienthong did not lay out (an uploaded PDF).

    vn-rules.md §1.4: the number and date are given at issue, after the person signed;
    §1.9 puts the unit's text-only signature of an attachment in the top right of page
    1, Times New Roman 10. The fields are added before the person signs and show
    nothing; the unit's seal signature fills them (``sign_pdf(fill_fields=…)``). Form
    filling is a change an approval signature allows, so the person's signature stays
    valid. (Adding the text only at issue, as a new field or an annotation, is judged
    "modified after signing" by pyHanko's difference analysis: its default policy
    admits no new fields but signature fields and no new annotations after a signature.)

    Args:
        pdf: an unsigned PDF.
        names: the fields' names, top line first.
        font_size: the size the values are drawn at when filled.

    Returns:
        The PDF with the fields; ``pdf`` itself, unchanged, when it already carries a
        signature (a new field would be a change its signatures forbid), when page 1 is
        rotated, or when every name is already a text field of the PDF.

    Raises:
        ValidationFailure: ``pdf`` is not a PDF.
        SigningError: no font to draw the fields.
    """
    writer = _open(pdf)
    try:
        reader = writer.prev
        form = reader.root.get("/AcroForm")
        if form is not None:
            for _name, ref in _walk(form.get_object().get("/Fields", generic.ArrayObject())):
                field = ref.get_object()
                if str(field.get("/FT", "")) == "/Sig" and field.get("/V") is not None:
                    return pdf
        existing = _text_fields(reader)
        box = _visible_box(reader, 0)
    except (PdfError, KeyError, TypeError, ValueError) as exc:
        raise ValidationFailure(f"the PDF's form cannot be read: {exc}") from exc
    wanted = [name for name in names if name not in existing]
    if box is None or not wanted:
        return pdf
    line = font_size * _LINE_FACTOR
    right = box[2] - _TOP_RIGHT_RIGHT_MM * _MM
    top = box[3] - _TOP_RIGHT_TOP_MM * _MM
    left = max(box[0], right - _TOP_RIGHT_WIDTH)
    specs = [
        TextFieldSpec(
            name=name,
            page=0,
            box=(left, top - (index + 1) * line, right, top - index * line),
            value="",
            font_size=font_size,
            style="regular",
            align="right",
        )
        for index, name in enumerate(names)
        if name in wanted
    ]
    return add_text_fields(pdf=pdf, fields=specs)


def _style_of(field: Any) -> tuple[str, float, str]:
    """(face, font size, alignment) recorded in a field's /DA and /Q."""
    found = _DA.search(bytes(str(field.get("/DA", "")), "latin-1", errors="replace"))
    style, size = "regular", 13.0
    if found is not None:
        by_name = {v: k for k, v in _DA_FONTS.items()}
        style = by_name.get(found.group(1).decode("latin-1"), "regular")
        size = float(found.group(2)) or size
    align = {v: k for k, v in _ALIGN.items()}.get(int(field.get("/Q", 0)), "left")
    return style, size, align


def fill_text_fields(writer: IncrementalPdfFileWriter, values: Mapping[str, str]) -> set[str]:
    """Fill text fields in the revision ``writer`` is preparing (before it is signed).

    Each field gets its value (``/V``) and a new appearance stream in the face, size
    and alignment it was made with; nothing else changes, so the update is the form
    filling an earlier approval signature allows. Names absent from the PDF are
    skipped (an uploaded PDF has no such fields).

    Returns:
        The names of the fields filled.

    Raises:
        SigningError: a field cannot be filled.
    """
    filled: set[str] = set()
    if not values:
        return filled
    try:
        found = _text_fields(writer.prev)
        for name, value in values.items():
            ref = found.get(name)
            if ref is None:
                continue
            field = ref.get_object()
            x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
            style, size, align = _style_of(field)
            appearance = _appearance(
                writer,
                text=value,
                width=abs(x2 - x1),
                height=abs(y2 - y1),
                font_size=size,
                style=style,
                align=align,
            )
            field[generic.NameObject("/V")] = generic.TextStringObject(value)
            field[generic.NameObject("/AP")] = generic.DictionaryObject(
                {generic.NameObject("/N"): appearance}
            )
            writer.mark_update(ref)
            filled.add(name)
    except (PdfError, KeyError, TypeError, ValueError) as exc:
        raise SigningError(f"The form fields cannot be filled: {exc}") from exc
    return filled


def text_field_values(pdf: bytes) -> dict[str, str]:
    """The values of the text fields of ``pdf`` by name (the last revision).

    Raises:
        ValidationFailure: ``pdf`` is not a PDF or its form cannot be read.
    """
    writer = _open(pdf)
    try:
        return {
            name: str(ref.get_object().get("/V", ""))
            for name, ref in _text_fields(writer.prev).items()
        }
    except (PdfError, KeyError, TypeError, ValueError) as exc:
        raise ValidationFailure(f"the PDF's form cannot be read: {exc}") from exc
