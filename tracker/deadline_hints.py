"""What part of a refused deadline was not understood, and the nearest form that would be.

``diagnose(s, reads)`` looks at the text ``s`` of a deadline the grammar refused
(``reads`` says whether a text parses) and answers (part, suggestion): the part not understood
(None: the whole text) and a form to write instead. In order:

1. a near miss that people write and we know (下周五前, 月底前, 尽快, 30个工作日 without 内 …);
2. a rewrite of a known slip that then parses (工作天 → 个工作日, 每月最后一天 → 每月底 …): the
   rewritten text is the suggestion, checked to parse;
3. the longest beginning that parses (2017年3月底前左右 → 2017年3月底前; the rest is the part);
4. a beginning that names the kind (每周…, 每月…, 收件之日起…, 3月…): the rest is the part, and
   an example of that kind the suggestion;
5. otherwise the whole text, and the example forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tracker.refusals import EXAMPLES

_HOLIDAY_NAMES = "元旦、春节、清明、劳动节、端午、中秋、国庆"
_N = r"[\d〇零○一二两三四五六七八九十]"  # the text is read as written: Chinese numerals not yet digits

# pattern searched in the text → suggestion; the match (or its group "part") is the part not understood.
_NEAR_MISSES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:下|本|这|上|当)个?(?:周|星期|礼拜)[1-7日天]?"), "每周五前，或写明日期（如 2019年6月21日前）"),
    (
        re.compile(r"^(?:本|当|这个?|下个?|上个?)?月(?:底|末|初|中|上旬|中旬|下旬)"),
        "每月底前，或写明月份（如 3月底前）",
    ),
    (re.compile(r"^(?:明|下|来|去|上)年"), "2018年6月底前（写明年份）"),
    (
        re.compile(r"尽快|立即|立刻|马上|及时|随时|即时|抓紧|适时|限期|按时|按要求"),
        "收件之日起5个工作日内 或 2017年3月底前",
    ),
    (re.compile(r"^每(?:隔)?(?:2|两|半)(?:个)?(?:周|星期|月)|^隔周"), "每周五前 或 每月10日和25日前"),
    (re.compile(r"^每(?:天|日|个工作日)"), "长期坚持（日常任务），或 每周五前"),
    (re.compile(r"除夕"), "春节前"),
    (
        re.compile(r"新年|元宵|七夕|重阳|冬至|腊八|小年|(?:妇女|儿童|建军|建党|教师|青年)节"),
        f"春节前（可写的节日：{_HOLIDAY_NAMES}）",
    ),
    (re.compile(r"^(?:节|节日|假期|假日|放假|节假日)后"), "春节后第1个工作日"),
    (
        re.compile(r"^(?:元旦|春节|清明|劳动节|端午|中秋|国庆)节?(?:假期|放假)?(?:后|过后|以后|之后)$"),
        "春节后第1个工作日 或 春节后5个工作日内",
    ),
    (re.compile(r"^每(?:个)?(?:周|星期|礼拜)(?:周|星期|礼拜)?(?P<part>[089八零〇○].*)"), "每周五前"),
    (re.compile(r"^每(?:个)?(?:周|星期|礼拜)$"), "每周五前"),
    (re.compile(r"^每(?:个)?季度(?:的)?(?:首月|次月|末月)$"), "每季度首月10日前"),
]

# a slip → its correction; offered only when the corrected text parses.
_REWRITES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"个?工作天"), "个工作日"),
    (re.compile(rf"^({_N}{{1,4}})(个工作日|工作日|天|日)$"), r"\1\2内"),
    (re.compile(r"每月(?:的)?月?(?:最后[1一]天|最后[1一]日|最后|月尾|最末)"), "每月底"),
    (re.compile(rf"({_N}{{1,3}}月)(?:最后[1一]天|最后[1一]日|最后|尾)"), r"\1底"),
    (re.compile(r"之日内"), "之日起"),
    (re.compile(r"^(?=季度|半年|(?:周|星期|礼拜)[1-7一二三四五六日天])"), "每"),  # 每 left out
]

# a beginning that says which kind of deadline is meant → an example of that kind.
_HEADS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^每(?:个)?(?:周|星期|礼拜)(?:周|星期|礼拜)?"), "每周五前 或 每周二中午12时前"),
    (re.compile(r"^每(?:个)?季度(?:的)?"), "每季度末、每季度首月10日前 或 每季度结束后15日内"),
    (re.compile(r"^每(?:个)?月(?:的)?"), "每月25日前、每月底前 或 每月10日和25日前"),
    (re.compile(r"^每半?年(?:的)?"), "每年6月底和12月底前"),
    (re.compile(r"^每"), "每周五前、每月25日前 或 每季度末"),
    (re.compile(r"^.{1,20}?(?:之日起|次日起|之日|起|后)"), "收件之日起30个工作日内"),
    (re.compile(rf"^(?:{_N}{{4}}年)?{_N}{{1,3}}月(?:{_N}{{1,3}}[日号])?"), "2017年3月31日前 或 2017年3月底前"),
    (re.compile(rf"^{_N}{{4}}年"), "2017年3月底前 或 2017年底前"),
]

_LONGEST = 40  # a beginning longer than this is not looked for (junk, pasted paragraphs)


def diagnose(s: str, reads: Callable[[str], bool]) -> tuple[str | None, str]:
    """(the part of ``s`` not understood, or None for all of it; the form to suggest)."""
    for pattern, suggestion in _NEAR_MISSES:
        if found := pattern.search(s):
            return _part(found["part"] if "part" in pattern.groupindex else found.group(), s), suggestion
    for pattern, replacement in _REWRITES:
        if (found := pattern.search(s)) and reads(rewritten := pattern.sub(replacement, s)):
            return _part(found.group(), s), rewritten
    for end in range(min(len(s), _LONGEST) - 1, 1, -1):
        if reads(s[:end]):
            return s[end:], s[:end]
    for pattern, suggestion in _HEADS:
        if (found := pattern.match(s)) and found.end() < len(s):
            return _part(s[found.end() :], s), suggestion
    return None, EXAMPLES


def _part(part: str, whole: str) -> str | None:
    return None if part == whole else part
