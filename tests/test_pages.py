"""Browser pages without a browser: what the service serves, its headers, and what it never does.

The behaviour of the scripts themselves is proven in a real browser in test_browser.py.
"""

import re
from pathlib import Path

import pytest

from service.site_settings import LABELS
from service.web.pages import DEMO_SITE_KEY_FILE, REVIEW_REASONS, save_demo_site_key

REPO = Path(__file__).resolve().parents[1]
STATIC = REPO / "service" / "web" / "static"
TEMPLATES = STATIC.parent / "templates"
PAGES = ["/moderate", "/demo/article", "/demo/article?site_key=pk_demo_key"]
STATIC_FILES = sorted(f"/static/{path.name}" for path in STATIC.iterdir() if path.is_file())


def test_the_review_page_offers_sign_in_queues_and_the_keyboard_shortcuts(client):
    response = client.get("/moderate")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'id="sign-in-form"' in page and 'type="password"' in page
    assert '<script type="module" src="/static/moderate.js"></script>' in page
    for queue in ("held", "reported", "pending", "spam", "approved", "rejected"):
        assert f'data-count="{queue}"' in page
    for key in ("j", "k", "x", "a", "r", "s", "d", "c"):
        assert f"<kbd>{key}</kbd>" in page
    assert response.headers["Cache-Control"] == "no-store"


def filter_options(page, select_id):
    select = re.search(rf'<select id="{select_id}">(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)">([^<]*)</option>', select)


def test_the_review_page_filters_by_every_toxicity_label_and_the_pipelines_reasons(client):
    page = client.get("/moderate").get_data(as_text=True)
    assert filter_options(page, "filter-label") == [("", "Any label")] + [
        (label, label.replace("_", " ")) for label in LABELS
    ]
    assert filter_options(page, "filter-reason") == [("", "Any reason")] + [
        (reason, reason) for reason in REVIEW_REASONS
    ]


@pytest.mark.parametrize("reason", REVIEW_REASONS)
def test_the_reason_filter_offers_only_codes_the_pipeline_writes(reason):
    codes = REPO / "workers" / "classifiers" / "reasons.py"  # defines them; others write them
    source = "".join(
        path.read_text()
        for folder in ("workers", "service")
        for path in (REPO / folder).rglob("*.py")
        if path != codes
    )
    assert f"Reason.{reason}" in source, f"nothing writes {reason}: drop it from Reason"


@pytest.mark.parametrize("path", PAGES)
def test_pages_allow_only_their_own_scripts_styles_and_api(client, path):
    policy = client.get(path).headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy


@pytest.mark.parametrize(
    "name, mimetype",
    [
        ("widget.js", "text/javascript"),
        ("moderate.js", "text/javascript"),
        ("widget.css", "text/css"),
        ("moderate.css", "text/css"),
        ("demo.css", "text/css"),
    ],
)
def test_scripts_and_styles_are_served_with_their_content_type(client, name, mimetype):
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.get_data() == (STATIC / name).read_bytes()


def test_the_demo_article_embeds_the_widget_with_one_script_tag(client):
    page = client.get("/demo/article?site_key=pk_demo_key").get_data(as_text=True)
    assert "<h1>City council approves new bike lanes</h1>" in page
    tags = re.findall(r"<script\b[^>]*>", page)
    assert len(tags) == 1
    tag = tags[0]
    assert 'src="/static/widget.js"' in tag and 'data-site-key="pk_demo_key"' in tag
    assert 'data-article-id="demo-1"' in tag
    assert 'data-permalink="http://localhost/demo/article"' in tag
    # A classic script, so the widget can find its own tag through document.currentScript.
    assert "type=" not in tag


def test_the_demo_article_uses_the_key_modctl_up_saved(app, client):
    save_demo_site_key("pk_saved_demo_key")
    try:
        page = client.get("/demo/article").get_data(as_text=True)
        override = client.get("/demo/article?site_key=pk_other").get_data(as_text=True)
    finally:
        (Path(app.config["DATA_DIR"]) / DEMO_SITE_KEY_FILE).unlink()
    assert 'data-site-key="pk_saved_demo_key"' in page
    assert 'data-site-key="pk_other"' in override


def test_the_demo_article_without_a_key_says_how_to_get_one(client):
    page = client.get("/demo/article").get_data(as_text=True)
    assert "widget.js" not in page
    assert "modctl up" in page and "site_key=" in page


def test_text_from_the_request_is_escaped_in_pages(client):
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    page = client.get("/demo/article", query_string={"site_key": hostile}).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert 'data-site-key="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;' in page


@pytest.mark.parametrize("path", PAGES + STATIC_FILES)
def test_nothing_served_points_at_another_host(client, path):
    """No third-party requests: every absolute URL in a page, script or style is our own."""
    response = client.get(path)
    text = response.get_data(as_text=True)
    hosts = set(re.findall(r"""(?:https?:)?//([\w.-]+(?::\d+)?)[/"']""", text))
    assert hosts <= {"localhost"}, f"{path} refers to {hosts - {'localhost'}}"
    assert "@import" not in text
    if response.mimetype == "text/html":
        for url in re.findall(r"""(?<![\w-])(?:src|href|action)=["']([^"']*)""", text):
            assert url.startswith(("/", "#", "http://localhost/")), (path, url)


@pytest.mark.parametrize("name", ["widget.js", "moderate.js"])
def test_scripts_never_turn_data_into_html(name):
    """Comment text is strangers' text: it goes on the page with textContent only."""
    source = (STATIC / name).read_text()
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "createContextualFragment",
    ):
        assert sink not in source, f"{name} uses {sink}"


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_never_switch_autoescape_off(template):
    source = (TEMPLATES / template).read_text()
    assert "|safe" not in source.replace(" ", "") and "autoescape false" not in source
