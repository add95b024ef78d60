"""The sanitizer, attacked: generated and known-hostile input, read back as a browser would.

Every output is parsed by html5lib, which follows the WHATWG parsing algorithm that
browsers use, as a fragment inside the <section> the templates put it in. A string
check could be fooled by markup that a browser re-parses into something else (mutation
XSS); the parsed tree cannot. On it we assert that no script runs and nothing restyles
the page: no script element, no on* attribute, no style attribute or element, no
javascript:, vbscript: or data: URL, no image from another site, and nothing outside the
allowlist in markup.py.

Hypothesis runs are bounded (a few hundred examples, no deadline) to keep the suite
fast on two cores; a failure prints the example that broke it.
"""

import re
from urllib.parse import urlsplit

import html5lib
import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from treatments.text.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    render_markdown,
    sanitize_html,
)

BOUNDED = settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
# Attributes that hold words for people, not addresses: "javascript: a language" is fine.
TEXT_ATTRIBUTES = {"alt", "title", "lang"}
# nh3 (ammonia) keeps these on any element unless told otherwise; both are plain text.
GENERIC_ATTRIBUTES = {"title", "lang"}
XHTML = "{http://www.w3.org/1999/xhtml}"


def _local(name: str) -> str:
    """html5lib names elements and attributes {namespace}local; keep the local part."""
    return name.rsplit("}", 1)[-1].lower()


def _url_as_browser_reads(value: str) -> str:
    """The WHATWG URL parser strips leading and trailing C0 controls and spaces, and
    removes tabs and newlines anywhere, before it reads the scheme."""
    without_tabs = re.sub(r"[\t\n\r]", "", value)
    return without_tabs.strip("".join(map(chr, range(0x21)))).lower()


def _loads_from_another_site(url: str) -> bool:
    """An image address that a browser would fetch from a host other than this site's
    (backslashes count as slashes in http URLs)."""
    parts = urlsplit(_url_as_browser_reads(url).replace("\\", "/"))
    own_host = urlsplit(django_settings.SITE_BASE_URL).hostname
    return bool(parts.scheme or parts.netloc) and parts.hostname != own_host


def parse_as_browser(html: str):
    """The fragment as the DOM a browser builds from it inside a <section>."""
    return html5lib.parseFragment(html, container="section", namespaceHTMLElements=True)


def dangers(html: str) -> list[str]:
    """Everything in ``html`` that could run script, restyle the page or escape the
    allowlist, as read by a browser. Empty means harmless."""
    found = []
    fragment = parse_as_browser(html)
    for element in fragment.iter():
        if element is fragment or not isinstance(element.tag, str):
            continue  # the fragment itself, and comments
        tag = _local(element.tag)
        if not element.tag.startswith(XHTML):
            found.append(f"foreign element <{element.tag}>")
        if tag in {"script", "style"}:
            found.append(f"<{tag}> element")
        if tag not in ALLOWED_TAGS:
            found.append(f"<{tag}> is not on the allowlist")
        for raw_name, value in element.attrib.items():
            name = _local(raw_name)
            if name.startswith("on"):
                found.append(f"event handler {name} on <{tag}>")
            if name == "style":
                found.append(f"style attribute on <{tag}>")
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()) | GENERIC_ATTRIBUTES:
                found.append(f"attribute {name} on <{tag}> is not on the allowlist")
            if name not in TEXT_ATTRIBUTES and _url_as_browser_reads(value).startswith(
                DANGEROUS_SCHEMES
            ):
                found.append(f"{name}={value!r} on <{tag}>")
            if tag == "img" and name == "src" and _loads_from_another_site(value):
                found.append(f"third-party image {value!r}")
    return found


def assert_harmless(html: str, source: str = "") -> None:
    problems = dangers(html)
    assert not problems, f"{problems}\nsource: {source!r}\noutput: {html!r}"


def test_the_checker_finds_each_kind_of_danger():
    """It must be able to fail, or every test below proves nothing."""
    cases = {
        "<script>alert(1)</script>": "<script>",
        "<p onclick=alert(1)>x</p>": "event handler",
        '<p style="color:red">x</p>': "style attribute",
        "<style>p{}</style>": "<style>",
        '<a href=" java\tscript:alert(1)">x</a>': "href=",
        '<img src="DATA:image/png;base64,AAAA">': "src=",
        '<a href="vbscript:x">x</a>': "href=",
        "<svg><a>x</a></svg>": "foreign element",
        "<math><mi>x</mi></math>": "foreign element",
        "<iframe></iframe>": "not on the allowlist",
        '<p class="x">y</p>': "not on the allowlist",
        '<img src="https://tracker.example/p.png">': "third-party image",
        '<img src="\\\\tracker.example/p.png">': "third-party image",
    }
    for html, expected in cases.items():
        assert any(expected in problem for problem in dangers(html)), (html, dangers(html))
    assert dangers('<p><a href="/x" title="javascript: a language">y</a></p>') == []
    assert dangers('<table title="javascript: a language" lang="en"></table>') == []


# --- Generated input -------------------------------------------------------------------

# The pieces attacks are made of: tags, handlers, schemes in many disguises, quotes.
SCHEMES = [
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "java\nscript:",
    " javascript:",
    "\x01javascript:",
    "&#106;avascript:",
    "&#x6A;avascript:",
    "&#0000106&#0000097vascript:",
    "javascript&colon;",
    "javascript&#58;",
    "jav&#x09;ascript:",
    "vbscript:",
    "data:",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,<svg onload=alert(1)>",
]
TAGS = [
    "script",
    "img",
    "a",
    "svg",
    "math",
    "iframe",
    "style",
    "object",
    "embed",
    "form",
    "button",
    "input",
    "textarea",
    "noscript",
    "template",
    "xmp",
    "title",
    "base",
    "meta",
    "link",
    "mglyph",
    "mtext",
    "table",
    "select",
    "p",
    "div",
]
ATTRIBUTES = [
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "ONFOCUS",
    "style",
    "href",
    "src",
    "xlink:href",
    "action",
    "formaction",
    "srcset",
    "data",
    "poster",
    "background",
    "srcdoc",
    "id",
    "class",
    "title",
]
TOKENS = [
    "<",
    ">",
    "</",
    "/>",
    '"',
    "'",
    "`",
    "=",
    "&",
    "&lt;",
    "&#60;",
    "\\",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "alert(1)",
    "expression(alert(1))",
    "url(javascript:alert(1))",
    "{: onclick=alert(1) }",
    "{#x onclick=alert(1)}",
    " ",
    "\n",
    "\t",
    "\x00",
]
MARKDOWN_SYNTAX = [
    "# ",
    "## ",
    "### ",
    "- ",
    "1. ",
    "> ",
    "    ",
    "```\n",
    "\n```\n",
    "`",
    "**",
    "*",
    "_",
    "[",
    "](",
    ")",
    "![",
    "| a | b |\n|---|---|\n| ",
    "[TOC]\n",
    "\n\n",
    '"title"',
    "<http://example.com/>",
    "<mailto:a@example.com>",
    "[ref]: ",
    "[ref]",
]

_tag = st.sampled_from(TAGS)
_attribute_value = st.one_of(
    st.sampled_from(SCHEMES).map(lambda scheme: scheme + "alert(1)"),
    st.sampled_from(SCHEMES),
    st.sampled_from(
        [
            "alert(1)",
            "color:red",
            "x",
            "//evil.example/x.png",
            "https://evil.example/x.png",
            "\\\\evil.example/x.png",
            "/\\evil.example/x.png",
            "",
        ]
    ),
)


@st.composite
def html_elements(draw, depth: int = 0):
    """One element with hostile attributes, sometimes nested, sometimes left unclosed."""
    tag = draw(_tag)
    attributes = draw(
        st.lists(st.tuples(st.sampled_from(ATTRIBUTES), _attribute_value), max_size=3)
    )
    quote = draw(st.sampled_from(['"', "'", "", "`"]))
    separator = draw(st.sampled_from([" ", "/", "\n", "\t", " /"]))
    attrs = "".join(f"{separator}{name}={quote}{value}{quote}" for name, value in attributes)
    inner = draw(
        st.one_of(
            st.sampled_from(["", "x", "alert(1)", "<img src=x onerror=alert(1)>"]),
            html_elements(depth + 1) if depth < 2 else st.just("y"),
        )
    )
    closing = draw(st.sampled_from([f"</{tag}>", "", f"</{tag.upper()}>", "</p>"]))
    return f"<{tag}{attrs}>{inner}{closing}"


html_fragments = st.lists(
    st.one_of(html_elements(), st.sampled_from(TOKENS), st.text(max_size=5)), max_size=8
).map("".join)

markdown_documents = st.lists(
    st.one_of(
        st.sampled_from(MARKDOWN_SYNTAX),
        st.sampled_from(TOKENS),
        st.sampled_from(SCHEMES).map(lambda scheme: f"[x]({scheme}alert(1))"),
        st.sampled_from(SCHEMES).map(lambda scheme: f"![x]({scheme}alert(1))"),
        st.sampled_from(["https:", "http:", "//", "\\\\", "/\\", " https://"]).map(
            lambda prefix: f"![x]({prefix}evil.example/x.png)"
        ),
        st.sampled_from(SCHEMES).map(lambda scheme: f"[x]: {scheme}alert(1)\n"),
        html_elements(),
        st.text(max_size=8),
    ),
    max_size=14,
).map("".join)


@BOUNDED
@given(html_fragments)
def test_sanitize_html_leaves_nothing_that_runs_or_restyles(html):
    assert_harmless(sanitize_html(html), html)


@BOUNDED
@given(markdown_documents)
def test_render_markdown_leaves_nothing_that_runs_or_restyles(source):
    assert_harmless(render_markdown(source), source)


@BOUNDED
@given(markdown_documents)
def test_page_bodies_with_h2_headings_are_as_safe(source):
    """Pages render with top_heading_level=2 and no id prefix: the same guarantees."""
    assert_harmless(render_markdown(source, top_heading_level=2), source)


@BOUNDED
@given(html_fragments)
def test_sanitizing_twice_changes_nothing(html):
    """Stored HTML may be cleaned again (an export, a re-import): it must be stable, or a
    second pass could be tricked into building what the first removed."""
    once = sanitize_html(html)
    assert sanitize_html(once) == once


# Text a code block may show: anything without the fence's backticks or tildes.
_code_text = st.text(
    alphabet=st.sampled_from(list("<>&\"'/=:;() abcxyzSCRIPT!-[]{}#*_\\")),
    min_size=1,
    max_size=40,
).filter(lambda text: text.strip())


@BOUNDED
@given(st.lists(_code_text, min_size=1, max_size=4))
def test_code_blocks_show_markup_as_visible_text(lines):
    """Staff explaining "do not paste <script>" see exactly what they typed, as text."""
    code = "\n".join(line.rstrip() for line in lines)
    html = render_markdown(f"```\n{code}\n```")
    fragment = parse_as_browser(html)
    code_elements = [el for el in fragment.iter() if _local(str(el.tag)) == "code"]
    assert len(code_elements) == 1, html
    shown = "".join(code_elements[0].itertext())
    assert shown == code + "\n", (code, html)
    assert_harmless(html, code)


# --- Known payloads --------------------------------------------------------------------

# From the OWASP XSS Filter Evasion Cheat Sheet, PortSwigger's XSS cheat sheet and
# published sanitizer bypasses (DOMPurify and Bleach mutation XSS, Markdown link tricks).
KNOWN_MARKDOWN_PAYLOADS = [
    "[a](javascript:alert(1))",
    "[a](JAVASCRIPT:alert(1))",
    "[a](javascript&#58;alert(1))",
    "[a](javascript&colon;alert(1))",
    "[a](&#x6A;avascript:alert(1))",
    "[a](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[a](jav&#x09;ascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    "[a](  javascript:alert(1))",
    "[a](java\nscript:alert(1))",
    "[a](vbscript:msgbox(1))",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[a][r]\n\n[r]: javascript:alert(1)",
    "[a][r]\n\n[r]: <javascript:alert(1)>",
    "![a](javascript:alert(1))",
    "![a](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![a](x.png){onerror=alert(1)}",
    '[a](http://x "t" onclick="alert(1)")',
    "[a](http://x' onclick='alert(1))",
    '[a](http://example.com/"onmouseover="alert(1))',
    '<http://example.com/"onmouseover="alert(1)>',
    "<javascript:alert(1)>",
    "# Heading {#id onclick=alert(1)}",
    "Paragraph\n{: onclick=alert(1) style=color:red }",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "\\<script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</script>",
    "`x`<script>alert(1)</script>",
    "    <script>alert(1)</script>",
    "![pixel](https://tracker.example/p.png)",
    "![pixel](//tracker.example/p.png)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
]
KNOWN_HTML_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    '<IMG """><SCRIPT>alert(1)</SCRIPT>">',
    "<img src=x onerror=alert(1)//",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<img src="x` `<script>alert(1)</script>"` `>',
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=javascript:alert(1)><text x=20 y=20>x</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style>"
    "<a title=\"</style><img src onerror='alert(1)'>\">",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<xmp><p title="</xmp><img src=x onerror=alert(1)>"></xmp>',
    "<template><img src=x onerror=alert(1)></template>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<!--><img src=x onerror=alert(1)>-->",
    "<![CDATA[><img src=x onerror=alert(1)>]]>",
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105'
    '&#0000112&#0000116&#0000058alert(1)">x</a>',
    '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href=" &#14;  javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="//evil.example/x.css">',
    "<style>@import '//evil.example/x.css';</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width:expression(alert(1))">x</p>',
    "<isindex action=javascript:alert(1) type=image>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    '<a href="#" onmouseover="alert(1)">x</a>',
    "<body onload=alert(1)>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<img srcset="javascript:alert(1) 1x">',
    '<h2 id="x" onclick="alert(1)" style="color:red">x</h2>',
]


@pytest.mark.parametrize("source", KNOWN_MARKDOWN_PAYLOADS + KNOWN_HTML_PAYLOADS)
def test_known_payloads_are_harmless_as_markdown(source):
    assert_harmless(render_markdown(source), source)


@pytest.mark.parametrize("html", KNOWN_HTML_PAYLOADS)
def test_known_payloads_are_harmless_through_the_sanitizer_alone(html):
    """Layer 2 on its own: even if Markdown let raw HTML through, this would hold."""
    assert_harmless(sanitize_html(html), html)


@pytest.mark.parametrize(
    ("source", "visible"),
    [
        ("```\n<script>alert(1)</script>\n```", "<script>alert(1)</script>"),
        ("`<script>alert(1)</script>`", "<script>alert(1)</script>"),
        ("    <img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
        ("Type <script> to break it.", "<script>"),
        ("\\<script>alert(1)</script>", "<script>alert(1)</script>"),
    ],
)
def test_markup_shown_as_text_stays_visible(source, visible):
    html = render_markdown(source)
    text = "".join(parse_as_browser(html).itertext())
    assert visible in text, html
    assert_harmless(html, source)
