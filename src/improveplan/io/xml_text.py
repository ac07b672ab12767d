"""Text as XML-based formats can hold it: the XLSX writer and the ICS writer share this.

XML 1.0 cannot hold most C0 control characters, and neither can an iCalendar TEXT
value, so a title pasted from Word (Shift+Enter is U+000B) once stopped `export --format
xlsx` with a traceback. Values checked at the door (domain/inputs.py) no longer hold them,
but rows stored before that must still export: this is the last line of defence.
"""

from __future__ import annotations

import re

__all__ = ["xml_text"]

# Word's line and page breaks (vertical tab, form feed) and CR line ends become LF.
_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c]")
# Whatever else XML 1.0's Char production leaves out: C0 controls other than tab and LF,
# lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# Either of them: nearly every text has neither, and one scan says so.
_EITHER = re.compile("[\r\x0b\x0c\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` with line breaks as LF and the characters XML cannot hold removed."""
    if _EITHER.search(text) is None:
        return text
    return _NOT_XML.sub("", _BREAKS.sub("\n", text))
