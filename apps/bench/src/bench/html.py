"""The report as one self-contained HTML page: the markdown report converted (headings, paragraphs, tables,
code, bold) with every plot embedded as a data URI, so the file can be mailed or opened anywhere."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
code { background: #f6f6f6; padding: 0 3px; font-size: 0.9em; }
img { max-width: 100%; }
td.v-reproduced { background: #dff3df; }
td.v-not-reproduced { background: #f8dcdc; }
td.v-inconclusive, td.v-not-testable-at-this-scale { background: #fbf1d6; }
"""
_VERDICTS = ("not testable at this scale", "not reproduced", "reproduced", "inconclusive")


def _inline(text: str, base: Path) -> str:
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for p in parts:
        if p.startswith("`") and p.endswith("`") and len(p) >= 2:
            out.append(f"<code>{html.escape(p[1:-1])}</code>")
            continue
        p = html.escape(p, quote=False)
        p = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", p)
        out.append(p)
    return "".join(out)


def _image(alt: str, src: str, base: Path) -> str:
    path = base / src
    if not path.is_file():
        return f"<p>[missing plot {html.escape(src)}]</p>"
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<p><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"></p>'


def _cells(row: str) -> list[str]:
    row = row.strip().strip("|")
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", row)]


def _verdict_class(cell: str) -> str:
    plain = re.sub(r"[*¹]", "", cell).strip()
    return f' class="v-{plain.replace(" ", "-")}"' if plain in _VERDICTS else ""


def markdown_to_html(markdown: str, *, base: Path, title: str) -> str:
    """The subset of markdown the bench report writes, as a standalone page."""
    body: list[str] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if m := re.match(r"^(#{1,4}) (.*)", line):
            n = len(m.group(1))
            anchor = re.sub(r"[^a-z0-9]+", "-", m.group(2).lower()).strip("-")
            body.append(f'<h{n} id="{anchor}">{_inline(m.group(2), base)}</h{n}>')
        elif m := re.match(r"^!\[(.*?)\]\((.*?)\)$", line.strip()):
            body.append(_image(m.group(1), m.group(2), base))
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(lines[i])
                i += 1
            head, rest = _cells(rows[0]), [r for r in rows[1:] if not re.match(r"^\|[-:|\s]+\|$", r)]
            t = [
                "<table><thead><tr>"
                + "".join(f"<th>{_inline(h, base)}</th>" for h in head)
                + "</tr></thead><tbody>"
            ]
            for r in rest:
                t.append(
                    "<tr>"
                    + "".join(f"<td{_verdict_class(c)}>{_inline(c, base)}</td>" for c in _cells(r))
                    + "</tr>"
                )
            body.append("".join(t) + "</tbody></table>")
            continue
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not re.match(r"^(#|\||!\[)", lines[i]):
                para.append(lines[i])
                i += 1
            body.append(f"<p>{_inline(' '.join(para), base)}</p>")
            continue
        i += 1
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
