"""The teacher's link in a real Chromium, on `streamlit run` and on the offline static site (stlite): the
Copy link button puts the page's address on the clipboard, the view options and hide= reach the address
bar, a hidden control is not drawn, and a link's bad values cannot draw a link or a picture."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from site_helpers import Console, built_site, offline_context, serve, wait_rendered

from browser_helpers import wait_ready

pytestmark = pytest.mark.browser
CLIPBOARD = ["clipboard-read", "clipboard-write"]
BOOT_MS = 180_000  # the static site: Pyodide, the packages and Streamlit on a busy 2-core machine


def address(page) -> str:
    """The address bar as the page has it (Playwright's page.url can lag a history.pushState behind)."""
    return page.evaluate("location.href")


def query(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(address(page)).query, keep_blank_values=True).items()}


def wait_query(page, key: str, value: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while query(page).get(key) != value:
        assert time.monotonic() < deadline, f"{key}={value} never reached the address bar: {address(page)}"
        time.sleep(0.1)


def copy_frame(page):
    frame = page.frame_locator("[data-testid=stSidebar] iframe").first
    frame.get_by_role("button", name="Copy link").wait_for()
    return frame


def copy_link(page) -> str:
    """Click Copy link; the clipboard's text once the button says Copied."""
    frame = copy_frame(page)
    page.evaluate("navigator.clipboard.writeText('')")
    frame.get_by_role("button", name="Copy link").click()
    frame.get_by_role("status").filter(has_text="Copied").wait_for(timeout=10_000)
    return page.evaluate("navigator.clipboard.readText()")


def sidebar_labels(page) -> list[str]:
    labels = page.get_by_test_id("stSidebar").get_by_test_id("stWidgetLabel")
    labels.first.wait_for()  # the widgets' code may load after the rest of the page
    return labels.all_inner_texts()


def hide_in_link(page, text: str) -> None:
    """Pick the part whose label has ``text`` in the share section's "Hide in the shared link"."""
    box = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect")
    box.locator("input").click()
    box.locator("input").fill(text)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def pill(page, name: str):
    return page.get_by_test_id("stMain").get_by_role("button", name=name)


def pressed(page, name: str) -> bool:
    """Whether a view option's pill is on (aria-pressed since Streamlit 1.4x, kind before)."""
    p = pill(page, name)
    return p.get_attribute("aria-pressed") == "true" or p.get_attribute("kind") == "pillsActive"


def open_server_page(browser, url: str, params: str, **context):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, **context)
    ctx.grant_permissions(CLIPBOARD, origin=url)
    page = ctx.new_page()
    page.goto(f"{url}/?{params}")
    wait_ready(page)
    page.locator("[data-testid=stSidebar] iframe").first.wait_for()  # the sidebar's last part is drawn too
    return ctx, page


# ---------------------------------------------------------------- `streamlit run`
def test_copy_link_puts_the_pages_address_on_the_clipboard(server, browser):
    ctx, page = open_server_page(browser, server, "ds=xor&lr=0.2&hide=files&log=1")
    copied = copy_link(page)
    assert copied == address(page)
    q = query(page)
    assert (q["ds"], q["lr"], q["hide"], q["log"], q["test"]) == ("xor", "0.2", "files", "1", "1")
    assert set(q) >= {"ds", "n", "h", "a", "opt", "ep", "disc", "test", "log"}  # every setting, every option
    frame = copy_frame(page)
    assert frame.get_by_role("textbox", name="Link to this experiment").input_value() == copied

    # a change of a setting rewrites the address; the button copies the new one, the text follows it
    page.get_by_test_id("stSidebar").get_by_test_id("stNumberInput").filter(has_text="Epoch budget") \
        .locator("input").fill("777")
    page.keyboard.press("Enter")
    wait_query(page, "ep", "777")
    copied = copy_link(page)
    assert copied == address(page) and "ep=777" in copied
    deadline = time.monotonic() + 5
    while frame.get_by_role("textbox").input_value() != copied:
        assert time.monotonic() < deadline, "the link's text does not follow the address bar"
        time.sleep(0.1)
    ctx.close()


def test_refused_copy_leaves_the_link_selected(server, browser):
    """Where the browser refuses both ways of copying, the button says so and selects the link's text."""
    ctx, page = open_server_page(browser, server, "ds=moons")
    frame_el = page.locator("[data-testid=stSidebar] iframe").first.element_handle()
    inner = frame_el.content_frame()
    inner.evaluate("""() => {
        navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
        document.execCommand = () => false;
    }""")
    frame = copy_frame(page)
    frame.get_by_role("button", name="Copy link").click()
    frame.get_by_role("status").filter(has_text="refused").wait_for(timeout=10_000)
    selected = inner.evaluate("() => { const l = document.getElementById('link');"
                              " return l.value.substring(l.selectionStart, l.selectionEnd); }")
    assert selected == address(page) and "ds=moons" in selected
    ctx.close()


def test_view_options_and_hide_reach_the_address_bar(server, browser):
    ctx, page = open_server_page(browser, server, "ds=circles&hide=lr,presets&log=1&test=0&lr=0.25")
    labels = sidebar_labels(page)
    assert "Learning rate" not in labels and "Optimizer" in labels, labels
    assert page.get_by_test_id("stSidebar").get_by_role("button", name="Tutorial preset", exact=True).count() == 0
    assert pressed(page, "Log scale") and not pressed(page, "Show test data") and not pressed(page, "Discretize output")

    pill(page, "Discretize output").click()  # the pills rerun only the main area's fragment
    wait_query(page, "disc", "1")
    assert query(page)["log"] == "1" and query(page)["lr"] == "0.25" and query(page)["hide"] == "presets,lr"
    hide_in_link(page, "download buttons")
    wait_query(page, "hide", "presets,lr,files")
    assert "Optimizer" in sidebar_labels(page)  # the choice changes the link, not this page

    # the link as a student opens it
    ctx2, student = open_server_page(browser, server, urlsplit(copy_link(page)).query)
    assert "Learning rate" not in sidebar_labels(student)
    assert pressed(student, "Discretize output") and pressed(student, "Log scale")
    assert student.get_by_role("button", name="Download model (JSON)").count() == 0
    ctx2.close()
    ctx.close()


def test_bad_values_cannot_draw_a_link_or_a_picture(server, browser):
    ctx, page = open_server_page(browser, server, "ds=%5Bclick%5D(https://example.com)"
                                                  "&n=!%5Bp%5D(https://example.com/p.png)&nz=%3Cimg%20src=x%3E")
    alert = page.get_by_test_id("stAlert")
    assert alert.count() == 1
    assert alert.locator("img").count() == 0
    # Markdown may turn a bare address into a link, which then reads as where it goes; no link text of the URL's
    links = [(a.inner_text(), a.get_attribute("href")) for a in alert.locator("a").all()]
    assert all(text == href for text, href in links) and "click" not in [text for text, _ in links], links
    assert "[click](https://example.com)" in alert.inner_text() and "<img src=x>" in alert.inner_text()
    ctx.close()


# ---------------------------------------------------------------- the offline static site (stlite)
def test_static_site_copies_the_link_and_follows_view_and_hide(browser):
    with serve(built_site(offline=True)) as url:
        ctx, leaks, _ = offline_context(browser, viewport={"width": 1366, "height": 900})
        ctx.grant_permissions(CLIPBOARD, origin=url.rstrip("/"))
        page = ctx.new_page()
        console = Console(page)
        page.goto(f"{url}?ds=xor&hide=lr&log=1&test=0&lr=0.2&n=-3")
        wait_rendered(page, BOOT_MS)
        page.locator("[data-testid=stSidebar] iframe").first.wait_for()
        q = query(page)  # stlite passes the query to st.query_params, and the page's writes reach the bar
        assert (q["ds"], q["lr"], q["hide"], q["log"], q["test"], q["n"]) == ("xor", "0.2", "lr", "1", "0", "4")
        assert "n='-3'" in page.get_by_test_id("stAlert").inner_text()
        assert "Learning rate" not in sidebar_labels(page) and "Optimizer" in sidebar_labels(page)
        assert copy_link(page) == address(page)
        pill(page, "Discretize output").click()
        wait_query(page, "disc", "1")
        hide_in_link(page, "download buttons")
        wait_query(page, "hide", "lr,files")
        assert copy_link(page) == address(page)
        assert leaks == [] and console.errors() == [], (leaks, console.errors())
        ctx.close()
