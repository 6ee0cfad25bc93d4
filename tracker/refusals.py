"""The wording of the deadline language's and typed dates' refusals, in the user's language.

One catalogue: key → (Chinese, English). Chinese is the default (the users'); the CLI picks the
language once per run (`--lang`, else the config's ``language``) and the terminal UI picks its own.
A ``Refusal`` is worded when raised, in the language chosen then, and keeps its key and params so
that a front end with its own catalogue (the terminal UI's) may word it again.
"""

from __future__ import annotations

from tracker.errors import InputError

LANGUAGES = ("zh", "en")
_chosen = "zh"

# The forms offered when nothing nearer is known.
EXAMPLES = "2017年3月底前、每月25日前、收件之日起30个工作日内、长期坚持"
DATE_EXAMPLES = "2017-09-10、9月10日 或 今天"

CATALOGUE: dict[str, tuple[str, str]] = {
    "deadline_empty": (
        "未填写完成时限；可写作 {examples}",
        "no deadline given; write e.g. {examples}",
    ),
    "deadline_unknown": (
        "无法识别“{text}”；可写作 {suggestion}",
        "cannot understand “{text}”; write e.g. {suggestion}",
    ),
    "deadline_unknown_part": (
        "无法识别“{text}”中的“{part}”；可写作 {suggestion}",
        "cannot understand “{part}” in “{text}”; write e.g. {suggestion}",
    ),
    "deadline_mixed_digits": (
        "无法识别“{text}”中的“{part}”：一个数里混用了阿拉伯数字和汉字数字；请统一写作阿拉伯数字",
        "{text}: {part} mixes digits and Chinese numerals in one number; write it in digits",
    ),
    "deadline_no_year": (
        "“{text}”没有写年份：请写明年份（如 2017年3月底前），或给出参照年份（--ref）",
        "{text}: no year given; write the year or give a reference year (--ref)",
    ),
    "deadline_year_range": (
        "{what}：年份 {year} 超出支持的范围（{years}）",
        "{what}: year {year} is outside the supported years {years}",
    ),
    "deadline_no_month": (
        "无法识别“{text}”中的“{month}月”：一年只有1月至12月",
        "{text}: no month {month} (a year has months 1 to 12)",
    ),
    "deadline_no_day": (
        "无法识别“{text}”中的“{day}日”：{year}年{month}月只有{last}天",
        "{text}: {year}年{month}月 has no day {day} (it has {last} days)",
    ),
    "deadline_no_day_in_month": (
        "无法识别“{text}”中的“{day}日”：一个月最多31天；月末可写作 每月底前",
        "{text}: no day {day} in a month; for the month's end write 每月底前",
    ),
    "deadline_no_quarter": (
        "无法识别“{text}”中的“第{quarter}季度”：一年只有第1至第4季度",
        "{text}: no quarter {quarter} (a year has quarters 1 to 4)",
    ),
    "deadline_quarters": (
        "无法识别“{text}”中的季度：一年只有第1至第4季度；可写作 每年第一、三季度末",
        "{text}: a year has quarters 1 to 4 only; write e.g. 每年第一、三季度末",
    ),
    "deadline_period_days": (
        "无法识别“{text}”中的“{days}日”：期末后的天数须为1至28；更晚的请写明日期（如 每年4月30日前）",
        "{text}: {days} days after a period's end must be 1 to 28; write the date instead (e.g. 每年4月30日前)",
    ),
    "deadline_feb29": (
        "“{text}”中的“2月29日”不是每年都有；可写作 每年2月底前",
        "{text}: 2月29日 does not come every year; write 每年2月底前",
    ),
    "deadline_not_event": (
        "无法识别“{text}”中的“{part}”：不是可以起算的事件（元旦后？春节后？）；"
        "可写作 每年1月10日前，或写明事件（如 接到通知后10日内）",
        "{text}: “{part}” is not an event we understand (after New Year's Day? after the Spring Festival?);"
        " write the date (e.g. 每年1月10日前) or name the event (e.g. 接到通知后10日内)",
    ),
    "deadline_zero_period": (
        "“{text}”的期限为0，不是完成时限；可写作 收件之日起5个工作日内",
        "{text}: a period of 0 is not a deadline; write e.g. 收件之日起5个工作日内",
    ),
    "deadline_zero_after_holiday": (
        "“{text}”：节后第0个工作日不是完成时限；可写作 春节后第1个工作日",
        "{text}: 0 working days after a holiday is no deadline; write e.g. 春节后第1个工作日",
    ),
    "deadline_wrong_weekday": (
        "“{text}”中的日期与星期不符：{date}是星期{actual}，不是星期{written}；请核对日期",
        "{text}: {date} is a 星期{actual}, not a 星期{written}; check the date",
    ),
    "deadline_needs_range": (
        "周期性时限需要给出范围（--from/--until）或参照日期（--ref）",
        "a recurring deadline needs a range (--from/--until) or --ref",
    ),
    "deadline_range_backwards": (
        "范围的结束日（{end}）早于开始日（{start}）",
        "the range ends ({end}) before it starts ({start})",
    ),
    "holiday_unknown_year": (
        "{what}：不知道{year}年各节日的放假安排（内置的官方日历收录2004–2026年）；请写明日期",
        "{what}: the holidays of {year} are not known by name (chinesecalendar knows 2004–2026); "
        "write the date instead",
    ),
    "holiday_joined": (
        "{what}：{year}年官方日历上该节日没有单独的假期（有的年份中秋与国庆合并放假）；请写另一个节日或写明日期",
        "{what}: no holiday of its own in {year} on the official calendar (in some years 中秋 joins 国庆); "
        "name the other holiday or write the date",
    ),
    "calendar_unknown_year": (
        '不知道{year}年的法定工作日安排：请在配置中按国务院放假通知加入 [calendar."{year}"]，'
        'holidays = ["{year}-01-01", ...]，workdays = [...]（调休上班日）',
        "the official working-day calendar for {year} is not known: add the State Council's holiday "
        'announcement to the config as [calendar."{year}"] with holidays = ["{year}-01-01", ...] and '
        "workdays = [...] (make-up working days)",
    ),
    "report_years": (
        "{ledger}：报送期（{duty}）只保留 {years} 年（自 {start} 起）；日期 {day} 超出了这一范围，请核对日期",
        "{ledger}: report periods ({duty}) are kept for {years} years from {start}; the date {day} is beyond them",
    ),
    # dates typed by people (tracker.typed_dates); the terminal UI words these keys itself
    "date_empty": (
        "未填写日期；可写作 {examples}",
        "no date given: write it as 2017-09-10, 9月10日 or 今天",
    ),
    "date_unreadable": (
        "无法识别日期“{text}”；可写作 {suggestion}",
        "cannot read the date '{text}': write it as {suggestion}",
    ),
    "date_no_month": (
        "无法识别日期“{text}”中的“{month}月”：一年只有1月至12月",
        "{text}: there is no month {month}",
    ),
    "date_no_day": (
        "无法识别日期“{text}”中的“{day}日”：{year}年{month}月只有{last}天",
        "{text}: {year}年{month}月 has no day {day} (it has {last} days)",
    ),
    "date_out_of_range": (
        "日期“{text}”的年份超出支持的范围（{years}）",
        "{text}: the year is outside the supported years {years}",
    ),
    # evidence files (tracker.evidence_files); {file} is the file as typed, odd characters escaped
    "evidence_missing": ("{file}：文件不存在", "{file}: no such file"),
    "evidence_unreadable": ("{file}：无法读取（{reason}）", "{file}: cannot be read ({reason})"),
    "evidence_symlink": (
        "{file}：是符号链接，不予添加；请给出文件本身",
        "{file}: is a symbolic link, not added; give the file itself",
    ),
    "evidence_not_regular": (
        "{file}：不是普通文件（文件夹、管道或设备）",
        "{file}: not a regular file (a folder, a pipe or a device)",
    ),
    "evidence_empty": ("{file}：文件为空", "{file}: the file is empty"),
    "evidence_too_big": (
        "{file}：{size:,} 字节，超过上限 {limit:,} 字节（{mib} MiB，见配置 [evidence] max_mib）",
        "{file}: {size:,} bytes, more than the limit of {limit:,} ({mib} MiB, [evidence] max_mib)",
    ),
    "evidence_type": (
        "{file}：内容不是允许的佐证材料类型（{allowed}）{found}",
        "{file}: the content is not an accepted type of evidence ({allowed}){found}",
    ),
    "evidence_looks_exe": ("；看起来是可执行程序", "; it looks like a program"),
    "evidence_looks_html": ("；看起来是网页（HTML）", "; it looks like a web page (HTML)"),
    "evidence_mismatch": (
        "{file}：文件名后缀为“{suffix}”，但内容是 {kind} 文件；请核对文件或改正后缀",
        "{file}: the name ends in “{suffix}” but the content is {kind}; check the file or correct its name",
    ),
    "evidence_zip_bomb": (
        "{file}：解压后共 {size:,} 字节（压缩比 {ratio}:1），超出限制，疑似压缩炸弹",
        "{file}: {size:,} bytes uncompressed (ratio {ratio}:1), beyond the limits: a zip bomb?",
    ),
    "evidence_macro": (
        "{file}：含有宏或可执行内容（{part}），不予添加；请另存为不含宏的文档",
        "{file}: holds macros or executable content ({part}); save it without macros",
    ),
    "evidence_name_chars": (
        "{file}：文件名含有控制字符或不可见字符（{chars}），可能用于伪装；请重命名后再添加",
        "{file}: the name holds control or invisible characters ({chars}) that can disguise it; rename it",
    ),
    "evidence_name_long": (
        "{file}：文件名有 {length} 个字符，最多 {limit} 个；请重命名后再添加",
        "{file}: the name has {length} characters, at most {limit}; rename it",
    ),
    "evidence_name_empty": ("{file}：没有文件名", "{file}: no file name"),
    "evidence_upload_path": (
        "{file}：文件名含有路径（/、\\ 或 ..），不予上传；请只选择文件本身",
        "{file}: the name holds a path (/, \\ or ..), not uploaded; choose the file itself",
    ),
    "evidence_store": (
        "佐证材料存储目录 {folder} 无法写入（{reason}）；未保存任何材料",
        "the evidence store {folder} cannot be written ({reason}); nothing was stored",
    ),
    "review_not_submittable": (
        "{subject}：当前状态为“{status}”，不能提交复核（已完成、已终止或已在待复核中）",
        "{subject}: it is {status}; only an open assignment can be submitted for review",
    ),
    "review_future": (
        "{subject}：完成日期 {day} 晚于今天（{today}）",
        "{subject}: completion date {day} is after today ({today})",
    ),
    "completion_before_ledger": (
        "{subject}：完成日期 {day} 早于台账{what}（{first}），请核对",
        "{subject}: the completion date {day} is before the ledger began ({first}); check it",
    ),
    "review_not_found": ("没有编号为 {id} 的待复核提交", "no submission {id} waiting for review"),
    "review_decided": (
        "提交 {id} 已处理（{decision}），不能再次复核",
        "submission {id} was already decided ({decision})",
    ),
    "review_stale": (
        "提交 {id} 已不适用：{subject} 此后已记为“{status}”",
        "submission {id} no longer applies: {subject} was since recorded as {status}",
    ),
    "review_reason_empty": ("退回须写明理由（--reason）", "a return needs a reason (--reason)"),
    "dashboard_weeks": (
        "--weeks：周数应在 1 至 {most} 之间，不是 {weeks}",
        "--weeks: between 1 and {most}, not {weeks}",
    ),
    "ledger_unknown": ("没有名为或编号为“{ledger}”的台账", "no ledger named or numbered “{ledger}”"),
    "dashboard_unit_unknown": ("没有名为“{unit}”的责任单位", "no unit named {unit}"),
    "dashboard_unit_ambiguous": (
        "“{unit}”可指多个责任单位（{names}）；请写全称",
        "{unit} could be several units ({names}); give the full name",
    ),
    "evidence_not_found": ("没有编号为 {id} 的佐证材料", "no evidence {id}"),
    "evidence_damaged": (
        "佐证材料 {id}（{name}）的存储文件缺失或已被改动（SHA-256 不符）；请从原件重新添加",
        "evidence {id} ({name}): the stored file is missing or altered (SHA-256 differs); add it again",
    ),
    "evidence_out_exists": (
        "{file}：已存在；如需覆盖请加 --force",
        "{file}: already exists; add --force to overwrite it",
    ),
    "evidence_out_unwritable": ("{file}：无法写入（{reason}）", "{file}: cannot be written ({reason})"),
    # accounts and permissions (tracker.permissions, tracker.accounts)
    "not_your_step": (
        "{what} {id}：第{position}步应由{role}审批，{actor}不能审批此步",
        "{what_en} {id}: step {position} waits for {role}, not {actor}",
    ),
    "decided": ("{what} {id} {status}，无需再审批", "{what_en} {id} is not pending (it was {status_en})"),
    "own_request": (
        "{what} {id} 由您本人提出，须由他人审批",
        "{what_en} {id} is your own request: someone else must decide it",
    ),
    "step_taken": (
        "{what} {id}：第{position}步刚已由他人审批，请查看 tracker queue",
        "{what_en} {id}: step {position} was just decided by someone else (see tracker queue)",
    ),
    "permission_denied": (
        "无权限“{permission}”：{name}（{role}）不能执行此操作",
        "not permitted: {permission} ({name} is {role})",
    ),
    "account_unknown": (
        "没有账号“{name}”：本库已启用账号，请用 --as 指定您的账号（或以同名系统用户登录），或请管理员开通",
        "no account {name!r}: this database has accounts; name yours with --as, or ask an admin for one",
    ),
    "identity_not_yours": (
        "不能以“{name}”的身份操作：本连接的数据库角色是“{role}”，--as 只能写自己的账号",
        "cannot act as {name!r}: this connection's database role is {role!r}; --as may name only yourself",
    ),
    "desk_unit_account": (
        "“{name}”是单位账号：终端界面列出各单位的工作，单位账号请用 tracker mine 或网页门户（tracker serve）",
        "{name} is a unit account: the terminal UI lists every unit's work; use tracker mine or the web portal",
    ),
    "account_disabled": ("账号“{name}”已停用", "account {name!r} is disabled"),
    "account_disabled_already": (
        "账号“{name}”已是停用状态，未作改动（恢复请用 tracker user enable {name}）",
        "account {name!r} is disabled already; nothing changed (tracker user enable {name} enables it)",
    ),
    "account_enabled_already": (
        "账号“{name}”已是启用状态，未作改动",
        "account {name!r} is enabled already; nothing changed",
    ),
    "account_exists": ("账号“{name}”已存在", "account {name!r} exists already"),
    "account_name_empty": ("请填写账号名", "the account needs a name"),
    "account_role": ("角色“{role}”：应为 {roles} 之一", "role {role!r}: one of {roles}"),
    "account_unit_needed": ("单位账号须用 --unit 写明所属单位", "a unit account needs --unit"),
    "account_unit_only": ("只有单位账号才写 --unit", "--unit is for unit accounts only"),
    "account_first_admin": (
        "第一个账号须是管理员：tracker user add 姓名 --admin",
        "the first account must be an admin: tracker user add NAME --admin",
    ),
    "account_last_admin": (
        "“{name}”是最后一个可用的管理员账号，不能停用或改为其他角色",
        "{name} is the last active admin: it cannot be disabled or given another role",
    ),
    "login_name_long": (
        "账号名“{name}”太长：PostgreSQL 的数据库角色名最多{most}字节（约21个汉字），请用短一些的账号名",
        "account name {name!r} is too long: a PostgreSQL role name has at most {most} bytes",
    ),
    "login_name_reserved": (
        "账号名“{name}”不能作数据库角色名（不能以 pg_ 开头，不能含控制字符）",
        "account name {name!r} cannot name a database role (no pg_ prefix, no control characters)",
    ),
    "password_empty": ("未输入密码", "no password given"),
    "password_mismatch": ("两次输入的密码不一致", "the two passwords differ"),
    "password_wrong": ("当前密码不正确", "the current password is wrong"),
    "password_same": ("新密码不能与当前密码相同", "the new password must differ from the current one"),
    "login_failed": ("账号或密码不正确", "wrong account or password"),
    "login_locked": (
        "登录失败次数过多，已暂时锁定：请{minutes}分钟后再试",
        "too many failed logins: locked, try again in {minutes} minutes",
    ),
    "password_weak": (
        "密码太弱：至少{length}个字符，不能与账号名相同，不能全是同一个字符",
        "weak password: at least {length} characters, not the account name, not one character repeated",
    ),
    "password_common": (
        "密码太常见（如 12345678、password、qwerty123、woaini1314 之类），容易被猜中：请换一个",
        "this password is one of the most common ones (12345678, password, qwerty123, …): choose another",
    ),
    "link_invalid": (
        "登录链接无效：可能已使用、已过期或已被新链接取代。请联系督查室重新发送，或用账号密码登录",
        "this login link cannot be used: used, expired or replaced by a newer one. Ask the bureau for a new one",
    ),
    "link_no_base_url": (
        "发送登录链接须先在配置文件 [web] 中写明 base_url（门户的网址，如 https://duban.example.gov.cn）",
        "to send a login link, set [web] base_url in the config (the portal's address)",
    ),
    "link_no_address": (
        "账号“{name}”没有可用的个人联系方式（所属单位现任联系人的邮箱或 webhook）：请不加 --send，把链接亲自转交",
        "account {name!r} has no personal address (its unit's present person's email or webhook):"
        " leave out --send and hand the link over yourself",
    ),
}


def set_language(language: str) -> None:
    """Word the refusals raised from now on in ``language`` (zh or en)."""
    global _chosen
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: one of {', '.join(LANGUAGES)}")
    _chosen = language


def language() -> str:
    return _chosen


def word(key: str, **params: object) -> str:
    zh, en = CATALOGUE[key]
    return (en if _chosen == "en" else zh).format(**params)


class Refusal(InputError):
    """Bad input worded from the catalogue, in the language chosen when it is raised."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(word(key, **params), key=key, **params)
