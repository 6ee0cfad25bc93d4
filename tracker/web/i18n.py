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
        if key and key in refusals.CATALOGUE:
            zh, en = refusals.CATALOGUE[key]
            try:
                return (en if self.lang == "en" else zh).format(**params)
            except (KeyError, IndexError):
                return str(exc)
        return str(exc)
