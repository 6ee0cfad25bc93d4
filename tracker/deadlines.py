"""The deadline language: deadlines as Chinese government documents write them.

``parse(text, ref_year)`` turns "2017年3月底完成", "接到通知后15天内" or "每年第一、二、三季度末"
into one of three kinds:

* ``Absolute``  — one date;
* ``Relative``  — an offset from a trigger date (the day a notice arrived), resolved once the
  trigger is known;
* ``Recurring`` — a rule that yields a date in every period; each occurrence is computed from the
  rule itself, never from the previous occurrence (month arithmetic drifts otherwise).

Conventions (documented in the README):
上旬/月初 → the 10th, 中旬 → the 20th, 下旬/底/末 or a bare month → the last day of the month;
"N天内/N日内" → trigger + N calendar days; "N个工作日内" → the Nth working day after the
trigger; "N个月内" → the same day N months later, clamped to that month's end.
Nonsense (2017年13月底, 2017年2月30日前, 尽快) raises ``DeadlineError``; nothing is guessed.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from tracker.deadline_hints import diagnose
from tracker.refusals import EXAMPLES, Refusal
from tracker.workdays import WorkCalendar


def cn_date(value: dt.date | None) -> str:
    """A date as documents write it: 2017年9月15日 (the inverse of parsing one)."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


class DeadlineError(Refusal):
    """The text is not a deadline we understand; the message (Chinese, or English when chosen: see
    tracker.refusals) names the part not understood and the form to write instead."""


# The years a date may have, anywhere: in a deadline, a --as-of, a trigger, a ledger's date cell.
# Wide enough for any real ledger, narrow enough that every date arithmetic done on one (a
# deadline plus a ladder's days, a report period ahead, N months after a trigger) stays far from
# the calendar's ends (year 1, year 9999) and no check materialises periods for centuries.
MIN_YEAR = 1900
MAX_YEAR = 2200
YEARS = f"{MIN_YEAR}–{MAX_YEAR}"


def check_year(year: int, what: str) -> int:
    """``year``, or a DeadlineError naming ``what`` when it is outside the supported years."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DeadlineError("deadline_year_range", what=what, year=year, years=YEARS)
    return year


def check_date(value: dt.date, what: str) -> dt.date:
    """``value``, or a DeadlineError naming ``what`` when its year is outside the supported years."""
    check_year(value.year, what)
    return value


# --- normalisation -----------------------------------------------------------------------

_TRADITIONAL = str.maketrans({"後": "后", "內": "内", "個": "个", "號": "号", "週": "周", "當": "当"})
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_RUN = re.compile(r"[〇零○一二两三四五六七八九十]+")
_MIXED = re.compile(r"\d+[〇零○一二两三四五六七八九十]+|[〇零○一二两三四五六七八九十]+\d+")


def _cn_number(run: str) -> str:
    """二〇一七 → 2017 (digit by digit); 十二 → 12, 二十五 → 25, 三十 → 30 (with 十)."""
    if "十" not in run:
        return "".join(str(_CN_DIGITS[ch]) for ch in run)
    tens, _, units = run.partition("十")
    if "十" in units or len(tens) > 1 or len(units) > 1:
        return run  # not a number we know how to read; left for the grammar to refuse
    return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0))


def normalise(text: str) -> str:
    """Full-width → half-width, Chinese numerals → digits, traditional → simplified, no spaces."""
    s = unicodedata.normalize("NFKC", text).translate(_TRADITIONAL)
    s = _CN_RUN.sub(lambda m: _cn_number(m.group()), s)
    return re.sub(r"\s+", "", s)


# --- the three kinds ---------------------------------------------------------------------

END = 0  # "the last day of the month" in a day field


def _day_in(year: int, month: int, day: int) -> dt.date:
    last = _calendar.monthrange(year, month)[1]
    return dt.date(year, month, last if day == END else min(day, last))


@dataclass(frozen=True)
class Absolute:
    """One fixed date."""

    date: dt.date
    kind: str = "absolute"
    note: str = field(default="", compare=False)  # a convention applied, said in the explanation

    def dates(self, start: dt.date | None = None, end: dt.date | None = None) -> list[dt.date]:
        return [self.date]

    def explain(self) -> str:
        return f"{self.date.isoformat()}（{self.note}）" if self.note else self.date.isoformat()


@dataclass(frozen=True)
class Relative:
    """N days, working days or months after a trigger date."""

    amount: int
    unit: str  # "days" | "workdays" | "months"
    kind: str = "relative"
    # The event counted from, as written (收件, 收到通知); "" when the text names none. Only a name:
    # two texts that differ in it resolve alike, so it is left out of equality.
    trigger: str = field(default="", compare=False)

    def resolve(self, trigger: dt.date, calendar: WorkCalendar) -> dt.date:
        check_date(trigger, trigger.isoformat())
        what = f"{self.explain()} ({trigger})"
        if self.unit == "workdays":
            return check_date(calendar.add_workdays(trigger, self.amount), what)
        import pendulum  # month arithmetic that clamps to the month's end

        start = pendulum.date(trigger.year, trigger.month, trigger.day)
        if self.unit == "months":
            moved = start.add(months=self.amount)  # pendulum clamps 01-31 + 1 month to 02-28
        else:
            moved = start.add(days=self.amount)
        return check_date(dt.date(moved.year, moved.month, moved.day), what)

    def explain(self) -> str:
        names = {"days": "天", "workdays": "个工作日", "months": "个月"}
        event = f"（{self.trigger}）" if self.trigger else ""
        return f"触发日{event}后{self.amount}{names[self.unit]}"


_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Recurring:
    """Every year, on each (month, day) listed; day END is the month's last day. Or, with
    ``weekday`` (0 = Monday), every week on that day (``points`` is then empty)."""

    points: tuple[tuple[int, int], ...]
    kind: str = "recurring"
    weekday: int | None = None

    def dates(self, start: dt.date, end: dt.date) -> list[dt.date]:
        if self.weekday is not None:
            first = start + dt.timedelta(days=(self.weekday - start.weekday()) % 7)
            return [first + dt.timedelta(weeks=k) for k in range(max(0, (end - first).days // 7 + 1))]
        found = []
        for year in range(start.year, end.year + 1):
            for month, day in self.points:
                date = _day_in(year, month, day)
                if start <= date <= end:
                    found.append(date)
        return sorted(found)

    def next_on_or_after(self, day: dt.date) -> dt.date:
        for year in (day.year, day.year + 1):
            for date in self.dates(dt.date(year, 1, 1), dt.date(year, 12, 31)):
                if date >= day:
                    return date
        raise AssertionError("a recurring rule yields at least one date a year")

    def explain(self) -> str:
        if self.weekday is not None:
            return f"每周{_WEEKDAYS[self.weekday]}"

        def one(month: int, day: int) -> str:
            return f"{month}月{'底' if day == END else f'{day}日'}"

        months = {m for m, _ in self.points}
        days = {d for _, d in self.points}
        if months == set(range(1, 13)) and len(self.points) == 12 * len(days):
            return "每月" + "、".join("底" if day == END else f"{day}日" for day in sorted(days))
        return "每年" + "、".join(one(m, d) for m, d in self.points)


@dataclass(frozen=True)
class Ongoing:
    """A standing task (长期坚持, 持续推进): no deadline, never overdue."""

    kind: str = "ongoing"

    def dates(self, start: dt.date | None = None, end: dt.date | None = None) -> list[dt.date]:
        return []

    def explain(self) -> str:
        return "长期任务，无完成时限"


# The official holidays by the names notices use, and chinesecalendar's names for them.
HOLIDAYS = {
    "元旦": "New Year's Day",
    "春节": "Spring Festival",
    "清明": "Tomb-sweeping Day",
    "劳动节": "Labour Day",
    "端午": "Dragon Boat Festival",
    "中秋": "Mid-autumn Festival",
    "国庆": "National Day",
}
_HOLIDAY = re.compile(
    r"^(?:(?P<year>\d{4,6})年)?(?P<name>元旦|春节|清明|劳动节|端午|中秋|国庆)节?(?:假期|放假)?"
    r"(?:(?P<before>前|之前|以前)|后(?:(?P<n>\d{1,3})个工作日内|第(?P<nth>\d{1,3})个工作日)"
    r"(?:前|之前|以前|内)?)$"
)


@dataclass(frozen=True)
class Holiday:
    """A deadline set by an official holiday of a year, on the official calendar: 春节前 is the
    last working day before the holiday begins; 春节后5个工作日内 the 5th working day after it
    ends, 春节后第一个工作日 the first."""

    name: str  # 春节
    year: int
    after: int | None  # None: before the holiday; N: the Nth working day after it
    kind: str = "holiday"

    def resolve(self, calendar: WorkCalendar) -> dt.date:
        first, last = calendar.holiday_period(self.year, HOLIDAYS[self.name], f"{self.year}年{self.name}")
        if self.after is None:
            day = first - dt.timedelta(days=1)
            while not calendar.is_workday(day):
                day -= dt.timedelta(days=1)
            return check_date(day, self.explain())
        return check_date(calendar.add_workdays(last, self.after), self.explain())

    def explain(self) -> str:
        if self.after is None:
            return f"{self.year}年{self.name}假期前最后一个工作日"
        return f"{self.year}年{self.name}假期后第{self.after}个工作日"


Deadline = Absolute | Relative | Recurring | Ongoing | Holiday


# --- grammar -----------------------------------------------------------------------------

_PREFIX = re.compile(r"^(?:应于|须于|必须于|务必于|最迟于|最迟|不晚于|截至|截止到?|到|至|于|在)")
_SUFFIX = re.compile(r"(?:前|以前|之前|完成|前完成|全部完成|报送|前报送|上报|前上报|为止|止|截止|内|以内|之内)+$")
_YEAR = r"(?:(?P<year>\d{4,6})年|(?P<this>当年|本年|今年|同年|当年度|本年度))?"
_SOFT_MONTH_DAY = {"上旬": 10, "初": 10, "中旬": 20, "中": 20, "下旬": END, "底": END, "末": END, "份": END, "": END}

_ISO = re.compile(r"^(?P<year>\d{4,6})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})$")
_MONTH_DAY = re.compile(_YEAR + r"(?P<month>\d{1,2})月(?P<day>\d{1,2})[日号]$")
_MONTH = re.compile(_YEAR + r"(?P<month>\d{1,2})月(?P<part>上旬|中旬|下旬|初|中|底|末|份)?$")
_YEAR_END = re.compile(_YEAR + r"(?P<end>年底|年末|年终|底|末)?$")
_HALF = re.compile(_YEAR + r"(?P<half>上半年|下半年)(?:末|底)?$")
_QUARTER = re.compile(_YEAR + r"第?(?P<q>\d{1,2})季度(?:末|底)?$")

_RELATIVE = re.compile(
    r"^(?:(?P<trigger>.*?)(?P<from>之日起|之日|当日起|当天起|之次日起|次日起|起|后的?))?"
    r"(?P<n>\d{1,4})(?P<unit>个工作日|工作日|天|日|个月|月|周|个星期|星期)"
    r"(?P<within>内|以内|之内)?"
)
# 不超过5个工作日: a period without a named event, "within" said the other way round.
_AT_MOST = re.compile(r"^(?:不准|不得|不能|最长不|最多不|不)(?:超过|超出|多于)")
_DAY_ITEM = r"\d{1,2}[日号]"
_PART = r"上旬|中旬|下旬|初|中|底|末"
_MONTH_ITEM = rf"\d{{1,2}}月(?:{_DAY_ITEM}|{_PART})?"
_AND = r"[和、,及与]"
_RECURRING_QUARTERS = re.compile(r"^每年(?:的)?第?(?P<qs>\d(?:[、,，和及与]第?\d)*)季度(?:末|底)?$")
_EVERY_QUARTER = re.compile(r"^每(?:个)?季度(?:末|底)?$")
# 每季度首月10日前 (01-10, 04-10, ...), 每季度末月20日前 (03-20, ...)
_EVERY_QUARTER_MONTH = re.compile(
    r"^每(?:个)?季度(?:的)?(?P<which>首月|第1个?月|初|次月|第2个?月|末月|最后1个?月|第3个?月)"
    rf"(?P<day>{_DAY_ITEM}|{_PART})$"
)
_QUARTER_MONTH = {"首月": 1, "第1个月": 1, "第1月": 1, "初": 1, "次月": 2, "第2个月": 2, "第2月": 2}
# 每季度结束后15日内 (01-15, 04-15, 07-15, 10-15); 每月结束后5日内
_AFTER_PERIOD = re.compile(r"^每(?:个)?(?P<period>季度|月)(?:结束|末|终了)后(?:的)?(?P<n>\d{1,2})[日天]$")
_EVERY_HALF = re.compile(r"^每半年(?:末|底)?$")
_EVERY_MONTH = re.compile(
    rf"^每(?:个)?月(?:(?P<days>{_DAY_ITEM}(?:{_AND}{_DAY_ITEM})*)|月?(?P<part>上旬|中旬|下旬|初|底|末))?$"
)
_EVERY_YEAR = re.compile(
    rf"^每年(?:的)?(?:(?P<items>{_MONTH_ITEM}(?:{_AND}{_MONTH_ITEM})*)|(?P<yearend>年底|年末|底|末))$"
)
_TIME = r"(?:上午|下午|中午|晚上|早上)?(?:下班|\d{1,2}:\d{2}|\d{1,2}[时点](?:\d{1,2}分|半|整)?)?"
# 每周五前, 每周周五之前, 每周二中午12时前, 每星期一
_EVERY_WEEK = re.compile(rf"^每(?:个)?(?:周|星期|礼拜)(?:周|星期|礼拜)?(?P<d>[1-7日天]){_TIME}$")
# 6月18日(星期二)上午下班前, 6月18日17:00前: the weekday and the time are annotations
_ANNOTATED = re.compile(
    r"^(?P<date>.*?\d[日号])(?:\(?(?:星期|周|礼拜)(?P<wd>[1-7日天])\)?)?(?P<time>" + _TIME + r")(?P<rest>.*)$"
)
_ONGOING = re.compile(r"^(?:长期坚持|长期推进|长期|持续推进|持续开展|持续|常态化推进|常态化开展|常态化)$")
_WITHIN_YEAR = re.compile(r"^(?:本年度|本年|今年|当年|年度|年)(?:内|以内|之内)")


def _weekday(ch: str) -> int:
    """星期 1–6 → Monday–Saturday (0–5); 日/天/7 → Sunday (6)."""
    return 6 if ch in "日天7" else int(ch) - 1


def _year(m: re.Match[str], ref_year: int | None, text: str) -> int:
    if m.group("year"):
        return check_year(int(m.group("year")), text)
    if ref_year is None:
        raise DeadlineError("deadline_no_year", text=text)
    return check_year(ref_year, text)


def _check_month(month: int, text: str) -> None:
    if not 1 <= month <= 12:
        raise DeadlineError("deadline_no_month", text=text, month=month)


def _check_day(year: int, month: int, day: int, text: str) -> None:
    last = _calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise DeadlineError("deadline_no_day", text=text, year=year, month=month, day=day, last=last)


def _absolute(core: str, ref_year: int | None, text: str) -> Absolute | None:
    if m := _ISO.match(core):
        year, month, day = check_year(int(m["year"]), text), int(m["month"]), int(m["day"])
        _check_month(month, text)
        _check_day(year, month, day, text)
        return Absolute(dt.date(year, month, day))
    if m := _MONTH_DAY.match(core):
        year, month, day = _year(m, ref_year, text), int(m["month"]), int(m["day"])
        _check_month(month, text)
        _check_day(year, month, day, text)
        return Absolute(dt.date(year, month, day))
    if m := _MONTH.match(core):
        year, month = _year(m, ref_year, text), int(m["month"])
        _check_month(month, text)
        return Absolute(_day_in(year, month, _SOFT_MONTH_DAY[m["part"] or ""]))
    if m := _HALF.match(core):
        year = _year(m, ref_year, text)
        return Absolute(dt.date(year, 6, 30) if m["half"] == "上半年" else dt.date(year, 12, 31))
    if m := _QUARTER.match(core):
        year, q = _year(m, ref_year, text), int(m["q"])
        if not 1 <= q <= 4:
            raise DeadlineError("deadline_no_quarter", text=text, quarter=q)
        return Absolute(_day_in(year, q * 3, END))
    m = _YEAR_END.match(core)
    if m and (m["year"] or m["this"] or m["end"] in ("年底", "年末", "年终")):
        return Absolute(dt.date(_year(m, ref_year, text), 12, 31))
    return None


def _month_day(item: str, text: str) -> int:
    """The day of "10日" or a soft part (底, 上旬 …) of a month, checked for some month."""
    if m := re.fullmatch(r"(\d{1,2})[日号]", item):
        day = int(m[1])
        if not 1 <= day <= 31:
            raise DeadlineError("deadline_no_day_in_month", text=text, day=day)
        return day
    return _SOFT_MONTH_DAY[item]


def _recurring(core: str, text: str) -> Recurring | None:
    if m := _RECURRING_QUARTERS.match(core):
        quarters = sorted({int(q) for q in re.findall(r"\d", m["qs"])})
        if not all(1 <= q <= 4 for q in quarters):
            raise DeadlineError("deadline_quarters", text=text)
        return Recurring(tuple((q * 3, END) for q in quarters))
    if _EVERY_QUARTER.match(core):
        return Recurring(((3, END), (6, END), (9, END), (12, END)))
    if m := _EVERY_QUARTER_MONTH.match(core):
        offset = _QUARTER_MONTH.get(m["which"], 3) - 1
        day = _month_day(m["day"], text)
        return Recurring(tuple((q * 3 - 2 + offset, day) for q in range(1, 5)))
    if m := _AFTER_PERIOD.match(core):
        n = int(m["n"])
        if not 1 <= n <= 28:
            raise DeadlineError("deadline_period_days", text=text, days=n)
        months = range(1, 13, 3) if m["period"] == "季度" else range(1, 13)
        return Recurring(tuple((month, n) for month in months))
    if _EVERY_HALF.match(core):
        return Recurring(((6, END), (12, END)))
    if m := _EVERY_WEEK.match(core):
        return Recurring((), weekday=_weekday(m["d"]))
    if m := _EVERY_MONTH.match(core):
        days = [_month_day(d, text) for d in re.findall(_DAY_ITEM, m["days"])] if m["days"] else []
        days = sorted(set(days)) or [_SOFT_MONTH_DAY[m["part"] or ""]]
        return Recurring(tuple((month, day) for month in range(1, 13) for day in days))
    if m := _EVERY_YEAR.match(core):
        if m["yearend"]:
            return Recurring(((12, END),))
        points = []
        for item in re.findall(_MONTH_ITEM, m["items"]):
            month_text, _, rest = item.partition("月")
            month = int(month_text)
            _check_month(month, text)
            if rest and rest[0].isdigit():
                day = int(rest[:-1])
                _check_day(2000, month, day, text)  # a leap year: 每年2月29日 is refused below
                if (month, day) == (2, 29):
                    raise DeadlineError("deadline_feb29", text=text)
            else:
                day = _SOFT_MONTH_DAY[rest]
            points.append((month, day))
        return Recurring(tuple(sorted(set(points))))
    return None


def _relative(s: str, text: str) -> Relative | None:
    at_most = _AT_MOST.match(s)
    if at_most:
        s = s[at_most.end() :]
    m = _RELATIVE.match(s)
    if not m or not (m["within"] or m["from"] is not None or at_most):
        return None
    rest = s[m.end() :]
    allowed = r"[报送上交提完成将把各地的办结答复反馈处理]+.*"
    if rest and not _SUFFIX.fullmatch(rest) and not re.fullmatch(allowed, rest):
        return None
    trigger = re.sub(r"^自", "", m["trigger"] or "")
    trigger = re.sub(r"(?:的|之)$", "", trigger)
    if m["from"] is not None and trigger in ("", "年", "过年", "节", "节日", "节后"):
        raise DeadlineError("deadline_not_event", text=text, part=f"{m['trigger'] or ''}{m['from']}")
    n = int(m["n"])
    unit = m["unit"]
    if n == 0:
        raise DeadlineError("deadline_zero_period", text=text)
    if unit in ("个工作日", "工作日"):
        return Relative(n, "workdays", trigger=trigger)
    if unit in ("个月", "月"):
        return Relative(n, "months", trigger=trigger)
    if unit in ("周", "个星期", "星期"):
        return Relative(n * 7, "days", trigger=trigger)
    return Relative(n, "days", trigger=trigger)


def _annotations(s: str, text: str) -> tuple[str, int | None]:
    """The text without a weekday and time of day after its date (6月18日(星期二)上午下班前 →
    6月18日前), and the weekday written (0 = Monday), if any."""
    m = _ANNOTATED.match(s)
    if not m or not (m["wd"] or m["time"]):
        return s, None
    return m["date"] + m["rest"], (_weekday(m["wd"]) if m["wd"] else None)


def parse(text: str, ref_year: int | None = None) -> Deadline:
    """Parse a deadline as written. ``ref_year`` supplies the year when the text has none."""
    found = _read(text, ref_year)
    if found is None:
        raise _not_understood(text, ref_year)
    return found


def _read(text: str, ref_year: int | None) -> Deadline | None:
    """The deadline ``text`` writes; None when no rule of the grammar reads it, a DeadlineError
    when one does and finds it wrong (13月, a 星期 that does not fit the date)."""
    if not text or not text.strip():
        raise DeadlineError("deadline_empty", examples=EXAMPLES)
    # 周二12时 is a weekday and an hour, not the number 212
    mixed = _MIXED.search(re.sub(r"(?<=周|期|拜)[一二三四五六日天]", "", unicodedata.normalize("NFKC", text)))
    if mixed:  # 15八 would read as 158
        raise DeadlineError("deadline_mixed_digits", text=text, part=mixed.group())
    s = normalise(text)
    s = re.sub(r"[。；;，,]+$", "", s)
    if _ONGOING.match(_SUFFIX.sub("", s) or s):
        return Ongoing()
    if s.startswith("每"):
        core = _SUFFIX.sub("", s) or s
        return _recurring(core, text)
    if m := _HOLIDAY.match(_PREFIX.sub("", s)):
        year = check_year(int(m["year"]), text) if m["year"] else _need_ref(ref_year, text)
        after = None if m["before"] else int(m["n"] or m["nth"])
        if after == 0:
            raise DeadlineError("deadline_zero_after_holiday", text=text)
        return Holiday(m["name"], year, after)
    rel = _relative(_PREFIX.sub("", s), text)
    if rel is not None:
        return rel
    s, weekday = _annotations(s, text)
    bare = _PREFIX.sub("", s)
    if (m := _WITHIN_YEAR.match(bare)) and _SUFFIX.sub("", bare[m.end() :]) == "":
        return Absolute(dt.date(_need_ref(ref_year, text), 12, 31))
    core = _SUFFIX.sub("", bare)
    found_abs = _absolute(core, ref_year, text)
    if found_abs is None:
        return None
    if weekday is not None and found_abs.date.weekday() != weekday:
        actual = _WEEKDAYS[found_abs.date.weekday()]
        raise DeadlineError(
            "deadline_wrong_weekday", text=text, date=cn_date(found_abs.date), actual=actual, written=_WEEKDAYS[weekday]
        )
    # X月前 / X年前: by the end of X (as 3月 alone and 2017年 alone are), said in the explanation.
    if mb := re.fullmatch(r"(?:(\d{4,6})年)?(\d{1,2})月(?:前|以前|之前)", bare):
        note = f"“{mb[2]}月前”按{mb[2]}月底前理解"
        return Absolute(found_abs.date, note=note)
    if mb := re.fullmatch(r"(\d{4,6})年(?:前|以前|之前)", bare):
        return Absolute(found_abs.date, note=f"“{mb[1]}年前”按{mb[1]}年底前理解")
    return found_abs


def _not_understood(text: str, ref_year: int | None) -> DeadlineError:
    """The refusal of a text the grammar has no rule for: the part not understood, and the
    nearest form we accept (tracker.deadline_hints)."""

    def reads(candidate: str) -> bool:
        try:
            return _read(candidate, ref_year or 2000) is not None  # a year to judge the form by
        except DeadlineError:
            return False

    written = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_TRADITIONAL))
    part, suggestion = diagnose(re.sub(r"[。；;，,]+$", "", written), reads)
    if part is None:
        return DeadlineError("deadline_unknown", text=text, suggestion=suggestion)
    return DeadlineError("deadline_unknown_part", text=text, part=part, suggestion=suggestion)


def _need_ref(ref_year: int | None, text: str) -> int:
    if ref_year is None:
        raise DeadlineError("deadline_no_year", text=text)
    return check_year(ref_year, text)


def resolve_dates(
    deadline: Deadline,
    *,
    ref: dt.date | None,
    start: dt.date | None,
    end: dt.date | None,
    calendar: WorkCalendar,
) -> list[dt.date]:
    """The dates a deadline stands for.

    Absolute: its date. Relative: the date counted from ``ref`` (the trigger), or none while
    the trigger is unknown. Recurring: every occurrence in [start, end], by default the year of
    ``ref``.
    """
    if isinstance(deadline, Absolute):
        return [deadline.date]
    if isinstance(deadline, Ongoing):
        return []
    if isinstance(deadline, Holiday):
        return [deadline.resolve(calendar)]
    if isinstance(deadline, Relative):
        return [] if ref is None else [deadline.resolve(ref, calendar)]
    if start is None or end is None:
        if ref is None:
            raise DeadlineError("deadline_needs_range")
        start = start or dt.date(ref.year, 1, 1)
        end = end or dt.date(ref.year, 12, 31)
    if end < start:
        raise DeadlineError("deadline_range_backwards", start=start, end=end)
    return deadline.dates(start, end)
