"""Helpers for the browser tests of the managers' pages: logging in, width, axe-core."""

import re
from pathlib import Path

from tests.factories import PASSWORD

# axe-core from the npm registry (package.json), injected from node_modules: never a CDN.
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("moderate", "serious", "critical")


def admin_log_in(page, user) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    # The index's add and change icons are CSS backgrounds, fetched after the load event: a
    # test that navigates on at once would abort them (net::ERR_ABORTED), so let them arrive.
    page.wait_for_load_state("networkidle")


def overflow(page) -> dict:
    """The page's width and the window's, and every table box whose columns scroll out of it."""
    return page.evaluate(
        """() => ({
            document: document.documentElement.scrollWidth,
            viewport: window.innerWidth,
            scrolled: Array.from(document.querySelectorAll('.results, .module'))
                .filter(box => box.scrollWidth > box.clientWidth + 1)
                .map(box => (box.id || box.className) + ': ' + box.scrollWidth + ' > '
                     + box.clientWidth),
        })"""
    )


def with_axe(context) -> None:
    """Load axe-core into every page of this browser context (an init script: CSP-proof)."""
    context.add_init_script(path=str(AXE))


def axe_violations(page, *, impacts=SERIOUS) -> list[dict]:
    """axe-core's violations of at least moderate impact, in words."""
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ['violations'] });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in impacts]
