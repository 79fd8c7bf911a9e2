"""Small PDFs made with pyHanko's writer, for tests, benchmarks and demonstrations."""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PdfFileWriter

__all__ = ["sample_pdf"]

A4 = (595.0, 842.0)


def _escape(text: str) -> bytes:
    raw = text.encode("latin-1", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def sample_pdf(*, pages: int = 1, title: str = "Cong van so 12/CV-DU") -> bytes:
    """An A4 PDF with ``pages`` pages of plain text (Helvetica, ASCII only).

    Args:
        pages: how many pages.
        title: the first line of each page.
    """
    writer = PdfFileWriter()
    font = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
        }
    )
    font_ref = writer.add_object(font)
    for number in range(1, pages + 1):
        lines = [title, f"Trang {number}/{pages}"] + [
            f"Dong {i}: noi dung van ban mau de ky so theo Nghi dinh 30/2020." for i in range(1, 30)
        ]
        body = b"BT /F1 12 Tf 72 770 Td 16 TL "
        body += b" ".join(b"(" + _escape(line) + b") '" for line in lines)
        body += b" ET"
        content = writer.add_object(generic.StreamObject(stream_data=body))
        page = generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Page"),
                generic.NameObject("/MediaBox"): generic.ArrayObject(
                    [generic.FloatObject(0), generic.FloatObject(0)]
                    + [generic.FloatObject(v) for v in A4]
                ),
                generic.NameObject("/Resources"): generic.DictionaryObject(
                    {
                        generic.NameObject("/Font"): generic.DictionaryObject(
                            {generic.NameObject("/F1"): font_ref}
                        )
                    }
                ),
                generic.NameObject("/Contents"): content,
            }
        )
        writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
