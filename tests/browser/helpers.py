"""Helpers for browser tests: log in, run axe-core, take screenshots, watch the CSP.

Everything here drives a real Chromium through Playwright against pytest-django's
`live_server`. The fixtures in tests/browser/conftest.py wrap these for tests.

axe-core is injected as a <script> element, which the app's strict Content Security
Policy rightly blocks, so pages checked with `check_axe` must come from a context made
with `bypass_csp=True` (the default `page` fixture in this folder is). Pages in such a
context cannot tell us about CSP problems: `CspWatch` on a normal (strict) context does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_REPORTS = ARTIFACTS / "axe"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what we promise.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


# ------------------------------------------------------------------ navigation
def login(page: Page, live_server, user, password: str = PASSWORD) -> None:
    """Log `user` in through the real login form, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:  # staff: the authenticator app's code
        from tests.factories import totp_code

        page.locator("input[name=code]").fill(totp_code())
        page.locator("main button[type=submit]").first.click()
        page.wait_for_load_state()
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|2fa)/"))


def diary_scores(page: Page, pain: int, fear: int) -> None:
    """On the new diary entry page: choose the pain and the fear numbers."""
    for group, n in (
        ("How strong was the pain?", pain),
        ("How afraid or worried did you feel?", fear),
    ):
        page.get_by_role("group", name=group).get_by_role("radio", name=str(n), exact=True).check()


def logout(page: Page) -> None:
    """Log out with the header's button (or allauth's own page, from an error page)."""
    open_more(page)  # on a phone, Log out waits under "More"
    button = page.locator("header").get_by_role("button", name="Log out")
    if not button.count():
        origin = urlunsplit(urlsplit(page.url)[:2] + ("", "", ""))
        page.goto(f"{origin}/accounts/logout/")
        button = page.locator("main").get_by_role("button", name="Log out")
    button.click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def open_more(page: Page) -> bool:
    """Open the header's "More" menu if it is showing (phones); True if it was opened."""
    more = page.locator("header details[data-more]")
    if not more.count() or not more.locator("summary").is_visible():
        return False
    if more.get_attribute("open") is None:
        more.locator("summary").click()
    expect(more).to_have_attribute("open", "")
    return True


def nav_link(page: Page, name: str):
    """A link in the main menu, opening "More" first if the link waits in it (phones)."""
    nav = page.get_by_role("navigation", name="Main")
    link = nav.get_by_role("link", name=name, exact=True).locator("visible=true")
    # The page's scripts first: a "More" opened while the page is still loading can be
    # closed again by them (app.js closes it on a click or focus elsewhere), leaving
    # the link hidden (a flaky admin journey on a phone).
    page.wait_for_load_state()
    if not link.count():
        open_more(page)
    return link.first


def on_live_server(url: str, live_server) -> str:
    """The same link, pointed at the test server (emails carry settings.SITE_URL)."""
    parts, live = urlsplit(url), urlsplit(live_server.url)
    return urlunsplit((live.scheme, live.netloc, parts.path, parts.query, parts.fragment))


def link_in_email(message, pattern: str = r"https?://\S+/invite/\S+/") -> str:
    found = re.search(pattern, message.body)
    assert found, f"no link matching {pattern!r} in the email:\n{message.body}"
    return found.group(0)


# ------------------------------------------------------------------ artifacts
def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_slug(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")


# ------------------------------------------------------------------ accessibility
def check_axe(
    page: Page, name: str, *, tags: list[str] | None = None, disable: list[str] | None = None
) -> dict:
    """Run axe-core on the page; fail with a readable list of WCAG violations.

    The full result is saved as test-artifacts/axe/<name>.json. `disable` turns off
    named rules: use it only with a comment saying why the rule cannot apply.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            raise RuntimeError("axe-core did not load: is this context made with bypass_csp=True?")
    # Let running animations end first (the practice player fades each step in): a
    # half-faded text would count as low contrast.
    page.evaluate(
        """() => Promise.race([
            Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))),
            new Promise(done => setTimeout(done, 2000)),
        ])"""
    )
    options = {
        "runOnly": {"type": "tag", "values": tags or AXE_TAGS},
        "rules": {rule: {"enabled": False} for rule in disable or []},
    }
    results = page.evaluate("options => axe.run(document, options)", options)
    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    (AXE_REPORTS / f"{_slug(name)}.json").write_text(
        json.dumps(
            {
                "url": results["url"],
                "violations": results["violations"],
                "incomplete": results["incomplete"],
            },
            indent=2,
        )
    )
    violations = results["violations"]
    assert not violations, f"axe found problems on {name} ({page.url}):\n" + format_violations(
        violations
    )
    return results


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} [{v.get('impact')}]: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
            lines.append(f"       {node['html'][:200]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def assert_clean_text(page: Page) -> None:
    """No template syntax leaked onto the page (e.g. a {# comment #} split over lines)."""
    leaks = page.evaluate(
        r"() => document.body.innerText.match(/.{0,30}(\{#|#\}|\{%|%\}|\{\{|\}\}).{0,30}/g)"
    )
    assert not leaks, f"template syntax shows on {page.url}:\n" + "\n".join(leaks or [])


def assert_fits_width(page: Page) -> None:
    """Nothing pushes the page wider than the screen (no sideways scrolling).

    Compares with the viewport the context was made with: on an emulated phone the
    browser widens its layout viewport to fit overflowing content, so the page's own
    idea of its width cannot be trusted.
    """
    width = page.viewport_size["width"]
    found = page.evaluate(
        """width => {
        const scroll = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
        if (scroll <= width) return null;
        // An element inside a sideways-scrolling box is clipped by it, unless it is
        // absolutely positioned against something outside that box.
        const clipped = el => {
          let escapes = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
          for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            const style = getComputedStyle(a);
            if (style.overflowX !== 'visible' && !escapes) return true;
            if (style.position !== 'static') escapes = false;
          }
          return false;
        };
        const culprits = [...document.querySelectorAll('body *')]
          .filter(el => el.getBoundingClientRect().right > width + 1 && !clipped(el))
          .slice(0, 10).map(el => el.outerHTML.slice(0, 160));
        return {scroll, culprits};
    }""",
        width,
    )
    assert found is None, (
        f"the page is {found['scroll']}px wide on a {width}px screen ({page.url}); "
        "what sticks out:\n" + "\n".join(found["culprits"])
    )


def assert_tap_targets(page: Page, minimum: int = 44) -> None:
    """Buttons, form controls and stand-alone links are at least `minimum` px tall.

    Links inside running text are exempt (WCAG 2.5.8 allows inline targets); so are
    checkboxes and radios, whose whole label row is the target.
    """
    small = page.evaluate(
        """minimum => {
        const selector = 'button, .button, select, textarea, nav a, .brand, ' +
          'input:not([type=hidden]):not([type=checkbox]):not([type=radio])';
        const labelled = el => el.closest('label, .check');
        return [...document.querySelectorAll(selector)]
          .filter(el => el.getClientRects().length && !labelled(el))
          .filter(el => !el.closest('.skip-link') && !el.classList.contains('skip-link'))
          .map(el => [el, el.getBoundingClientRect()])
          .filter(([el, box]) => box.height < minimum - 0.5)
          .map(([el, box]) => `${Math.round(box.height)}px: ${el.outerHTML.slice(0, 120)}`);
    }""",
        minimum,
    )
    assert not small, f"tap targets under {minimum}px on {page.url}:\n" + "\n".join(small)


def focused(page: Page) -> dict:
    """What has keyboard focus, and whether its focus indicator can be seen."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return {
          tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || '').trim(),
          cls: el.className, href: el.getAttribute('href'), name: el.getAttribute('name'),
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
          ring: style.boxShadow !== 'none',
          onscreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight
                    && box.right > 0 && box.left < innerWidth,
        };
    }""")


# ------------------------------------------------------------------ CSP
_CSP_INIT = """
document.addEventListener('securitypolicyviolation', event => {
  window.__painappCspViolation({
    directive: event.violatedDirective, blocked: event.blockedURI,
    sample: event.sample, source: event.sourceFile, line: event.lineNumber,
    page: document.location.href,
  });
}, true);
"""


@dataclass
class CspWatch:
    """Collects every CSP violation in a browser context, across navigations.

    Uses both the DOM `securitypolicyviolation` event and Chromium's console report,
    so a violation is caught even if it happens before the page's own scripts run.
    Attach it to a context *without* bypass_csp, before opening pages.
    """

    violations: list[dict] = field(default_factory=list)

    @classmethod
    def attach(cls, context) -> CspWatch:
        watch = cls()
        context.expose_function("__painappCspViolation", watch._on_event)
        context.add_init_script(_CSP_INIT)
        for page in context.pages:
            watch.watch_page(page)
        context.on("page", watch.watch_page)
        return watch

    def _on_event(self, violation: dict) -> None:
        self.violations.append(violation)

    def watch_page(self, page: Page) -> None:
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(
                {"console": message.text, "page": message.page.url if message.page else None}
            )


def assert_no_csp_violations(watch: CspWatch, page: Page | None = None, where: str = "") -> None:
    """Fail with every CSP violation seen so far (and forget them).

    Pass the page to let reports still on their way from the browser arrive first.
    """
    if page is not None:
        page.evaluate("() => new Promise(resolve => setTimeout(resolve, 50))")
        where = where or page.url
    found, watch.violations[:] = list(watch.violations), []
    assert not found, f"CSP violations{' on ' + where if where else ''}:\n" + "\n".join(
        json.dumps(v) for v in found
    )


def pdf_pages(pdf: bytes) -> int:
    """How many pages a PDF (Chromium's page.pdf()) has."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))
