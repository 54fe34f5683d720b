"""Which script a page reads in, as a person sees it: the words in Latin letters on a page that should be in Serbian
Cyrillic. Use::

    from tests.e2e.script import latin_words
    assert latin_words(driver, data=["Ardita Krasniqi", "QPGJ"]) == []

The text is every visible text node of the page (hidden ones such as the admin's closed menus are left out; what
is hidden only visually, for screen readers, counts), plus the texts a person meets in attributes: button values,
placeholders, `aria-label`, `title`, `alt`. It is read from the DOM as written, before CSS's `text-transform`, so
an English label shown in capitals is still found. Left out, because they are not words to translate: text inside
an element whose `lang` names another language (the language switch's "Shqip", "Srpski", "English"), the data
the test put in (`data`: names, codes, titles as recorded, removed from the text before the words are read), words
with a digit or an underscore (serial numbers, codes, CSV column names), acronyms written in capitals in the source
(PDF, CSV, QPGJ) and single letters. Each word found is reported with its text and where it stands."""

from __future__ import annotations

import re

# Latin letters, Basic and Extended (Albanian ë, ç; Serbian Latin č, ć, đ, š, ž).
LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
TOKEN = re.compile(r"\S+")
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

_TEXTS_JS = """
const own = (el) => {
  const holder = el.closest('[lang]');
  const tag = holder ? holder.getAttribute('lang') : '';
  return tag === 'sr' || tag === 'sr-Cyrl';
};
const where = (el) => {
  const path = [];
  for (let e = el; e && e !== document.body && path.length < 3; e = e.parentElement) {
    path.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.classList[0] ? '.' + e.classList[0] : ''));
  }
  return path.join(' > ');
};
const texts = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const parent = node.parentElement;
  if (!parent || !node.nodeValue.trim()) continue;
  if (parent.closest('script, style, noscript, template')) continue;
  const visible = parent.closest('option') ? parent.closest('select').checkVisibility()
                                             : parent.checkVisibility({visibilityProperty: true});
  if (visible && own(parent)) texts.push([node.nodeValue.trim(), where(parent)]);
}
const labelled = '[placeholder], [aria-label], [title], [alt], input[type=submit], input[type=button]';
for (const el of document.body.querySelectorAll(labelled)) {
  if (!own(el) || !el.checkVisibility({visibilityProperty: true})) continue;
  for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
    if (el.getAttribute(name)) texts.push([el.getAttribute(name), `${where(el)}[${name}]`]);
  }
  if (el.matches('input[type=submit], input[type=button]') && el.value) texts.push([el.value, where(el)]);
}
return texts;
"""


def page_texts(driver) -> list[list[str]]:
    """The texts of the page in the page's own language, as a person (or a screen reader) meets them, each with
    where it stands (the last elements of its path)."""
    return driver.execute_script(_TEXTS_JS)


def latin_words(driver, *, data=()) -> list[str]:
    """The words in Latin letters on a page that should read in Cyrillic, each with the text it stands in."""
    found = []
    remove = sorted((str(d) for d in data if d), key=len, reverse=True)
    for text, where in page_texts(driver):
        rest = text
        for value in remove:
            rest = rest.replace(value, " ")
        for token in TOKEN.findall(rest):
            if any(ch.isdigit() for ch in token) or "_" in token:  # a code, an identifier (date_of_birth)
                continue
            for word in WORD.findall(token):
                if len(word) < 2 or word.isupper() or not LATIN.search(word):
                    continue
                found.append(f"{word!r} in {text[:80]!r} ({where})")
    return sorted(set(found))
