"""The text of a receipt: a PDF's text layer when it has one, otherwise Tesseract's OCR of the
photo (or of the scanned page inside the PDF) once straightened and its contrast corrected.

Tesseract runs on one core (OMP_THREAD_LIMIT=1): a worker reads one receipt per process, the
number of workers is the parallelism. The languages are French, Dutch (the Debian packages
tesseract-ocr-fra and tesseract-ocr-nld) and English, Tesseract's own.
"""

import io
import os
import re
import time
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter, ImageOps

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

try:  # HEIC photos (iPhones), when pillow-heif is installed
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - the reader then takes JPEG, PNG and PDF only
    HEIC = False
else:
    register_heif_opener()
    HEIC = True

LANGUAGES = "fra+nld"
TESSERACT_CONFIG = "--oem 1 --psm 4"
# Width the photo is brought to before OCR: a phone photo (3,000–4,000 px) is scaled down
# (faster, and Tesseract reads characters 20–40 px high best); a small screenshot up.
OCR_WIDTH = 1000
MIN_TEXT_CHARS = 30  # fewer letters and digits in a PDF's text layer: it is a scan
MAX_PDF_PAGES = 3
SKEW_LIMIT = 6.0  # degrees searched either way
SKEW_STEP = 0.5
SKEW_WIDTH = 320
# Words nearly every receipt prints: without any, the photo is probably not upright.
RECEIPT_WORDS = re.compile(r"TOTA|PAYER|BETALEN|TVA|BTW|EUR")


class UnreadableFile(Exception):
    """The file is not a picture or PDF the reader can open."""


@dataclass(frozen=True)
class Text:
    text: str
    method: str  # "pdf_text" or "ocr"
    seconds: float


def _alnum_count(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def skew_angle(gray: Image.Image) -> float:
    """The rotation (degrees) that straightens the lines of text: the angle whose row
    profile is sharpest (lines of ink and blank lines between them), searched on a small
    black-on-white copy."""
    small = gray.resize((SKEW_WIDTH, max(1, gray.height * SKEW_WIDTH // gray.width)))
    ink = ImageOps.invert(small.point(lambda v: 255 if v > 128 else 0))
    best, best_score = 0.0, -1.0
    steps = int(SKEW_LIMIT / SKEW_STEP)
    for step in range(-steps, steps + 1):
        angle = step * SKEW_STEP
        turned = ink.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True)
        rows = list(turned.resize((1, turned.height), Image.Resampling.BOX).tobytes())
        score = float(sum((a - b) ** 2 for a, b in zip(rows, rows[1:], strict=False)))
        if score > best_score:
            best, best_score = angle, score
    return best


def prepare(image: Image.Image) -> Image.Image:
    """A photo made ready for OCR: upright by its EXIF, grey, scaled, the uneven lighting
    and greyish paper evened out (the paper's brightness, from a wide maximum filter, taken
    away), contrast stretched, and straightened."""
    image = ImageOps.exif_transpose(image)
    gray = ImageOps.grayscale(image)
    if gray.width != OCR_WIDTH:
        height = max(1, gray.height * OCR_WIDTH // gray.width)
        gray = gray.resize((OCR_WIDTH, height), Image.Resampling.LANCZOS)
    paper = gray.filter(ImageFilter.MaxFilter(15)).filter(ImageFilter.BoxBlur(10))
    gray = ImageOps.invert(ImageChops.subtract(paper, gray))
    gray = ImageOps.autocontrast(gray, cutoff=1)
    angle = skew_angle(gray)
    if angle:
        gray = gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return gray


def _looks_like_a_receipt(text: str) -> bool:
    return bool(RECEIPT_WORDS.search(text.upper()))


def _upright_rotation(prepared: Image.Image) -> int:
    """The quarter turns (degrees, counter-clockwise as Pillow turns) that put the text
    upright, by Tesseract's orientation detection (OSD); 0 when it can't tell."""
    import pytesseract  # imported here: only the reading worker needs it

    try:
        osd = pytesseract.image_to_osd(prepared, config="--psm 0", output_type="dict")
    except pytesseract.TesseractError:
        return 0
    return -int(osd.get("rotate", 0)) % 360


def _tesseract(prepared: Image.Image) -> str:
    import pytesseract  # imported here: only the reading worker needs it

    return str(pytesseract.image_to_string(prepared, lang=LANGUAGES, config=TESSERACT_CONFIG))


def ocr(image: Image.Image) -> str:
    """The text of a photo. A photo taken sideways or upside down (and without an EXIF
    orientation) reads as noise: when its text holds none of a receipt's words, Tesseract's
    orientation detection turns it upright and it is read again."""
    prepared = prepare(image)
    text = _tesseract(prepared)
    if _looks_like_a_receipt(text):
        return text
    rotation = _upright_rotation(prepared)
    if not rotation:
        return text
    return _tesseract(prepare(ImageOps.exif_transpose(image).rotate(rotation, expand=True)))


def _open_image(content: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(content))
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise UnreadableFile(str(error)) from error
    return image


def _pdf_text(content: bytes) -> tuple[str, list[Image.Image]]:
    """The text layer of the first pages, and their pictures (for a scan)."""
    # imported here: only the reading worker needs pypdf
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = PdfReader(io.BytesIO(content)).pages[:MAX_PDF_PAGES]
        text = "\n".join(page.extract_text() or "" for page in pages)
        if _alnum_count(text) >= MIN_TEXT_CHARS:
            return text, []
        pictures = [picture.image for page in pages for picture in page.images]
    except (PyPdfError, OSError, ValueError, KeyError) as error:
        raise UnreadableFile(str(error)) from error
    return text, [picture for picture in pictures if picture is not None]


def read_text(content: bytes, *, is_pdf: bool) -> Text:
    """The text of a receipt (see the module). Raises UnreadableFile."""
    started = time.perf_counter()
    if is_pdf:
        text, pictures = _pdf_text(content)
        if not pictures:
            return Text(text, "pdf_text", time.perf_counter() - started)
        largest = max(pictures, key=lambda picture: picture.width * picture.height)
        text = ocr(largest)
    else:
        text = ocr(_open_image(content))
    return Text(text, "ocr", time.perf_counter() - started)
