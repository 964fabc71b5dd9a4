"""How a feed writes its files: encoding, number and date formats, declared per feed.

A feed's entry in the sources file (``pipelines.sources``) may declare::

    encoding: cp1252          # utf-8 | utf-8-sig | cp1252 | latin-1 | ... (default: detect)
    decimal: ","              # "." or "," (default: undeclared, see below)
    thousands: "."            # "," "." " " "'" or "" (default: the other of , and .)
    date_format: "%d.%m.%Y"   # strptime format(s) of dates, besides ISO-8601 (one or a list)
    timestamp_format: "%d.%m.%Y %H:%M"   # strptime format(s) of timestamps (naive = UTC)

Nothing is guessed silently. Without a declaration:

- **encoding**: UTF-8 (with or without BOM). A file that is not UTF-8 and holds no valid UTF-8
  multi-byte sequence is a legacy single-byte file: it is decoded as the first Western code page
  (cp1252, latin-1, iso8859-15) that charset-normalizer finds coherent, and the encoding used is
  recorded in the ledger. A file mixing valid UTF-8 and bad bytes (a corrupt UTF-8 file), or one no
  Western code page fits, is quarantined as a file (:class:`FileFault`) naming the first bad byte.
  Measured: charset-normalizer's own best guess for a short Latin-1 CSV with ``ã`` was cp1250
  (``ă``), so its guess is only taken within the Western code pages; declare anything else.
- **numbers**: ``.`` is the decimal point and there is no thousands separator. A value that could
  be read two ways (``1,234`` or, for money and integers, ``1.234``) is not loaded: it is an issue
  whose reason says to declare ``decimal:`` for the feed.
- **dates and timestamps**: ISO-8601 only. ``03/04/2026`` is an issue whose reason says to declare
  ``date_format:`` (``%m/%d/%Y`` for US, ``%d/%m/%Y`` for most of Europe).

:func:`normalise` turns text values into the ISO/plain forms the contract check reads, and returns,
per column, the reason a value could not be used (None where it could). The contract check
(``pipelines.common.validation``) then quarantines the record when the column is required, or nulls
the value and logs it when the column is optional.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contracts import Entity

WESTERN_CODE_PAGES = ("cp1252", "latin_1", "iso8859_15")
FORMAT_KEYS = ("encoding", "decimal", "thousands", "date_format", "timestamp_format")
DECIMALS = (".", ",")
THOUSANDS = (",", ".", " ", "'", "")
HOW_TO_DECLARE = "declare it for this feed in the sources file (docs/ingestion.md)"


class FileFault(ValueError):
    """A file that cannot be read at all: undecodable, truncated, unparseable, or lacking a
    required column. It is quarantined as a file; the feed's other files still load."""

    def __init__(self, reason: str, position: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position  # first bad byte / line, where known


@dataclass(frozen=True)
class FeedFormat:
    """The declared (or default) text formats of one feed's files."""

    encoding: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    date_formats: tuple[str, ...] = ()
    timestamp_formats: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None, where: str = "feed") -> FeedFormat:
        """The formats declared in a feed's sources-file entry (other keys are ignored here)."""
        config = config or {}

        def formats(key: str) -> tuple[str, ...]:
            value = config.get(key)
            if value is None:
                return ()
            return (value,) if isinstance(value, str) else tuple(str(v) for v in value)

        encoding = config.get("encoding")
        if encoding is not None:
            try:
                codecs.lookup(str(encoding))
            except LookupError as e:
                raise ValueError(f"{where}: unknown encoding {encoding!r}") from e
        decimal = config.get("decimal")
        if decimal is not None and decimal not in DECIMALS:
            raise ValueError(f"{where}: decimal must be one of {DECIMALS}, not {decimal!r}")
        thousands = config.get("thousands")
        if thousands is not None and (thousands not in THOUSANDS or thousands == decimal):
            raise ValueError(f"{where}: thousands must be one of {THOUSANDS} and not the decimal")
        for fmt in (*formats("date_format"), *formats("timestamp_format")):
            if "%" not in fmt:
                raise ValueError(f"{where}: {fmt!r} is not a strptime format (e.g. '%m/%d/%Y')")
        return cls(
            encoding=str(encoding) if encoding else None,
            decimal=decimal,
            thousands=thousands,
            date_formats=formats("date_format"),
            timestamp_formats=formats("timestamp_format"),
        )

    def describe(self) -> str:
        parts = [f"encoding {self.encoding or 'detected'}"]
        if self.decimal:
            parts.append(f"decimal {self.decimal!r}, thousands {self.grouping!r}")
        if self.date_formats:
            parts.append(f"dates {' or '.join(self.date_formats)}")
        if self.timestamp_formats:
            parts.append(f"timestamps {' or '.join(self.timestamp_formats)}")
        return ", ".join(parts)

    @property
    def grouping(self) -> str:
        """The thousands separator in force (declared, else the other of ``,`` and ``.``)."""
        if self.thousands is not None:
            return self.thousands
        return {",": ".", ".": ","}.get(self.decimal or "", "")


# -- decoding -------------------------------------------------------------------------------------


def _position(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"byte 0x{data[offset]:02x} at offset {offset} (line {line})"


def decode(data: bytes, fmt: FeedFormat) -> tuple[str, str]:
    """The text of a file and the encoding it was read with; raises :class:`FileFault`."""
    if fmt.encoding:
        name = codecs.lookup(fmt.encoding).name
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        try:
            return data.decode(name), name
        except UnicodeDecodeError as e:
            where = _position(data, e.start)
            raise FileFault(
                f"not valid {fmt.encoding} (the declared encoding): {where}", where
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as e:
            where = _position(data, e.start + 3)
            raise FileFault(f"corrupt UTF-8 (the file has a UTF-8 BOM): {where}", where) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        where = _position(data, e.start)
    lossy = data.decode("utf-8", errors="replace")
    if any(ord(ch) > 127 and ch != "\ufffd" for ch in lossy):
        raise FileFault(
            f"corrupt UTF-8: valid UTF-8 text with an invalid {where}; fix the file, or if it "
            f"really is in another encoding, {HOW_TO_DECLARE.replace('it', 'encoding:')}",
            where,
        )
    import charset_normalizer

    candidates = [m.encoding for m in charset_normalizer.from_bytes(data)]
    for name in candidates:
        if name in WESTERN_CODE_PAGES:
            return data.decode(name), name
    raise FileFault(
        f"not UTF-8 ({where}) and no Western code page fits (charset-normalizer suggests "
        f"{', '.join(candidates[:3]) or 'nothing'}): declare encoding: for this feed in the "
        "sources file (docs/ingestion.md)",
        where,
    )


# -- values ---------------------------------------------------------------------------------------

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
ISO_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}([T ].*)?$"
SPACES = "\u00a0\u202f\u2009 "
AMBIGUOUS_GROUPS = re.compile(
    r"^[+-]?\d{1,3}(\.\d{3})+$"
)  # 1.234 or 1.234.567 without a declaration


def _number(value: str, col: str, col_type: str, fmt: FeedFormat) -> tuple[str | None, str | None]:
    """``(plain number text, None)`` or ``(None, reason)``; values with no separator pass as they
    are (the contract check judges ``12k`` or ``NaN``)."""
    v = value.strip(SPACES)
    if fmt.decimal is None:
        if "," in v or (col_type in ("decimal", "integer") and AMBIGUOUS_GROUPS.match(v)):
            return None, (
                f"ambiguous number in {col}: {value!r} (is , or . the decimal separator?): declare "
                f"decimal: ',' or '.' for this feed in the sources file (docs/ingestion.md)"
            )
        return v, None
    dec, group = fmt.decimal, fmt.grouping
    if group == " ":
        v = re.sub(f"[{SPACES}]", " ", v)  # a no-break space groups digits as well as a space
    if not any(ch in v for ch in (dec, group) if ch):
        return v, None
    g, d = re.escape(group), re.escape(dec)
    pattern = rf"^[+-]?(\d{{1,3}}({g}\d{{3}})+|\d+)({d}\d+)?$" if g else rf"^[+-]?\d+({d}\d+)?$"
    if not re.match(pattern, v):
        return None, (
            f"malformed number in {col}: {value!r} for the declared format (decimal {dec!r}, thousands "
            f"{group!r})"
        )
    plain = v.replace(group, "") if group else v
    return plain.replace(dec, "."), None


def _date_hint(value: str) -> str:
    return (
        " (03/04/2026 could be March or April): declare date_format: '%m/%d/%Y' (US) or "
        "'%d/%m/%Y' for this feed in the sources file (docs/ingestion.md)"
        if re.search(r"\d[/.]\d", value)
        else ""
    )


def _temporal(
    value: str, col: str, col_type: str, fmt: FeedFormat
) -> tuple[str | None, str | None]:
    v = value.strip()
    formats = (
        fmt.date_formats if col_type == "date" else (*fmt.timestamp_formats, *fmt.date_formats)
    )
    for f in formats:
        try:
            parsed = datetime.strptime(v, f)
        except ValueError:
            continue
        if col_type == "date":
            return parsed.date().isoformat(), None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.isoformat(), None
    expected = "YYYY-MM-DD" if col_type == "date" else "ISO-8601"
    declared = f" or {' / '.join(formats)}" if formats else ""
    hint = "" if formats else _date_hint(v)
    return None, f"wrong type {col}: expected {col_type} ({expected}{declared}), got {v[:40]}{hint}"


def normalise(
    entity: Entity, table: pa.Table, fmt: FeedFormat
) -> tuple[pa.Table, dict[str, pa.Array]]:
    """Text values of ``table`` (contract column names, strings) in the forms the contract check
    reads, and per column the reason each unusable value could not be read (null elsewhere).

    Unusable values are left as they came, for the contract check to act on. Only values that are not already plain
    (ISO dates, numbers without separators) go through Python, so clean files cost a regex scan.
    """
    issues: dict[str, pa.Array] = {}
    for col in entity.columns:
        if col.name not in table.column_names or col.type not in (
            "decimal",
            "integer",
            "double",
            "date",
            "timestamp",
        ):
            continue
        values = table.column(col.name).combine_chunks()
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            continue
        if col.type in ("date", "timestamp"):
            plain = ISO_DATE if col.type == "date" else ISO_TIMESTAMP
            suspect = pc.invert(pc.match_substring_regex(pc.utf8_trim_whitespace(values), plain))
        else:
            seps = "".join(re.escape(s) for s in {",", fmt.decimal or "", fmt.grouping, *SPACES})
            pattern = f"[{seps}]" + (r"|^[+-]?\d{1,3}(\.\d{3})+$" if fmt.decimal is None else "")
            suspect = pc.match_substring_regex(values, pattern)
        suspect = pc.and_(
            pc.fill_null(suspect, False), pc.invert(pc.equal(pc.utf8_trim_whitespace(values), ""))
        )
        if not pc.any(suspect).as_py():
            continue
        converted: dict[str, tuple[str | None, str | None]] = {}
        for v in pc.unique(values.filter(suspect)).to_pylist():
            if col.type in ("date", "timestamp"):
                converted[v] = _temporal(v, col.name, col.type, fmt)
            else:
                converted[v] = _number(v, col.name, col.type, fmt)
        keys = list(converted)
        idx = pc.index_in(values, value_set=pa.array(keys, pa.string()))
        idx = pc.if_else(suspect, idx, pa.scalar(None, pa.int32()))
        # an unusable value is kept as it came: the contract check nulls it (optional column) or
        # quarantines its record (required), and logs it with the reason
        new_values = pa.array([converted[k][0] or k for k in keys], pa.string()).take(idx)
        reasons = pa.array([converted[k][1] for k in keys], pa.string()).take(idx)
        table = table.set_column(
            table.column_names.index(col.name),
            col.name,
            pc.if_else(suspect, new_values, values),
        )
        if pc.any(pc.is_valid(reasons)).as_py():
            issues[col.name] = reasons
    return table, issues
