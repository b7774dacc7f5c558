"""HTML → PDF with WeasyPrint, for every app's documents (invoices, payslips, attestations).

A worker process renders many documents: building a FontConfiguration (fontconfig scan)
and decoding the same logos again for each document is the slow part, so both are kept
for the life of the process.
"""

import threading

from weasyprint import HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

# Above this many cached images, the cache is emptied before the next document: logos
# repeat, per-document images (QR codes) don't, and a worker must not grow forever.
IMAGE_CACHE_LIMIT = 200

_lock = threading.Lock()
_font_config: FontConfiguration | None = None
_url_fetcher: URLFetcher | None = None
_image_cache: dict[str, object] = {}


def render_html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render an HTML string (CSS inline, images as data: URIs or file: URLs) to PDF bytes.

    base_url resolves relative file: URLs (e.g. a static folder). Documents are
    self-contained: network URLs are refused (WeasyPrint logs it and leaves them out).
    """
    global _font_config, _url_fetcher
    # One render at a time per process: the shared image cache is emptied between
    # documents, never while one is using it. Rendering is CPU-bound, so threads
    # would not run it in parallel anyway.
    with _lock:
        if _font_config is None:
            _font_config = FontConfiguration()
            _url_fetcher = URLFetcher(allowed_protocols={"data", "file"})
        if len(_image_cache) > IMAGE_CACHE_LIMIT:
            _image_cache.clear()
        document = HTML(string=html, base_url=base_url, url_fetcher=_url_fetcher)
        return document.write_pdf(font_config=_font_config, cache=_image_cache)
