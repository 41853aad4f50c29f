"""HTML with print CSS to PDF, with WeasyPrint.

WeasyPrint rather than Chromium's print-to-PDF: it installs from PyPI onto the system's
Pango, needs no browser process on the server that runs `pulse report`, and implements CSS
Paged Media itself — page numbers ("Sida 3 av 12") from @page margin boxes with
counter(page) and counter(pages), page breaks, running headers — so the layout is all in
the report's CSS and the output is the same on every machine with the same fonts.
"""

from __future__ import annotations


def html_to_pdf(html: str) -> bytes:
    """Return the PDF of an HTML document; images must be inline data: URIs, since nothing
    is fetched (every other protocol is refused: no network, no local files)."""
    from weasyprint import HTML, URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
