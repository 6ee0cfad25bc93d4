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
        "至少8个字符，不能与账号名相同，不能全是同一个字符。",
        "At least 8 characters, not the account name, not one character repeated.",
    ),
    "password.submit": ("保存新密码", "Save the new password"),
    "password.done": ("密码已修改，其他设备上的登录已退出。", "Password changed; your other sessions have ended."),
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
    "nav.mine": ("我的任务", "My work"),
    "work.title": ("我的任务", "My work"),
    "work.unit_title": ("{unit} 的任务", "Work of {unit}"),
    "work.as_of": ("截至 {day}", "As of {day}"),
    "work.tasks": ("任务 {count} 项", "{count} tasks"),
    "work.notices": ("收到的通知", "Notices received"),
    "work.reports": ("应报送的定期报告", "Periodic reports due"),
    "work.col.task": ("任务", "Task"),
    "work.col.deadline": ("时限（原文）", "Deadline (as written)"),
    "work.col.due": ("截止日期", "Due on"),
    "work.col.days": ("剩余/逾期", "Left / late"),
    "work.col.level": ("督办级别", "Level"),
    "work.col.status": ("状态", "Status"),
    "work.col.percent": ("进度", "Progress"),
    "work.col.report": ("报告", "Report"),
    "work.col.period": ("报送期", "Period"),
    "work.col.ack_due": ("签收期限", "Sign by"),
    "work.days_left": ("剩 {days} 天", "{days} days left"),
    "work.workdays_left": ("（{days} 个工作日）", " ({days} working days)"),
    "work.due_today": ("今天到期", "due today"),
    "work.days_late": ("逾期 {days} 天", "{days} days late"),
    "work.no_date": ("—", "—"),
    "work.returned": ("退回理由：{reason}", "Returned: {reason}"),
    "work.lead": ("牵头", "lead"),
    "work.assist": ("配合", "assisting"),
    "work.open": ("查看/报送进度", "Open / report"),
    "work.submit_report": ("报送", "Submit"),
    "work.report_late": ("已逾期 {days} 天", "{days} days late"),
    "work.report_left": ("还有 {days} 天", "{days} days left"),
    "work.reported": ("已报送 {day} 期报告。", "The report for {day} is submitted."),
    "work.reported_late": ("已报送 {day} 期报告（迟报）。", "The report for {day} is submitted (late)."),
    "work.ack_overdue": ("逾期未签收", "overdue"),
    "assignment.title": ("任务 {seq}", "Task {seq}"),
    "assignment.back": ("返回我的任务", "Back to my work"),
    "assignment.completed_on": ("完成日期", "Completed on"),
    "assignment.note": ("情况说明", "Note"),
    "assignment.report": ("报送进度", "Report progress"),
    "assignment.status": ("状态", "Status"),
    "assignment.percent": ("完成百分比（0–100）", "Percent done (0–100)"),
    "assignment.done_on": ("完成日期（仅“已完成”时填写，默认今天）", "Done on (for done only; default today)"),
    "assignment.files": ("佐证材料（可多选）", "Evidence files (several allowed)"),
    "assignment.files_hint": (
        "允许 PDF、JPG、PNG、DOCX、XLSX、OFD，每个文件不超过 {mib} MiB；类型按文件内容核验。",
        "PDF, JPG, PNG, DOCX, XLSX or OFD, each at most {mib} MiB; the type is checked from the content.",
    ),
    "assignment.submit": ("提交", "Submit"),
    "assignment.saved": ("进度已报送。", "Progress reported."),
    "assignment.review_hint": (
        "本台账的办结须经督查室复核：选“已完成”即提交复核（待复核）。",
        "Completions on this ledger are reviewed: choosing done submits it for review.",
    ),
    "assignment.evidence": ("佐证材料", "Evidence"),
    "assignment.col.name": ("文件", "File"),
    "assignment.col.size": ("大小", "Size"),
    "assignment.col.added": ("上传", "Added"),
    "assignment.history": ("报送记录", "Reports"),
    "assignment.col.at": ("时间", "When"),
    "assignment.col.by": ("报送人", "By"),
    "work.stale": (
        "该任务刚被他人更新，本次未保存；请查看最新情况后重新报送。",
        "Someone else has just updated this task; nothing was saved. Look at it again and report again.",
    ),
    "refusal.web_status": ("请选择状态（未开始、进行中或已完成）", "choose a status (to do, doing or done)"),
    "refusal.percent": (
        "进度须为 0 至 100 的整数，不是“{value}”",
        "percent must be a whole number 0–100, not “{value}”",
    ),
    "refusal.web_date": (
        "日期“{value}”无法识别，请写作 2017-09-10",
        "cannot read the date “{value}”: write 2017-09-10",
    ),
    "refusal.future_completion": (
        "完成日期 {day} 晚于今天（{today}）",
        "the completion date {day} is after today ({today})",
    ),
    "refusal.too_long.note": (
        "情况说明有 {length:,} 个字符，最多 {limit:,} 个",
        "the note has {length:,} characters, at most {limit:,}",
    ),
    "status.todo": ("未开始", "to do"),
    "status.doing": ("进行中", "doing"),
    "status.submitted": ("待复核", "awaiting review"),
    "status.returned": ("退回", "returned"),
    "status.done": ("已完成", "done"),
    "status.terminated": ("已终止", "terminated"),
    "level.reminder": ("提醒", "reminder"),
    "level.warning": ("督办通知", "warning"),
    "level.criticism": ("通报批评", "criticism"),
    "level.interview": ("约谈", "interview"),
    "level.accountability": ("问责", "accountability"),
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
        if key and f"refusal.{key}" in MESSAGES:  # a core refusal worded by the portal itself
            return self(f"refusal.{key}", **params)
        if key and key in refusals.CATALOGUE:
            zh, en = refusals.CATALOGUE[key]
            try:
                return (en if self.lang == "en" else zh).format(**params)
            except (KeyError, IndexError):
                return str(exc)
        return str(exc)
