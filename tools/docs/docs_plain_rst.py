"""Rewrites the guide pages of a generated reference into plain reStructuredText that GitHub renders.

antsibull-docs copies the guide (docs/docsite/rst) into <reference>/docsite/ as written, with the
antsibull and Sphinx roles that only a Sphinx build understands. This replaces each role with a
literal or a link to the generated page, and fails on any role, page or anchor it cannot resolve,
so a page never shows raw markup.

Usage: python tools/docs/docs_plain_rst.py <reference directory>
"""

import os
import re
import sys

COLLECTION = "opsforge.delivery"
LABEL_PREFIX = "ansible_collections.%s." % COLLECTION
DOCSITE_LABEL_PREFIX = LABEL_PREFIX + "docsite."
ROLE = re.compile(r":(?P<role>[a-z][a-z0-9-]*):`(?P<text>[^`]+)`")
LEFTOVER_ROLE = re.compile(r":([a-z][a-z0-9-]*):`")
LABEL_DEFINITION = re.compile(r"^\.\. _(?P<label>[^:]+):\s*$")
DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. (?:code-block|code|sourcecode)::")
EXPLICIT_TITLE = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^<>]+)>$")
PLUGIN = re.compile(r"^(?P<fqcn>[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+)#(?P<type>[a-z_]+)$")
PLUGIN_ITEM = re.compile(r"^(?P<fqcn>[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+)#(?P<type>[a-z_]+):(?P<path>[^=]+)(?P<value>=.*)?$")


class Unresolved(Exception):
    """A role, page or anchor that has no plain equivalent in the reference."""


class Reference(object):
    """The generated reference: its plugin pages, and the guide pages with their labels and titles."""

    def __init__(self, root):
        self.root = root
        self.docsite = os.path.join(root, "docsite")
        self.pages = {}
        self.titles = {}
        for name in sorted(os.listdir(self.docsite)):
            if name.endswith(".rst"):
                self._read_guide(name)

    def _read_guide(self, name):
        with open(os.path.join(self.docsite, name), encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        title = next((lines[i] for i in range(len(lines) - 1)
                      if lines[i].strip() and re.match(r"^([=\-~^\"'`#*+])\1+$", lines[i + 1])), name)
        for line in lines:
            match = LABEL_DEFINITION.match(line)
            if match:
                self.pages[match.group("label")] = name
                self.titles[match.group("label")] = title

    def plugin_page(self, fqcn, plugin_type):
        if not fqcn.startswith(COLLECTION + "."):
            raise Unresolved("%s is not in %s" % (fqcn, COLLECTION))
        page = "%s_%s.rst" % (fqcn[len(COLLECTION) + 1:], plugin_type)
        if not os.path.isfile(os.path.join(self.root, page)):
            raise Unresolved("no page %s for %s#%s" % (page, fqcn, plugin_type))
        return page

    def anchor(self, page, kind, path):
        """The id of an option or return value on a plugin page (nested names joined with /)."""
        anchor = "%s-%s" % (kind, "/".join(part.replace("[]", "") for part in path.split(".")))
        with open(os.path.join(self.root, page), encoding="utf-8") as handle:
            if 'id="%s"' % anchor not in handle.read():
                raise Unresolved("%s has no anchor %s" % (page, anchor))
        return anchor


def link(text, target):
    return "`%s <%s>`__" % (text.replace("`", "\\`").replace("<", "\\<"), target)


def literal(text):
    return "``%s``" % text


def plugin_role(text, reference):
    match = EXPLICIT_TITLE.match(text)
    title, target = (match.group("title"), match.group("target")) if match else (None, text)
    plugin = PLUGIN.match(target)
    if not plugin:
        raise Unresolved("not a plugin reference: %s" % text)
    page = reference.plugin_page(plugin.group("fqcn"), plugin.group("type"))
    return link(title or "%s %s" % (plugin.group("fqcn"), plugin.group("type")), "../" + page)


def item_role(kind):
    """A role for an option (``parameter``) or a return value (``return``) of a plugin."""

    def render(text, reference):
        item = PLUGIN_ITEM.match(text)
        if not item:
            raise Unresolved("not a full plugin option or return value reference: %s" % text)
        page = reference.plugin_page(item.group("fqcn"), item.group("type"))
        anchor = reference.anchor(page, kind, item.group("path"))
        return link(item.group("path") + (item.group("value") or ""), "../%s#%s" % (page, anchor))

    return render


def item_ref_role(kind):
    """``:ansoptref:`` and ``:ansretvalref:``: ``title <fqcn#type:path>``, a link titled as given."""

    def render(text, reference):
        match = EXPLICIT_TITLE.match(text)
        item = PLUGIN_ITEM.match(match.group("target")) if match else None
        if not item:
            raise Unresolved("not a titled plugin option or return value reference: %s" % text)
        page = reference.plugin_page(item.group("fqcn"), item.group("type"))
        return link(match.group("title"), "../%s#%s" % (page, reference.anchor(page, kind, item.group("path"))))

    return render


def collection_role(text, reference):
    match = EXPLICIT_TITLE.match(text)
    title, target = (match.group("title"), match.group("target")) if match else (None, text)
    if target.split("#")[0] != COLLECTION:
        raise Unresolved("only %s can be linked: %s" % (COLLECTION, text))
    return link(title or COLLECTION, "../index.rst")


def doc_role(text, reference):
    match = EXPLICIT_TITLE.match(text)
    title, target = (match.group("title"), match.group("target")) if match else (None, text)
    page = target.lstrip("/") + ".rst"
    labels = [label for label, name in reference.pages.items() if name == page]
    if not labels:
        raise Unresolved("no guide page %s" % page)
    return link(title or reference.titles[labels[0]], page)


def ref_role(text, reference):
    match = EXPLICIT_TITLE.match(text)
    title, label = (match.group("title"), match.group("target")) if match else (None, text)
    if label in reference.pages:
        return link(title or reference.titles[label], reference.pages[label])
    if label.startswith(LABEL_PREFIX) and not label.startswith(DOCSITE_LABEL_PREFIX):
        name, dummy, plugin_type = label[len(LABEL_PREFIX):].rpartition("_")
        page = reference.plugin_page("%s.%s" % (COLLECTION, name), plugin_type)
        return link(title or "%s.%s %s" % (COLLECTION, name, plugin_type), "../" + page)
    raise Unresolved("unknown label %s" % label)


ROLES = {
    "ansplugin": plugin_role,
    "ansopt": item_role("parameter"),
    "ansretval": item_role("return"),
    "ansval": lambda text, reference: literal(text),
    "ansenvvar": lambda text, reference: literal(text),
    "ansenvvarref": lambda text, reference: literal(text),
    "envvar": lambda text, reference: literal(text),
    "ansoptref": item_ref_role("parameter"),
    "ansretvalref": item_ref_role("return"),
    "anscollection": collection_role,
    "ref": ref_role,
    "doc": doc_role,
}
#: Sphinx roles that mark up a name or a command: plain literals.
ROLES.update(dict((role, ROLES["ansval"]) for role in ("file", "command", "program", "kbd", "samp", "option")))
#: Roles of docutils itself, which GitHub renders as they are.
DOCUTILS_ROLES = frozenset(["literal", "code", "emphasis", "strong", "sub", "subscript", "sup", "superscript",
                            "title-reference", "abbreviation", "ab", "acronym", "ac", "math"])


def rewrite(content, reference):
    """The page with every role replaced; code blocks are left as they are."""
    lines = []
    code_indent = None
    for line in content.splitlines(True):
        if code_indent is not None:
            if not line.strip() or len(line) - len(line.lstrip()) > code_indent:
                lines.append(line)
                continue
            code_indent = None
        directive = DIRECTIVE.match(line)
        if directive:
            code_indent = len(directive.group("indent"))
            lines.append(line)
            continue
        plain = ROLE.sub(lambda match: render_role(match, reference), line)
        leftover = [role for role in LEFTOVER_ROLE.findall(plain) if role not in DOCUTILS_ROLES]
        if leftover:
            raise Unresolved("a role this cannot read (split over lines?): %s" % plain.strip())
        lines.append(plain)
    return "".join(lines)


def render_role(match, reference):
    role = match.group("role")
    if role in DOCUTILS_ROLES:
        return match.group(0)
    if role not in ROLES:
        raise Unresolved("no plain form for the role :%s:" % role)
    return ROLES[role](match.group("text"), reference)


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__.strip())
    reference = Reference(argv[1])
    failures = []
    for name in sorted(os.listdir(reference.docsite)):
        if not name.endswith(".rst"):
            continue
        path = os.path.join(reference.docsite, name)
        with open(path, encoding="utf-8") as handle:
            content = handle.read()
        try:
            plain = rewrite(content, reference)
        except Unresolved as exc:
            failures.append("%s: %s" % (name, exc))
            continue
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(plain)
    if failures:
        sys.exit("cannot write plain pages:\n" + "\n".join(failures))


if __name__ == "__main__":
    main(sys.argv)
