"""HTML parsed the way a browser sees its elements, for tests of every HTML the reader writes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"meta", "br", "img", "input", "link", "hr", "source", "area", "base", "col", "embed", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    def text(self, skip: frozenset[str] = frozenset()) -> str:
        """Unescaped text content, leaving out subtrees whose class is in ``skip``."""
        out = []
        for child in self.children:
            if isinstance(child, str):
                out.append(child)
            elif not skip & set(child.classes):
                out.append(child.text(skip))
        return "".join(out)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)]


class TreeBuilder(HTMLParser):
    """A small DOM built by the standard library's parser: what a browser would see as elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return
        raise AssertionError(f"unbalanced </{tag}>")

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


def cells(tree: Node, side: str) -> list[Node]:
    return [n for n in tree.find_all("div", "cell") if side in n.classes]


def sentences(node: Node) -> list[Node]:
    return [n for n in node.iter() if n.tag == "span" and "s" in n.classes]




LOOKUP_BLOCK = {"type": "application/json", "id": "reader-lookups"}


def page_script(tree: Node) -> Node:
    """The page's one script that runs; beside it, at most the word-lookup data block, inert JSON."""
    scripts = tree.find_all("script")
    code = [s for s in scripts if s.attrs == {}]
    data = [s for s in scripts if s.attrs]
    assert len(code) == 1 and len(data) <= 1
    for block in data:
        assert block.attrs == LOOKUP_BLOCK
        assert not set("<>&") & set(block.text())
        json.loads(block.text())
    return code[0]
