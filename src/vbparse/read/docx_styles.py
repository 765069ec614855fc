"""What Word shows but does not store in the run: inherited bold/font/alignment and the
auto-numbering labels ("I.", "1.", "a)") that live in numbering.xml, not in the text.

Styles: run > character style chain > paragraph style chain > document defaults (basedOn
followed, toggle semantics of w:b simplified to "last one set wins").
Numbering: counters per abstract list (Word continues a list across w:num elements sharing an
abstractNum unless one restarts it with startOverride); a level's counter resets when a
shallower level advances; %N in lvlText takes level N-1's counter in that level's format.
"""
from __future__ import annotations

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(el, default=None):
    if el is None:
        return default
    return el.get(W + "val", default)


def on(el) -> bool | None:
    """A toggle property (w:b, w:i): None when absent; w:val 0/false/off turns it off."""
    if el is None:
        return None
    return _val(el, "1").lower() not in ("0", "false", "off", "none")


class Styles:
    def __init__(self, styles_el):
        self.by_id: dict[str, object] = {}
        self.default_p = None
        self.defaults_rpr = None
        if styles_el is None:
            return
        for st in styles_el.iter(W + "style"):
            sid = st.get(W + "styleId")
            if sid:
                self.by_id[sid] = st
            if st.get(W + "type") == "paragraph" and st.get(W + "default") in ("1", "true"):
                self.default_p = sid
        dd = styles_el.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.defaults_rpr = dd

    def chain(self, sid: str | None):
        """The style and its basedOn ancestors, nearest first (cycles cut)."""
        seen = set()
        while sid and sid not in seen and sid in self.by_id:
            seen.add(sid)
            st = self.by_id[sid]
            yield st
            sid = _val(st.find(W + "basedOn"))

    def _rpr_prop(self, sid, tag):
        for st in self.chain(sid):
            rpr = st.find(W + "rPr")
            if rpr is not None and rpr.find(W + tag) is not None:
                return rpr.find(W + tag)
        return None

    def run_prop(self, run_rpr, pstyle: str | None, tag: str):
        """Effective rPr child `tag` (b, i, rFonts) for a run in a paragraph of style pstyle."""
        if run_rpr is not None:
            el = run_rpr.find(W + tag)
            if el is not None:
                return el
            rstyle = _val(run_rpr.find(W + "rStyle"))
            el = self._rpr_prop(rstyle, tag)
            if el is not None:
                return el
        el = self._rpr_prop(pstyle or self.default_p, tag)
        if el is not None:
            return el
        return self.defaults_rpr.find(W + tag) if self.defaults_rpr is not None else None

    def para_prop(self, ppr, tag: str):
        if ppr is not None and ppr.find(W + tag) is not None:
            return ppr.find(W + tag)
        sid = _val(ppr.find(W + "pStyle")) if ppr is not None else None
        for st in self.chain(sid or self.default_p):
            p = st.find(W + "pPr")
            if p is not None and p.find(W + tag) is not None:
                return p.find(W + tag)
        return None


def font_name(rfonts) -> str | None:
    if rfonts is None:
        return None
    # Vietnamese letters are above U+007F: Word draws them with the hAnsi font.
    return rfonts.get(W + "hAnsi") or rfonts.get(W + "ascii") or rfonts.get(W + "cs")


_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _roman(n: int) -> str:
    out = ""
    for v, s in _ROMAN:
        while n >= v:
            out, n = out + s, n - v
    return out or "0"


def _letter(n: int) -> str:
    # Word: a..z, then aa..zz, aaa...
    n = max(n, 1)
    return "abcdefghijklmnopqrstuvwxyz"[(n - 1) % 26] * ((n - 1) // 26 + 1)


def fmt_number(n: int, fmt: str) -> str:
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letter(n).upper()
    if fmt == "lowerLetter":
        return _letter(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


def bullet_char(text: str) -> str:
    """Symbol/Wingdings bullets are private-use code points: show them as the plans do."""
    out = []
    for ch in text:
        cp = ord(ch)
        if 0xF020 <= cp <= 0xF0FF:
            ch = chr(cp - 0xF000)
            ch = ch if ch in "-+" else "•"
        elif ch in "–—−":
            ch = "-"
        elif ch in "o§·▪■□◦●○":
            ch = "•"
        out.append(ch)
    return "".join(out)


class Numbering:
    def __init__(self, numbering_el, styles: Styles):
        self.abstract: dict[str, dict[int, dict]] = {}
        self.nums: dict[str, tuple[str, dict[int, int], dict[int, dict]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        self.styles = styles
        if numbering_el is None:
            return
        for a in numbering_el.iter(W + "abstractNum"):
            link = _val(a.find(W + "numStyleLink"))
            self.abstract[a.get(W + "abstractNumId")] = {"levels": self._levels(a), "link": link}
        for n in numbering_el.iter(W + "num"):
            overrides, redefs = {}, {}
            for o in n.iter(W + "lvlOverride"):
                ilvl = int(o.get(W + "ilvl", "0"))
                so = o.find(W + "startOverride")
                if so is not None:
                    overrides[ilvl] = int(_val(so, "1"))
                lvl = o.find(W + "lvl")
                if lvl is not None:
                    redefs[ilvl] = self._level(lvl)
            self.nums[n.get(W + "numId")] = (_val(n.find(W + "abstractNumId")), overrides, redefs)

    @staticmethod
    def _level(lvl) -> dict:
        return {
            "start": int(_val(lvl.find(W + "start"), "1") or 1),
            "fmt": _val(lvl.find(W + "numFmt"), "decimal"),
            "text": _val(lvl.find(W + "lvlText"), ""),
            "suff": _val(lvl.find(W + "suff"), "tab"),
            "restart": _val(lvl.find(W + "lvlRestart")),
            "legal": lvl.find(W + "isLgl") is not None,
        }

    def _levels(self, a) -> dict[int, dict]:
        return {int(lvl.get(W + "ilvl", "0")): self._level(lvl) for lvl in a.findall(W + "lvl")}

    def _resolve(self, num_id: str, depth: int = 0):
        if num_id not in self.nums or depth > 3:
            return None
        abs_id, overrides, redefs = self.nums[num_id]
        a = self.abstract.get(abs_id)
        if a is None:
            return None
        if a["link"] and not a["levels"] and depth < 3:
            # numStyleLink: the levels live in the list style's own numbering
            for st in self.styles.chain(a["link"]):
                np_ = st.find(f"{W}pPr/{W}numPr")
                if np_ is not None:
                    inner = _val(np_.find(W + "numId"))
                    if inner and inner != num_id:
                        r = self._resolve(inner, depth + 1)
                        if r:
                            return r[0], overrides, {**r[2], **redefs}
        return abs_id, overrides, {**a["levels"], **redefs}

    def label(self, num_id: str | None, ilvl: int) -> str | None:
        """Advance the list's counters for a paragraph at (num_id, ilvl); return its label
        ("II.", "1.", "a)", "-") followed by the separator, or None when not numbered."""
        if not num_id or num_id == "0":
            return None
        r = self._resolve(num_id)
        if r is None:
            return None
        abs_id, overrides, levels = r
        lvl = levels.get(ilvl)
        if lvl is None:
            return None
        counters = self.counters.setdefault(abs_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for k, v in overrides.items():  # startOverride restarts the list at this num
                counters[k] = v - 1
                for deeper in [d for d in counters if d > k]:
                    del counters[deeper]
        counters[ilvl] = counters.get(ilvl, lvl["start"] - 1) + 1
        for d in [d for d in counters if d > ilvl]:
            restart = levels.get(d, {}).get("restart")
            if restart is None or (restart != "0" and int(restart) - 1 >= ilvl):
                del counters[d]
        if lvl["fmt"] == "bullet":
            text = bullet_char(lvl["text"])
        else:
            text = lvl["text"]
            for k in range(9):
                if f"%{k + 1}" in text:
                    kl = levels.get(k, {"start": 1, "fmt": "decimal"})
                    n = counters.get(k, kl["start"])
                    f = "decimal" if lvl["legal"] and kl["fmt"] != "none" else kl["fmt"]
                    text = text.replace(f"%{k + 1}", fmt_number(n, f))
        if not text.strip():
            return ""
        return text + ("" if lvl["suff"] == "nothing" else " ")
