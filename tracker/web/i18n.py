"""Every word the portal shows, in Chinese (the default) and English: one catalogue as the terminal
UI's (tui/i18n.py), ``key → (Chinese, English)``. The language is the request's (a cookie the
visitor sets, else the config's ``language``), not the process's: two visitors may differ.

The core's refusals (tracker/refusals.py) are worded again here in the request's language from
their key and params, so that a refusal never shows in a language the visitor did not choose.
"""

from __future__ import annotations

from tracker import refusals

LANGUAGES = refusals.LANGUAGES

MESSAGES: dict[str, tuple[str, str]] = {
    "app.title": ("督查台账", "Supervision ledgers"),
    "app.portal": ("督查台账门户", "Supervision portal"),
    "nav.home": ("首页", "Home"),
    "nav.notices": ("通知", "Notices"),
    "nav.review": ("待复核", "Review queue"),
    "nav.approvals": ("待审批", "Approval queue"),
    "nav.outbox": ("待发消息", "Outbox"),
    "nav.password": ("修改密码", "Change password"),
    "nav.logout": ("退出登录", "Log out"),
    "nav.language": ("English", "中文"),
    "nav.skip": ("跳到正文", "Skip to content"),
    "role.viewer": ("查看", "viewer"),
    "role.clerk": ("督查员", "clerk"),
    "role.supervisor": ("科长/分管领导", "supervisor"),
    "role.admin": ("管理员", "admin"),
    "role.unit": ("单位", "unit"),
    "login.title": ("登录", "Log in"),
    "login.account": ("账号", "Account"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.hint": (
        "账号由督查室管理员开设；忘记密码请联系管理员重置。",
        "Accounts are made by the bureau's admin; ask them to reset a forgotten password.",
    ),
    "logout.done": ("已退出登录。", "You have logged out."),
    "password.title": ("修改密码", "Change password"),
    "password.must": (
        "首次登录（或密码被重置后）须先修改密码。",
        "Change your password first: it was set by an admin.",
    ),
    "password.old": ("当前密码", "Current password"),
    "password.new": ("新密码", "New password"),
    "password.again": ("再次输入新密码", "New password again"),
    "password.rules": (
        "至少8个字符，不能与账号名相同，不能全是同一个字符，不能是 12345678、password 之类的常见密码。",
        "At least 8 characters, not the account name, not one character repeated, not a common password.",
    ),
    "password.submit": ("保存新密码", "Save the new password"),
    "password.done": ("密码已修改，其他设备上的登录已退出。", "Password changed; your other sessions have ended."),
    "login.desk": (
        "本库还没有任何账号。请先在服务器终端运行 tracker user add 姓名 --admin 创建第一个管理员账号，再用它登录。",
        "There are no accounts yet. On the server, run tracker user add NAME --admin to make the first admin,"
        " then log in.",
    ),
    "link.title": ("登录链接", "Login link"),
    "link.who": (
        "此链接将以“{display}”（账号 {login}）的身份登录门户。",
        "This link logs you in as {display} (account {login}).",
    ),
    "link.once": ("链接仅可使用一次；点击下面的按钮登录。", "The link works once: press the button to log in."),
    "link.submit": ("确认登录", "Log in"),
    "link.password": ("用账号和密码登录", "Log in with account and password"),
    "password.by_link": (
        "您是通过登录链接登录的：可直接设置新密码，无须输入当前密码。",
        "You logged in with a login link: set a new password, no current password needed.",
    ),
    "home.hello": ("您好，{name}", "Hello, {name}"),
    "home.unit": ("本单位：{unit}", "Your unit: {unit}"),
    "home.role": ("角色：{role}", "Role: {role}"),
    "home.unsigned": ("待签收通知 {count} 件", "{count} notices to acknowledge"),
    "home.nothing": ("暂无", "Nothing"),
    "notices.title": ("通知", "Notices"),
    "notices.col.number": ("文号", "Number"),
    "notices.col.kind": ("类型", "Kind"),
    "notices.col.ledger": ("台账", "Ledger"),
    "notices.col.units": ("单位", "Units"),
    "notices.col.as_of": ("日期", "Date"),
    "notices.col.ack": ("签收", "Acknowledged"),
    "notices.ack": ("签收", "Acknowledge"),
    "notices.unsigned": ("未签收", "not yet"),
    "notices.signed": ("{by} 于 {at} 签收", "by {by} at {at}"),
    "notices.done": ("已签收通知 {number}。", "Notice {number} acknowledged."),
    "notices.already": ("通知 {number} 此前已签收。", "Notice {number} had been acknowledged already."),
    "kind.warning": ("督办通知", "warning"),
    "kind.criticism": ("通报批评", "criticism"),
    "kind.interview": ("约谈通知", "interview"),
    "kind.accountability": ("问责建议", "accountability"),
    "approvals.col.step": ("待审角色", "Waits for"),
    "review.title": ("待复核", "Review queue"),
    "review.col.subject": ("任务/单位", "Task / unit"),
    "review.col.done_on": ("完成日期", "Done on"),
    "review.col.on_time": ("是否按期", "On time"),
    "review.col.by": ("提交人", "Submitted by"),
    "review.col.note": ("说明", "Note"),
    "approvals.title": ("待审批", "Approval queue"),
    "approvals.col.id": ("编号", "No."),
    "approvals.col.subject": ("事项", "Request"),
    "approvals.col.to": ("申请延至", "To"),
    "approvals.col.reason": ("理由", "Reason"),
    "outbox.title": ("待发消息", "Outbox"),
    "outbox.col.to": ("收件人", "To"),
    "outbox.col.subject": ("主题", "Subject"),
    "outbox.col.status": ("状态", "Status"),
    "outbox.unapproved": ("（待批准）", " (awaiting approval)"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "error.400": ("输入有误", "Bad input"),
    "error.403": ("无权访问", "Not allowed"),
    "error.403.csrf": (
        "页面已过期或请求来源不明，请返回刷新后再试。",
        "The page has expired or the request came from elsewhere: go back, reload and try again.",
    ),
    "error.404": ("找不到该页面或记录", "Not found"),
    "error.405": ("不支持该请求方式", "Method not allowed"),
    "error.413": ("提交的内容过大", "Request too large"),
    "error.500": ("系统内部错误", "Internal error"),
    "error.500.text": (
        "出错了，已记录在服务器日志中。请稍后再试或联系管理员。",
        "Something went wrong; the server log has it. Try again later or tell the admin.",
    ),
    "error.other": ("出错了", "Error"),
    "error.back": ("返回首页", "Back to the home page"),
    # the completion review loop (pages/review.py) and the exports (pages/exports.py)
    "nav.exports": ("导出", "Exports"),
    "complete.title": ("申请办结", "Apply for completion"),
    "complete.deadline": ("完成时限", "Deadline"),
    "complete.status": ("当前状态", "Status"),
    "complete.submitted": ("已提交办结申请，等待督查室复核。", "Submitted: the bureau will review it."),
    "complete.returned": ("{at} 提交的办结申请被退回", "The completion submitted at {at} was returned"),
    "complete.returned_by": ("退回人：{by}。请按意见办理后重新提交。", "Returned by {by}. Act on it and submit again."),
    "complete.pending": (
        "已于 {at} 提交办结申请，等待督查室复核。",
        "Submitted at {at}; waiting for the bureau's review.",
    ),
    "complete.accepted": ("已销号（办结）。", "Accepted: done."),
    "complete.form": ("填写办结情况", "Completion"),
    "complete.again": ("重新提交办结申请", "Submit again"),
    "complete.done_on": ("完成日期", "Done on"),
    "complete.note": ("办理情况说明", "What was done"),
    "complete.evidence": ("佐证材料（可多选）", "Evidence (one or more files)"),
    "complete.evidence_hint": (
        "允许 PDF、JPG、PNG、DOCX、XLSX、OFD，单个文件不超过 {mib} MiB。",
        "PDF, JPG, PNG, DOCX, XLSX or OFD, at most {mib} MiB each.",
    ),
    "complete.submit": ("提交办结申请", "Submit for review"),
    "complete.files": ("已上传的佐证材料", "Evidence stored"),
    "complete.history": ("办结申请记录", "Submissions"),
    "complete.col.file": ("文件", "File"),
    "complete.col.added": ("上传", "Added"),
    "complete.col.at": ("提交", "Submitted"),
    "complete.col.decision": ("复核结果", "Decision"),
    "review.status.todo": ("未开始", "not started"),
    "review.status.doing": ("进行中", "in progress"),
    "review.status.submitted": ("待复核", "waiting for review"),
    "review.status.returned": ("退回", "returned"),
    "review.status.done": ("已完成", "done"),
    "review.status.terminated": ("已终止", "terminated"),
    "review.decision.pending": ("待复核", "waiting"),
    "review.decision.accepted": ("已销号", "accepted"),
    "review.decision.returned": ("已退回", "returned"),
    "review.col.id": ("编号", "No."),
    "review.col.files": ("佐证材料", "Evidence"),
    "review.col.decide": ("复核", "Decide"),
    "review.due": ("时限 {day}", "due {day}"),
    "review.no_files": ("无", "none"),
    "review.accept": ("销号", "Accept"),
    "review.return": ("退回", "Return"),
    "review.reason": ("退回理由", "Reason for returning"),
    "review.accepted": ("已销号：提交 {id}。", "Submission {id} accepted."),
    "review.returned": ("已退回提交 {id}。", "Submission {id} returned."),
    "refusal.review_reason_empty": ("退回须写明理由", "A return needs a reason"),
    "exports.title": ("导出", "Exports"),
    "exports.weekly": ("周进度表（Excel）", "Weekly progress table (Excel)"),
    "exports.weekly_hint": (
        "进度表、单位汇总、本周变化，与 tracker report weekly 相同。",
        "The progress table, the units' summary and this week's changes, as tracker report weekly writes them.",
    ),
    "exports.as_of": ("截至日期", "As of"),
    "exports.ledger": ("台账", "Ledger"),
    "exports.all_ledgers": ("全部台账", "Every ledger"),
    "exports.download_weekly": ("下载进度表", "Download the table"),
    "exports.calendar": ("办理时限日历（.ics）", "Deadline calendar (.ics)"),
    "exports.calendar_hint": (
        "未办结任务的时限，可导入手机或电脑日历，带提前提醒。",
        "Open deadlines for a phone's or a computer's calendar, with reminders.",
    ),
    "exports.download_calendar": ("下载日历", "Download the calendar"),
    "nav.dashboard": ("领导驾驶舱", "Dashboard"),
    "dash.title": ("领导驾驶舱", "Leader's dashboard"),
    "dash.ledger": ("台账", "Ledger"),
    "dash.all_ledgers": ("全部台账", "Every ledger"),
    "dash.as_of": ("截至日期", "As of"),
    "dash.as_of.hint": ("默认今天，如 2017-09-15", "today unless given, e.g. 2017-09-15"),
    "dash.weeks": ("周数", "Weeks"),
    "dash.show": ("查看", "Show"),
    "dash.bad_ledger": (
        "台账：没有编号为“{ledger}”的台账，请从列表中选择",
        "Ledger: there is no ledger {ledger}; choose one from the list",
    ),
    "dash.bad_as_of": ("截至日期：{error}", "As of: {error}"),
    "dash.bad_weeks": (
        "周数：应为 1 至 {most} 之间的整数，不是“{weeks}”",
        "Weeks: a whole number from 1 to {most}, not “{weeks}”",
    ),
    "dash.span": (
        "按周统计：{first} 至 {last}，共 {weeks} 周（每周截至当周最后一天）",
        "Week by week: {first} to {last}, {weeks} weeks (each to its last day)",
    ),
    "dash.explain": (
        "完成率 = 已完成 ÷ 任务数；按期办结率 = 按期完成 ÷ 应办结（到期或已完成）。逾期按已发通知的最高等级统计。",
        "Completion = done ÷ assignments; on-time rate = done by the deadline ÷ due (due or done). "
        "Overdue counted by the highest level notified.",
    ),
    "dash.table": ("{ledger}：各单位情况（截至{as_of}）", "{ledger}: by unit (as of {as_of})"),
    "dash.whole": ("全台账", "Whole ledger"),
    "dash.col.unit": ("单位", "Unit"),
    "dash.col.assignments": ("任务数", "Assignments"),
    "dash.col.done": ("已完成", "Done"),
    "dash.col.completion": ("完成率", "Completion"),
    "dash.col.due": ("应办结", "Due"),
    "dash.col.on_time": ("按期完成", "Done on time"),
    "dash.col.on_time_rate": ("按期办结率", "On-time rate"),
    "dash.col.overdue": ("逾期·{level}", "Overdue · {level}"),
    "dash.col.overdue_levels": ("逾期（按等级）", "Overdue by level"),
    "dash.overdue": ("逾期未完成（按已发通知等级）", "Open past the deadline, by level notified"),
    "dash.unit.title": ("单位画像：{unit}", "Unit profile: {unit}"),
    "dash.unit.as_of": ("截至 {as_of}；所在台账：{ledgers}", "As of {as_of}; ledgers: {ledgers}"),
    "dash.unit.record": ("履职记录", "Record"),
    "dash.unit.what": ("项目", "Item"),
    "dash.unit.count": ("数量", "Count"),
    "dash.unit.assignments": ("任务数", "Assignments"),
    "dash.unit.done": ("已完成", "Done"),
    "dash.unit.overdue": ("逾期（合计）", "Late (all)"),
    "dash.unit.done_late": ("逾期完成", "Completed late"),
    "dash.unit.open_overdue": ("逾期未完成", "Open past the deadline"),
    "dash.unit.terminated_overdue": ("逾期后终止", "Terminated after the deadline"),
    "dash.unit.late_workdays": ("累计逾期工作日", "Working days late in all"),
    "dash.unit.notices": ("收到{kind}", "Received: {kind}"),
    "dash.unit.unacknowledged": ("未签收通知", "Notices not acknowledged"),
    "dash.unit.reviews_submitted": ("提交复核", "Submitted for review"),
    "dash.unit.reviews_returned": ("复核退回", "Returned by review"),
    "dash.unit.reviews_accepted": ("复核通过", "Accepted by review"),
    "dash.unit.extensions_requested": ("申请延期", "Extensions requested"),
    "dash.unit.extensions_approved": ("延期获批", "Extensions approved"),
    "dash.unit.extensions_refused": ("延期未获批", "Extensions refused"),
    "dash.unit.series": ("按周走势", "Week by week"),
    "dash.unit.by_ledger": ("各台账情况（截至{as_of}）", "By ledger (as of {as_of})"),
}


class Words:
    """The catalogue in one language: ``t("key", **values)``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else "zh"

    def __call__(self, key: str, **values: object) -> str:
        zh, en = MESSAGES[key]
        text = en if self.lang == "en" else zh
        return text.format(**values) if values else text

    def knows(self, key: str) -> bool:
        return key in MESSAGES

    def error(self, exc: Exception) -> str:
        """A refusal in this language when its key is known, else as it was raised."""
        key = getattr(exc, "key", None)
        params = getattr(exc, "params", {})
        if key and f"refusal.{key}" in MESSAGES:  # worded for the portal (no CLI option named)
            return self(f"refusal.{key}")
        if key and key in refusals.CATALOGUE:
            zh, en = refusals.CATALOGUE[key]
            try:
                return (en if self.lang == "en" else zh).format(**params)
            except (KeyError, IndexError):
                return str(exc)
        return str(exc)
