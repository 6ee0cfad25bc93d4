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
    # approvals, the outbox's approval, extension requests, notices' paging, interviews, calendar
    "nav.interviews": ("约谈名单", "Interview list"),
    "approvals.empty": ("暂无待您审批的申请。", "Nothing waits for your decision."),
    "approvals.request": ("申请", " request"),
    "approvals.kind.extension": ("延期", "Extension"),
    "approvals.kind.termination": ("终止", "Termination"),
    "approvals.kind.person_change": ("更换责任人", "Person change"),
    "approvals.task": ("任务{seq}", "task {seq}"),
    "approvals.col.dates": ("期限", "Deadline"),
    "approvals.col.person": ("责任人", "Person"),
    "approvals.col.ends": ("终止日期", "Ends on"),
    "approvals.col.by": ("申请人", "Requested by"),
    "approvals.late": ("（逾期后申请）", "(asked after the deadline)"),
    "approvals.reason": ("审批意见", "Your note"),
    "approvals.reason.hint": ("不同意时必须填写理由。", "A refusal needs a reason."),
    "approvals.approve": ("同意", "Approve"),
    "approvals.refuse": ("不同意", "Refuse"),
    "approvals.bad_form": ("请选择同意或不同意后再提交。", "Choose approve or refuse."),
    "approvals.done.approved": ("申请 {ref} 已批准。", "Request {ref} approved."),
    "approvals.done.refused": ("申请 {ref} 未获批准（已退回申请单位）。", "Request {ref} refused."),
    "approvals.done.step": (
        "申请 {ref} 第{step}步已同意，下一步等待{role}审批。",
        "Request {ref}: step {step} approved; the next waits for the {role}.",
    ),
    "steps.step": ("第{position}步 · {role}", "Step {position} · {role}"),
    "steps.approved": ("同意", "approved"),
    "steps.refused": ("不同意", "refused"),
    "steps.waiting": ("待审批", "waiting"),
    "steps.reason": ("意见：{reason}", "Note: {reason}"),
    "steps.none": ("一步审批（科长/分管领导）。", "Decided in one step (a supervisor)."),
    "refusal.step_taken": (
        "{what} {id}：第{position}步刚已由他人审批，请查看下方最新的待审批列表。",
        "{what_en} {id}: step {position} was just decided by someone else; the queue below is current.",
    ),
    "refusal.decided": ("{what} {id} 已处理完毕，无需再审批。", "{what_en} {id} is decided already."),
    "outbox.waiting": ("{count} 条消息待批准发送。", "{count} messages wait for approval."),
    "outbox.approve": ("批准发送", "Approve for sending"),
    "outbox.approve.who": ("批准发送由科长/分管领导或管理员操作。", "A supervisor or an admin approves sending."),
    "outbox.approved": (
        "已批准 {count} 条消息，将按计划发送。",
        "{count} messages approved; they go out as scheduled.",
    ),
    "extension.title": ("延期申请", "Extension request"),
    "extension.task": ("任务{seq}", "Task {seq}"),
    "extension.ledger": ("台账", "Ledger"),
    "extension.written": ("完成时限（原文）", "Deadline as written"),
    "extension.due": ("现行期限", "Deadline in force"),
    "extension.was": ("（原期限 {day}）", "(was {day})"),
    "extension.new": ("申请延期", "Ask for more time"),
    "extension.to": ("申请延至", "New deadline"),
    "extension.reason": ("延期理由", "Reason"),
    "extension.hint": (
        "须在期限届满前申请；提交后由督查室按审批流程逐级审批。",
        "Ask before the deadline; the bureau decides it step by step.",
    ),
    "extension.submit": ("提交延期申请", "Send the request"),
    "extension.sent": ("延期申请已提交，请等待审批。", "Request sent; it waits for the bureau's decision."),
    "extension.no_date": ("请填写申请延至的日期。", "Give the new deadline."),
    "extension.bad_date": (
        "申请延至：“{text}”不是有效日期（如 2017-12-31）。",
        "New deadline: {text} is not a date (e.g. 2017-12-31).",
    ),
    "extension.blocked.not_open": ("该任务已办结或已终止，不能申请延期。", "The task is done or ended: no extension."),
    "extension.blocked.no_deadline": ("该任务尚无确定期限，不能申请延期。", "The task has no deadline yet."),
    "extension.blocked.deadline_passed": (
        "期限已过，不能在线申请延期；请与督查室联系。",
        "The deadline has passed: ask the bureau directly.",
    ),
    "extension.blocked.pending": ("已有延期申请正在审批中。", "A request is waiting for its decision."),
    "extension.requests": ("延期申请记录", "Requests"),
    "extension.request": ("延期申请 {id}", "Request {id}"),
    "extension.status.pending": ("审批中", "waiting"),
    "extension.status.approved": ("已批准", "approved"),
    "extension.status.refused": ("未批准", "refused"),
    "extension.dates": ("期限", "Deadline"),
    "extension.by": ("申请人", "Asked by"),
    "extension.decided": ("审批结果", "Decided by"),
    "notices.overdue": ("逾期未签收", "overdue"),
    "notices.ack_due": ("应于 {day} 前签收", "due {day}"),
    "notices.chased": ("已于 {day} 催签", "chased on {day}"),
    "notices.filter": ("筛选", "Filter"),
    "notices.show.all": ("全部", "All"),
    "notices.show.unsigned": ("未签收", "Not acknowledged"),
    "notices.show.overdue": ("逾期未签收", "Overdue"),
    "notices.count": ("共 {count} 件", "{count} in all"),
    "notices.pages": ("分页", "Pages"),
    "pager.prev": ("上一页", "Previous"),
    "pager.next": ("下一页", "Next"),
    "pager.at": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "interviews.title": ("约谈名单", "Interview list"),
    "interviews.as_of": ("截至 {day}，共 {count} 个单位", "As of {day}: {count} units"),
    "interviews.print": ("打印", "Print"),
    "interviews.col.unit": ("单位", "Unit"),
    "interviews.col.person": ("责任人", "Person"),
    "interviews.col.ledger": ("台账", "Ledger"),
    "interviews.col.reasons": ("约谈事由", "Reasons"),
    "calendar.download": ("导出期限日历（.ics）", "Deadlines as a calendar (.ics)"),
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
        if key and (f"refusal.{key}" in MESSAGES or key in refusals.CATALOGUE):
            zh, en = MESSAGES.get(f"refusal.{key}") or refusals.CATALOGUE[key]  # the portal's own wording first
            try:
                return (en if self.lang == "en" else zh).format(**params)
            except (KeyError, IndexError):
                return str(exc)
        return str(exc)
