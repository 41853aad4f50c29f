"""Writes the odd feed documents of this folder and manifest.json (run it to remake them).

Each document is shaped like something the real web serves: wrong, missing or conflicting
encodings, entities XML does not define, broken prologs, markup and scripts in titles,
relative links, impossible dates, empty and huge items, repeated GUIDs, cut-off bodies, and
things that are no feed at all. manifest.json says for each how it is served (Content-Type,
with or without Content-Length) and what Pulse must make of it: the titles it stores, in
order, or the error kind; `warning` when the source's health must show one.

    python tests/data/feeds/make_corpus.py
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SV = ["Stockholm satsar på öppna data, nu även för cyklister",
      "Smart stad: sensorer mäter luften på Södermalm",
      "Invånarna får säga sitt om e-tjänsterna"]
DESC = ["Staden öppnar sina data om cykelbanor. Även väder och trafik ingår.",
        "Nya sensorer på Götgatan mäter partiklar och buller dygnet runt.",
        "Enkäten om stadens e-tjänster är öppen i två veckor."]
MANIFEST: list[dict] = []


def rss(titles=SV, descs=DESC, decl='<?xml version="1.0" encoding="utf-8"?>', extra_items="",
        link="https://nyheter.example", item_links=None, dates=None, guids=None, head=""):
    """Return an RSS 2.0 document as text."""
    items = []
    for i, (title, desc) in enumerate(zip(titles, descs, strict=True)):
        href = (item_links or [f"{link}/artikel/{i + 1}" for i in range(len(titles))])[i]
        guid = (guids or [f"art-{i + 1}" for i in range(len(titles))])[i]
        date = (dates or [f"Mon, 0{i + 2} Nov 2026 07:00:00 +0100" for i in range(len(titles))])[i]
        items.append(f"<item><title>{title}</title><link>{href}</link>"
                     f"<guid isPermaLink=\"false\">{guid}</guid>"
                     + (f"<pubDate>{date}</pubDate>" if date else "")
                     + f"<description>{desc}</description></item>")
    return (f"{decl}{head}<rss version=\"2.0\"><channel><title>Nyheter (exempel)</title>"
            f"<link>{link}/</link><description>Test feed</description>"
            + "".join(items) + extra_items + "</channel></rss>\n")


def add(name: str, body: bytes | str, titles: list[str] | None = None, *,
        content_type: str = "application/rss+xml", framed: bool = True,
        error: str | None = None, warning: bool = False, note: str = "",
        encoding: str = "utf-8", **expect) -> None:
    """Write one document and its manifest entry."""
    data = body.encode(encoding) if isinstance(body, str) else body
    (HERE / name).write_bytes(data)
    entry = {"file": name, "content_type": content_type, "framed": framed, "note": note}
    if error:
        entry["error"] = error
    else:
        entry["titles"] = titles if titles is not None else SV
    if warning:
        entry["warning"] = True
    entry.update(expect)
    MANIFEST.append(entry)


def make() -> None:
    """Write every document and manifest.json."""
    for old in HERE.iterdir():
        if old.suffix in (".xml", ".json", ".html", ".txt", ".gif", ".rss", ".atom"):
            old.unlink()
    plain = rss()
    # --- encodings -----------------------------------------------------------------------
    add("utf8.xml", plain, note="baseline")
    add("utf8_bom.xml", codecs.BOM_UTF8 + plain.encode(), note="UTF-8 with a byte-order mark")
    add("bom_beats_http.xml", codecs.BOM_UTF8 + plain.encode(),
        content_type="text/xml; charset=iso-8859-1", warning=True,
        note="UTF-8 BOM, HTTP says iso-8859-1: the BOM wins")
    u16 = rss(decl='<?xml version="1.0" encoding="utf-16"?>')
    add("utf16le_bom.xml", codecs.BOM_UTF16_LE + u16.encode("utf-16-le"),
        content_type="application/xml", note="UTF-16 LE with BOM")
    add("utf16be_bom.xml", codecs.BOM_UTF16_BE + u16.encode("utf-16-be"),
        content_type="application/xml", note="UTF-16 BE with BOM")
    add("utf16le_nobom.xml", u16.encode("utf-16-le"), content_type="application/xml",
        note="UTF-16 LE without BOM, told by the first bytes (XML Appendix F)")
    add("utf16be_nobom.xml", u16.encode("utf-16-be"), content_type="text/xml",
        note="UTF-16 BE without BOM")
    add("utf16_http_says_utf8.xml", codecs.BOM_UTF16_LE + u16.encode("utf-16-le"),
        content_type="text/xml; charset=utf-8", warning=True,
        note="UTF-16 with BOM, HTTP charset utf-8 (wrong)")
    add("utf16be_http_utf16.xml", u16.encode("utf-16-be"),
        content_type="application/xml; charset=utf-16", warning=True,
        note="UTF-16 BE without BOM, HTTP says utf-16 (which, without a BOM, means LE)")
    u32 = rss(decl='<?xml version="1.0" encoding="utf-32"?>')
    add("utf32le_bom.xml", codecs.BOM_UTF32_LE + u32.encode("utf-32-le"),
        content_type="application/xml", note="UTF-32 LE with BOM")
    add("utf32be_nobom.xml", u32.encode("utf-32-be"), content_type="application/xml",
        note="UTF-32 BE without BOM")
    add("utf32le_nobom.xml", u32.encode("utf-32-le"), content_type="application/rss+xml",
        note="UTF-32 LE without BOM")
    add("utf32be_http_utf16.xml", u32.encode("utf-32-be"),
        content_type="application/xml; charset=utf-16", warning=True,
        note="UTF-32 BE without BOM, HTTP says utf-16")
    zh = ["臺北市推動智慧城市", "斯德哥爾摩的開放資料", "市民參與數位服務"]
    zh_desc = ["臺北與斯德哥爾摩交流智慧城市經驗。", "開放資料讓市民更了解城市。",
               "數位服務調查開始。"]
    add("big5_declared.xml", rss(zh, zh_desc, decl='<?xml version="1.0" encoding="big5"?>'),
        zh, encoding="big5", content_type="text/xml", note="big5 named in the prolog")
    add("big5_http.xml", rss(zh, zh_desc, decl='<?xml version="1.0"?>'), zh, encoding="big5",
        content_type="application/rss+xml; charset=Big5", note="big5 named by HTTP only")
    add("gb2312.xml", rss(zh, zh_desc, decl='<?xml version="1.0" encoding="gb2312"?>'), zh,
        encoding="gbk", note="gb2312 label, read as GBK")
    add("big5_undeclared.xml", rss(zh, zh_desc, decl='<?xml version="1.0"?>'), zh,
        encoding="big5", content_type="text/xml", warning=True,
        note="big5 named nowhere: detected")
    ja = ["ストックホルムのスマートシティ", "オープンデータの公開", "市民サービスの電子化"]
    add("shift_jis.xml", rss(ja, ja, decl='<?xml version="1.0" encoding="Shift_JIS"?>'), ja,
        encoding="cp932", note="Shift_JIS, read as cp932")
    ru = ["Стокгольм - умный город", "Открытые данные Стокгольма", "Электронные услуги"]
    add("koi8r.xml", rss(ru, ru, decl='<?xml version="1.0" encoding="koi8-r"?>'), ru,
        encoding="koi8-r", note="KOI8-R")
    cp = ["Stockholms budget – 5 € per invånare", "”Smart stad” enligt borgarrådet",
          "Läs mer… om ’öppna data’"]
    add("cp1252_labelled_latin1.xml",
        rss(cp, DESC, decl='<?xml version="1.0" encoding="ISO-8859-1"?>'), cp,
        encoding="cp1252", note="windows-1252 bytes (€ – ” ’ …) labelled iso-8859-1")
    add("cp1252_http_latin1.xml", rss(cp, DESC, decl='<?xml version="1.0"?>'), cp,
        encoding="cp1252", content_type="text/xml; charset=ISO-8859-1",
        note="windows-1252 bytes, HTTP says iso-8859-1")
    add("utf8_labelled_latin1.xml",
        rss(decl='<?xml version="1.0" encoding="iso-8859-1"?>'), warning=True,
        note="UTF-8 bytes, the prolog says iso-8859-1")
    add("utf8_http_latin1.xml", plain, content_type="application/rss+xml; charset=iso-8859-1",
        warning=True, note="UTF-8 bytes, HTTP says iso-8859-1")
    add("latin1_http_utf8.xml", rss(decl='<?xml version="1.0" encoding="iso-8859-1"?>'),
        encoding="latin-1", content_type="text/xml; charset=utf-8", warning=True,
        note="latin-1 bytes and prolog, HTTP says utf-8")
    add("latin1_undeclared.xml", rss(decl='<?xml version="1.0"?>'), encoding="latin-1",
        content_type="text/xml", warning=True,
        note="latin-1 bytes, no encoding named anywhere")
    add("utf8_with_stray_latin1.xml",
        plain.encode().replace("Södermalm".encode(), "Södermalm".encode("latin-1")),
        content_type="application/rss+xml; charset=utf-8", warning=True,
        note="a UTF-8 document with one word pasted in latin-1")
    add("http_overrides_prolog.xml", rss(decl='<?xml version="1.0" encoding="utf-8"?>'),
        encoding="cp1252", content_type="text/xml; charset=windows-1252",
        note="the HTTP charset (right) overrides the prolog (wrong)")
    add("unknown_http_charset.xml", plain, content_type="text/xml; charset=utf8mb4",
        note="a MySQL name for UTF-8 in the header")
    # --- entities and prologs --------------------------------------------------------------
    ent = ["Caf&eacute; och&nbsp;innovation &ndash; Stockholm", "R&auml;ksm&ouml;rg&aring;s "
           "&hellip; &copy; staden", "&laquo;Smart&raquo; &amp; &quot;öppen&quot;"]
    ent_out = ["Café och innovation – Stockholm", "Räksmörgås … © staden",
               "«Smart» & \"öppen\""]
    add("html_entities.xml", rss(ent, DESC), ent_out, warning=True,
        note="HTML entities XML does not define (undefined entity)")
    add("unknown_entity_bare_amp.xml",
        rss(["AT&T och Ericsson &foo; i Kista", SV[1], SV[2]],
            ["Länk: https://x.example/?a=1&b=2", DESC[1], DESC[2]]),
        ["AT&T och Ericsson &foo; i Kista", SV[1], SV[2]], warning=True,
        note="a bare & and an unknown entity")
    add("whitespace_before_prolog.xml", "\n\n   " + plain,
        note="blank lines before the XML declaration")
    add("php_warning_before_prolog.xml",
        "<br />\n<b>Warning</b>:  Cannot modify header information in "
        "<b>/var/www/feed.php</b> on line <b>12</b><br />\n" + plain, warning=True,
        note="a PHP warning printed before the document")
    add("prolog_missing_question_mark.xml", rss(decl='<?xml version="1.0" encoding="utf-8">'),
        warning=True, note="<?xml ... > without the closing ?")
    add("prolog_twice.xml", rss(decl='<?xml version="1.0" encoding="utf-8"?>\n'
                                     '<?xml version="1.0" encoding="utf-8"?>'), warning=True,
        note="the declaration twice (two templates concatenated)")
    add("prolog_no_version.xml", rss(decl='<?xml encoding="UTF-8"?>'), warning=True,
        note="a declaration without version")
    add("control_characters.xml",
        rss([SV[0] + "\x0b", SV[1] + "&#x1;", SV[2] + "\x1a"],
            [DESC[0] + "\x00", DESC[1], DESC[2]]), warning=True,
        note="control characters XML forbids (vertical tab, SUB, NUL, &#x1;)")
    add("rss091_netscape_doctype.xml",
        rss(["Caf&eacute; Stockholm", SV[1], SV[2]], DESC,
            decl='<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE rss PUBLIC '
                 '"-//Netscape Communications//DTD RSS 0.91//EN" '
                 '"http://my.netscape.com/publish/formats/rss-0.91.dtd">'),
        ["Café Stockholm", SV[1], SV[2]], encoding="latin-1",
        note="RSS 0.91 with the Netscape DTD and its HTML entities")
    add("unescaped_markup.xml",
        rss(SV, ["Pris < 100 kr & gratis för barn", "<p>Stycke ett<br>Stycke två</p>",
                 DESC[2]]), warning=True,
        note="unescaped < and HTML in descriptions (unclosed token, mismatched tag)")
    # --- content ---------------------------------------------------------------------------
    add("script_in_titles.xml",
        rss(["&lt;script&gt;alert(1)&lt;/script&gt;Stockholm växer",
             "<![CDATA[<b>Fet</b> rubrik om <i>smart stad</i>]]>",
             "&lt;img src=x onerror=alert(2)&gt;Bild &amp; text"],
            ["<![CDATA[<p>Text<script>document.write('x')</script> här.</p>]]>",
             DESC[1], DESC[2]]),
        ["Stockholm växer", "Fet rubrik om smart stad", "Bild & text"],
        note="HTML and script in titles and descriptions", texts=["Text här."])
    add("relative_links.xml",
        rss(item_links=["/nyheter/1", "artikel?id=2", "//cdn.nyheter.example/3"]),
        links=["BASE/nyheter/1", "BASE/artikel?id=2", "http://cdn.nyheter.example/3"],
        note="relative links, resolved against the feed's address")
    add("atom_xml_base.atom",
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xml:base="https://atom.example/blogg/"><title>Atom</title>'
        '<id>urn:x</id><updated>2026-11-02T07:00:00Z</updated>'
        + "".join(f'<entry><title type="html">{t}</title><id>urn:e{i}</id>'
                  f'<link href="inlagg/{i}"/><updated>2026-11-0{i + 2}T07:00:00Z</updated>'
                  f'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
                  f'<p>{d}</p></div></content></entry>'
                  for i, (t, d) in enumerate(zip(SV, DESC, strict=True))) + "</feed>",
        content_type="application/atom+xml",
        links=["https://atom.example/blogg/inlagg/0", "https://atom.example/blogg/inlagg/1",
               "https://atom.example/blogg/inlagg/2"], note="Atom with xml:base and XHTML")
    add("javascript_link.xml",
        rss(item_links=["javascript:alert(1)", "https://nyheter.example/2", "mailto:x@y"]),
        links=[None, "https://nyheter.example/2", None], note="links that are no web links")
    add("dates_far.xml",
        rss(dates=["Thu, 01 Jan 1970 00:00:00 GMT", "Sat, 01 Jan 2099 10:00:00 +0000",
                   "igår kväll"]), dates="now",
        note="the epoch, year 2099 and a date that is no date: all become the collection time")
    add("dates_ancient.xml",
        rss(dates=["Mon, 01 Jan 0001 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", None]),
        dates="now", note="year 1 and year 9999")
    add("empty_items.xml",
        rss([SV[0], "", ""], [DESC[0], "", ""], guids=["art-1", "art-2", ""],
            extra_items="<item></item><item><guid>only-guid</guid></item>"
                        "<item><title>Bara en rubrik</title></item>"),
        [SV[0], "Bara en rubrik"], note="items with nothing, only a GUID or only a title")
    huge = "Stockholm växer och digitaliseras. " * 30000
    add("huge_item.xml", rss([SV[0], SV[1], SV[2]], [huge, DESC[1], DESC[2]]),
        note="one item of 1 MB", text_lengths=[200_000, None, None])
    add("duplicate_guids.xml", rss(guids=["samma", "samma", "annan"]), [SV[0], SV[2]],
        note="two items with one GUID: the first is kept")
    add("rdf_rss10.rss",
        '<?xml version="1.0" encoding="utf-8"?><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="https://rdf.example/"><title>RDF</title>'
        '<link>https://rdf.example/</link><description>x</description></channel>'
        + "".join(f'<item rdf:about="https://rdf.example/{i}"><title>{t}</title>'
                  f'<link>https://rdf.example/{i}</link><description>{d}</description>'
                  f'<dc:date>2026-11-0{i + 2}T07:00:00Z</dc:date></item>'
                  for i, (t, d) in enumerate(zip(SV, DESC, strict=True))) + "</rdf:RDF>",
        content_type="application/rdf+xml", note="RSS 1.0 (RDF)")
    add("json_feed.json", json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "JSON",
        "items": [{"id": f"j{i}", "title": t, "content_text": d, "url": f"/j/{i}",
                   "date_published": f"2026-11-0{i + 2}T07:00:00Z"}
                  for i, (t, d) in enumerate(zip(SV, DESC, strict=True))]},
        ensure_ascii=False), content_type="application/feed+json", note="JSON Feed 1.1")
    add("json_feed_latin1_label.json", json.dumps({
        "version": "https://jsonfeed.org/version/1", "title": "JSON",
        "items": [{"id": f"j{i}", "title": t, "content_html": f"<p>{d}</p>"}
                  for i, (t, d) in enumerate(zip(SV, DESC, strict=True))]},
        ensure_ascii=False), content_type="application/json; charset=iso-8859-1",
        warning=True, note="UTF-8 JSON labelled iso-8859-1")
    # --- cut off, and no feed at all ---------------------------------------------------------
    cut = plain[: plain.index("<item>", plain.index("<item>") + 1) + 40]
    add("truncated_unframed.xml", cut, framed=False, error="truncated",
        note="the connection closed mid-item, no Content-Length: a transient fault")
    whole_json = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J",
                             "items": [{"id": f"j{i}", "title": t, "content_text": d}
                                       for i, (t, d) in enumerate(zip(SV, DESC, strict=True))]},
                            ensure_ascii=False)
    add("json_truncated_unframed.json", whole_json[: len(whole_json) // 2],
        content_type="application/feed+json", framed=False, error="truncated",
        note="a JSON Feed cut off, no Content-Length")
    add("truncated_framed.xml", cut, [SV[0]], warning=True,
        note="the same bytes with a Content-Length: the server's own broken document; what "
             "can be read is kept")
    add("complete_unframed.xml", plain, framed=False,
        note="a whole document without Content-Length is fine")
    add("empty_channel.xml", rss([], []), [], note="a valid feed without items")
    add("html_page.html",
        '<!DOCTYPE html><html lang="sv"><head><title>Nyheter</title>'
        '<link rel="alternate" type="application/rss+xml" href="https://nyheter.example/rss">'
        '</head><body><h1>Nyheter</h1></body></html>', content_type="text/html; charset=utf-8",
        error="not_a_feed", detail="https://nyheter.example/rss",
        note="the site's page instead of its feed")
    add("sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?><urlset '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.example/'
        '</loc></url></urlset>', content_type="application/xml", error="not_a_feed",
        detail="urlset", note="a sitemap")
    add("gif_image.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 40 + b";",
        content_type="image/gif", error="not_a_feed", note="an image")
    add("plain_text.txt", "Tjänsten är tillfälligt nere för underhåll.\n",
        content_type="text/plain", error="not_a_feed", note="a maintenance message")
    add("broken_beyond_reading.xml", '<?xml version="1.0"?><rss version="2.0"><channel>'
        '<title>Trasigt<item><title>Halv <b>post</title><description>Text & mer\n</channel',
        error="malformed", note="broken XML with no entry left to read")
    (HERE / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False, indent=1)
                                        + "\n", encoding="utf-8")


if __name__ == "__main__":
    make()
