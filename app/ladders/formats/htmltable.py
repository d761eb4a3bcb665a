"""Read the tables of an HTML fragment (as Markdown files embed them) into rows of cell text."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[tuple[int, list[str]]]] = []
        self._depth = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._row_line = 0
        self._in_item = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
        elif self._depth != 1:
            return
        elif tag == "tr":
            self._row, self._row_line = [], self.getpos()[0]
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            span = next((v for k, v in attrs if k == "colspan"), None)
            self._span = int(span) if span and span.isdigit() and 0 < int(span) < 100 else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        elif tag == "li" and self._cell is not None:
            self._cell.append("\n- ")
        elif tag in ("p", "div") and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag == "table":
            self._depth = max(self._depth - 1, 0)
        elif self._depth != 1:
            return
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            text = "".join(self._cell)
            lines = [" ".join(ln.split()) for ln in text.split("\n")]
            cell = "\n".join(ln for ln in lines if ln)
            # A cell spanning columns counts once, then leaves the others empty.
            self._row.extend([cell] + [""] * (self._span - 1))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append((self._row_line, self._row))
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str, first_line: int = 1) -> list[list[tuple[int, list[str]]]]:
    """Return each top-level table as ``(line, cells)`` rows; lines count from ``first_line``."""
    parser = _Tables()
    parser.feed(html)
    parser.close()
    return [[(line + first_line - 1, cells) for line, cells in t] for t in parser.tables]
