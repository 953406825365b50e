"""Helpers for the browser tests: what counts as a problem in a page, logging in, screenshots."""

import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from tests.factories import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "frontend"
LOCAL_HOST = "127.0.0.1"
HOME = re.compile(r"^http://127\.0\.0\.1:\d+/$")
# Every page reports what its Content-Security-Policy blocked, in words a test can match
# (Chromium's own console message for a violation is also caught, but not for every kind).
CSP_VIOLATION = "CSP violation:"
CSP_LISTENER = (
    "document.addEventListener('securitypolicyviolation', function (event) {"
    " window.__fpCspViolation(event.violatedDirective + ' blocked ' +"
    " (event.blockedURI || 'inline') + ' at ' + event.sourceFile + ':' + event.lineNumber);"
    " });"
)


def outside(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != LOCAL_HOST


class PageWatch:
    """Collects everything that went wrong in one page, in the browser's words."""

    def __init__(self, page, name: str):
        self.page = page
        self.name = name
        self.problems: list[str] = []
        self.expected: set[tuple[str, int]] = set()  # (path, status) allowed to be >= 400
        self.tolerate_aborts = False
        self.closed = False
        self.outside: list[str] = []  # requests to another host, blocked: there must be none
        page.on("console", self._console)
        page.on("pageerror", lambda error: self._add(f"uncaught exception: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        page.expose_function("__fpCspViolation", lambda text: self._add(f"{CSP_VIOLATION} {text}"))
        page.add_init_script(CSP_LISTENER)

    def _add(self, problem: str) -> None:
        if not self.closed:
            self.problems.append(problem)

    def outside_request(self, url: str) -> None:
        self.outside.append(url)
        self._add(f"request to another host (blocked): {url}")

    def _console(self, message) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        if message.text.startswith("Failed to load resource"):
            # A blocked request to another host is already a problem of its own.
            if outside(where):
                return
            # Chromium logs every response >= 400; the expected ones are no fault.
            status = re.search(r"status of (\d{3})", message.text)
            if status and (urlsplit(where).path, int(status.group(1))) in self.expected:
                return
        self._add(f"console error: {message.text} ({where})")

    def _request_failed(self, request) -> None:
        if outside(request.url):
            return
        failure = request.failure or ""
        if self.tolerate_aborts and "ERR_ABORTED" in failure:
            return
        self._add(f"request failed: {request.method} {request.url}: {failure}")

    def _response(self, response) -> None:
        if outside(response.url) or response.status < 400:
            return
        if (urlsplit(response.url).path, response.status) in self.expected:
            return
        self._add(f"HTTP {response.status}: {response.request.method} {response.url}")

    @contextmanager
    def navigating_away(self):
        """A navigation cancels the page's in-flight polls: those aborts are expected."""
        self.tolerate_aborts = True
        try:
            yield
        finally:
            self.tolerate_aborts = False

    def check(self) -> None:
        assert not self.outside, f"{self.name}: requests to other hosts: {self.outside}"
        assert not self.problems, f"{self.name}: " + "; ".join(self.problems)


def log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(HOME)
    page.locator(".scoreboard_section").wait_for()


def screenshot(target, name: str, **options) -> Path:
    """Save a screenshot of a page or locator under test-artifacts/frontend/ (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    target.screenshot(path=path, animations="disabled", **options)
    return path


def platform_fonts(page, selector: str) -> set[str]:
    """The system fonts Chromium drew the first match's text with (CDP's
    CSS.getPlatformFontsForNode): a glyph no font has is drawn as a box in a fallback font."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    return {font["familyName"] for font in fonts}


def fonts_with(character: str) -> set[str]:
    """Every family name (in every language) of the installed fonts that have this glyph."""
    import subprocess

    listed = subprocess.run(
        ["fc-list", f":charset={ord(character):x}", "family"],
        capture_output=True, text=True, check=True,
    ).stdout
    return {name for line in listed.splitlines() for name in line.split(",") if name}
