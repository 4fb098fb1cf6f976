"""Files for the document tests: allowed ones, and each kind of bad input, made here in code."""

import io
import uuid
import zipfile
import zlib

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\n"
    b"endobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
PDF_WITH_SCRIPT = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >>\n"
    b"endobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
# The same script with the name spelt in PDF's escapes, and one hidden in a compressed stream.
PDF_WITH_ESCAPED_SCRIPT = PDF_WITH_SCRIPT.replace(b"/JavaScript /JS", b"/J#61vaScript /J#53")
_hidden = zlib.compress(b"<< /S /Launch /F (cmd.exe) >>")
PDF_WITH_COMPRESSED_LAUNCH = (
    b"%PDF-1.5\n1 0 obj\n<< /Type /ObjStm /Filter /FlateDecode /Length "
    + str(len(_hidden)).encode()
    + b" >>\nstream\n"
    + _hidden
    + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
PDF_WITH_ATTACHMENT = PDF.replace(b"/Pages 2 0 R >>", b"/Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
GIF = b"GIF89a" + b"\x01\x00\x01\x00" + b"\x00" * 32
TEXT = "Brief van de school, 3 maart.\nSam was één dag afwezig.\n".encode()
CSV = b"datum,afspraak\n2026-03-01,huisbezoek\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 100


def office(main_type: bytes, extra: dict | None = None, compress_zeros: int = 0) -> bytes:
    """A small Office Open XML file: [Content_Types].xml declaring ``main_type``, a part, and what ``extra`` adds;
    ``compress_zeros`` adds an entry of that many zero bytes (a bomb when large)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            + main_type
            + b'"/></Types>',
        )
        archive.writestr("word/document.xml", b"<w:document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
        if compress_zeros:
            with archive.open("word/media/zeros.bin", "w") as entry:
                chunk = b"\x00" * (1024 * 1024)
                for _ in range(compress_zeros // len(chunk)):
                    entry.write(chunk)
    return buffer.getvalue()


DOCX = office(b"wordprocessingml.document.main+xml")
XLSX = office(b"spreadsheetml.sheet.main+xml")
DOCX_WITH_MACROS = office(b"wordprocessingml.document.macroEnabled.main+xml", {"word/vbaProject.bin": b"\x00" * 10})
DOCX_WITH_ARCHIVE = office(b"wordprocessingml.document.main+xml", {"word/embeddings/inner.zip": DOCX})


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", b"<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


ODT = odt()


def zip_bomb() -> bytes:
    """A Word file of a few dozen kilobytes that says it unpacks to 64 MB of zeros."""
    return office(b"wordprocessingml.document.main+xml", compress_zeros=64 * 1024 * 1024)


def multipart(fields: dict, filename: str | None, content: bytes | None, file_field: str = "file"):
    """A multipart/form-data body with the file name exactly as given (Django's test client would cut folders
    away): (body, content type)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    if filename is not None:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        parts.append(head + (content or b"") + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class HugeUpload:
    """A request body of ``size`` bytes of file, produced as it is read (never held in memory), counting what the
    server read of it."""

    def __init__(self, size: int, filename: str = "scan.pdf", fields: dict | None = None):
        self.boundary = uuid.uuid4().hex
        fields = fields or {"title": "Groot", "kind": "report"}
        head = b"".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        )
        head += (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
        ).encode()
        self.head = head
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.body_size = size
        self.length = len(head) + size + len(self.tail)
        self.read_bytes = 0

    @property
    def content_type(self):
        return f"multipart/form-data; boundary={self.boundary}"

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.length - self.read_bytes
        out = bytearray()
        while size > 0 and self.read_bytes < self.length:
            position = self.read_bytes
            if position < len(self.head):
                piece = self.head[position : position + size]
            elif position < len(self.head) + self.body_size:
                piece = b"A" * min(size, len(self.head) + self.body_size - position, 1 << 20)
            else:
                offset = position - len(self.head) - self.body_size
                piece = self.tail[offset : offset + size]
            out += piece
            self.read_bytes += len(piece)
            size -= len(piece)
        return bytes(out)

    def readline(self, size=-1):
        return self.read(size if size and size > 0 else 65536)

    def environ(self) -> dict:
        return {"wsgi.input": self, "CONTENT_LENGTH": str(self.length), "CONTENT_TYPE": self.content_type}
