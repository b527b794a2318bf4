"""A strict reading of generated HTML for the tests: every end tag must close the innermost
open element; ids, links and the text under one element are collected."""
from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source", "track", "wbr"}


class Page(HTMLParser):
    """Checks that every end tag closes the innermost open element; records ids, links, text."""

    def __init__(self, text_root: str | None = None):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.tags: Counter[str] = Counter()
        self.ids: dict[str, list[str]] = {}  # id → ids of the elements enclosing it
        self.hrefs: list[str] = []
        self.attrs: list[dict] = []
        self.text_root = text_root
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags[tag] += 1
        self.attrs.append(a)
        if "id" in a:
            assert a["id"] not in self.ids, f"duplicate id {a['id']}"
            self.ids[a["id"]] = [x["id"] for _, x in self.stack if "id" in x]
        if "href" in a:
            self.hrefs.append(a["href"])
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_endtag(self, tag):
        assert self.stack, f"</{tag}> with nothing open"
        assert self.stack[-1][0] == tag, f"</{tag}> closes <{self.stack[-1][0]}>"
        self.stack.pop()

    def handle_data(self, data):
        classes = [x.get("class", "") for _, x in self.stack]
        if self.text_root in classes and not any("badge" in c.split() for c in classes):
            self.text.append(data)


def parse(markup: str, text_root: str | None = None) -> Page:
    page = Page(text_root)
    page.feed(markup)
    page.close()
    assert not page.stack, f"unclosed: {[t for t, _ in page.stack]}"
    return page
