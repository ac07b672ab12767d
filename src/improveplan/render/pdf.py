"""The board pack as PDF: the HTML report laid out by WeasyPrint on A4.

WeasyPrint is an optional extra (`improveplan[pdf]`) and needs Pango from the system, so
it is imported here only, when a PDF is asked for; either missing is one line saying
what to install. The report is self-contained, so the renderer fetches nothing: a
user's template naming a web or file URL gets no image, never a request (only `data:`
URLs, which are inline, are read).
"""

from __future__ import annotations

from typing import Any

from improveplan.errors import ImproveplanError


def load_weasyprint() -> Any:
    """The weasyprint module, or one line saying what to install (checked before the
    report is built, so a missing extra costs nothing)."""
    try:
        import weasyprint
    except ImportError:
        raise ImproveplanError("PDF needs WeasyPrint", 'pip install "improveplan[pdf]"') from None
    except OSError as exc:  # installed, but Pango or one of its libraries is not
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ImproveplanError(
            f"WeasyPrint cannot load its system libraries ({first})",
            "install Pango (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)",
        ) from None
    return weasyprint


def _fetcher(weasyprint: Any) -> Any:
    """A URL fetcher that reads only `data:` URLs (WeasyPrint 66+ has a class for it;
    earlier ones take a function)."""
    if hasattr(weasyprint, "URLFetcher"):
        return weasyprint.URLFetcher(allowed_protocols=("data",))

    def inline_only(url: str) -> Any:
        if not url.startswith("data:"):
            raise ValueError(f"the board pack fetches nothing: {url}")
        return weasyprint.default_url_fetcher(url)

    return inline_only


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html`: its print stylesheet, A4 pages and page-margin footer."""
    weasyprint = load_weasyprint()
    document = weasyprint.HTML(string=html, url_fetcher=_fetcher(weasyprint))
    data: bytes = document.write_pdf()
    return data
