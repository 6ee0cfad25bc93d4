"""Every string the UI shows, in Chinese (the default) and English: one catalogue, no mixed screens.

``t("key", **values)`` formats the current language's text; ``set_language`` picks it at start.
A key missing from the catalogue is a programming error and fails loudly in tests.
"""

from __future__ import annotations

LANGUAGES = ("zh", "en")
_language = "zh"

MESSAGES: dict[str, tuple[str, str]] = {
    # the app and its sections
    "app.title": ("督查台账", "Supervision ledgers"),
    "app.subtitle": ("今天：{day}", "today: {day}"),
    "mode.dashboard": ("总览", "Dashboard"),
    "mode.ledger": ("台账矩阵", "Ledger matrix"),
    "mode.notices": ("通知", "Notices"),
    "mode.help": ("帮助", "Help"),
    "key.quit": ("退出", "Quit"),
    "key.open": ("打开", "Open"),
    "key.back": ("返回", "Back"),
    "key.refresh": ("刷新", "Refresh"),
    "key.late_only": ("只看逾期", "Late only"),
    "key.phase": ("按阶段", "Phase"),
    "key.unit": ("按单位", "Unit"),
    "key.clear": ("清除筛选", "Clear filters"),
    "key.next_ledger": ("下一台账", "Next ledger"),
    "key.save": ("保存", "Save"),
    "key.ack": ("签收", "Acknowledge"),
    "key.render": ("导出Word", "Export .docx"),
    "key.approve": ("批准", "Approve"),
    "key.refuse": ("不批准", "Refuse"),
    "mode.extensions": ("延期申请", "Extensions"),
    "dialog.enter": ("回车确定，Esc 取消", "Enter to confirm, Esc to cancel"),
    "dialog.required": ("请填写理由", "A reason is required"),
    "ext.col.id": ("编号", "No."),
    "ext.col.ledger": ("台账", "Ledger"),
    "ext.col.task": ("任务", "Task"),
    "ext.col.unit": ("单位", "Unit"),
    "ext.col.from": ("原时限", "From"),
    "ext.col.to": ("申请延至", "To"),
    "ext.col.status": ("状态", "Status"),
    "ext.col.reason": ("理由", "Reason"),
    "ext.col.requested_by": ("申请人", "Requested by"),
    "ext.status.pending": ("待审批", "pending"),
    "ext.status.approved": ("已批准", "approved"),
    "ext.status.refused": ("未批准", "refused"),
    "ext.approve_prompt": ("批准延期申请 {id}（理由可不填）", "Approve extension request {id} (reason optional)"),
    "ext.refuse_prompt": ("不批准延期申请 {id}：请填写理由", "Refuse extension request {id}: give the reason"),
    "ext.approved": ("已批准延期申请 {id}", "Extension request {id} approved"),
    "ext.refused": ("已驳回延期申请 {id}", "Extension request {id} refused"),
    "key.approve_all": ("批准全部", "Approve all"),
    "key.send": ("发送", "Send"),
    "mode.outbox": ("待发邮件", "Outbox"),
    "outbox.col.id": ("编号", "No."),
    "outbox.col.to": ("收件人", "To"),
    "outbox.col.subject": ("主题", "Subject"),
    "outbox.col.status": ("状态", "Status"),
    "outbox.col.attempts": ("尝试", "Tries"),
    "outbox.col.error": ("服务器答复", "Server's reason"),
    "outbox.status.queued": ("待发", "queued"),
    "outbox.status.sending": ("发送中", "sending"),
    "outbox.status.sent": ("已发送", "sent"),
    "outbox.status.failed": ("失败", "failed"),
    "outbox.unapproved": ("（待批准）", " (awaiting approval)"),
    "outbox.empty": ("没有邮件", "No messages"),
    "outbox.approved": ("已批准 {count} 封", "{count} approved"),
    "outbox.no_smtp": ("配置文件中没有 [smtp]，无法发送", "No [smtp] in the config: nothing can be sent"),
    "outbox.sent": (
        "已发送 {sent} 封，失败 {failed} 封，待发 {queued} 封",
        "{sent} sent, {failed} failed, {queued} waiting",
    ),
    "outbox.awaiting": ("；{count} 封待批准", "; {count} awaiting approval"),
    "key.held": ("约谈已进行", "Mark held"),
    "mode.interviews": ("约谈名单", "Interviews"),
    "interviews.open": ("待约谈", "To be interviewed"),
    "interviews.held": ("已约谈", "Held"),
    "interviews.col.ledger": ("台账", "Ledger"),
    "interviews.col.unit": ("单位", "Unit"),
    "interviews.col.person": ("责任人", "Person"),
    "interviews.col.reasons": ("约谈事由", "Reasons"),
    "interviews.col.held_on": ("约谈日期", "Held on"),
    "interviews.col.note": ("约谈情况", "Note"),
    "interviews.prompt": ("{unit}：约谈于 {day} 进行", "{unit}: interview held on {day}"),
    "interviews.note": ("约谈情况（可不填）", "What was agreed (optional)"),
    "interviews.recorded": ("{unit} 约谈已记录（{day}）", "{unit}: interview recorded ({day})"),
    "key.person": ("变更责任人", "Change person"),
    "mode.units": ("单位与责任人", "Units"),
    "units.col.unit": ("责任单位", "Unit"),
    "units.col.kind": ("类别", "Kind"),
    "units.col.person": ("责任人", "Person"),
    "units.col.email": ("邮箱", "Email"),
    "units.col.phone": ("电话", "Phone"),
    "units.dialog": (
        "{unit} 的责任人（换人即为人员变更，原责任人留在历史记录中）",
        "{unit}'s responsible person (a new name is a personnel change; the old one stays in the history)",
    ),
    "units.name_required": ("请填写责任人姓名", "The person needs a name"),
    "units.saved": ("{unit}：责任人 {person}", "{unit}: {person} is responsible"),
    "mode.import": ("导入", "Import"),
    "import.title": (
        "导入台账（TOML 或 Excel）：先检查，再确认",
        "Import ledgers (TOML or Excel): check, then confirm",
    ),
    "import.path": ("文件路径，或在下方选择", "A file's path, or pick one below"),
    "import.check": ("检查", "Check"),
    "import.confirm": ("确认导入", "Import"),
    "import.check_first": ("请先检查", "Check the file first"),
    "import.line": (
        "{title}：任务{tasks}项，单位{units}个，分配{assignments}条",
        "{title}: {tasks} tasks, {units} units, {assignments} assignments",
    ),
    "import.would": ("检查通过，将导入：\n{lines}", "Checked; would import:\n{lines}"),
    "import.done": ("已导入：\n{lines}", "Imported:\n{lines}"),
    "import.failed": ("不能导入：{error}", "Cannot import: {error}"),
    "mode.reports": ("报表", "Reports"),
    "reports.weekly": ("督查进度周报（进度表、单位汇总、本周变化）", "Weekly progress table"),
    "reports.all": ("全部台账", "Every ledger"),
    "reports.export": ("导出", "Export"),
    "reports.calendar": ("完成时限日历（.ics）", "Deadline calendar (.ics)"),
    "reports.written": ("已写入 {path}（{rows} 行）", "Written to {path} ({rows} rows)"),
    "reports.calendar_written": ("已写入 {path}（{count} 项时限）", "Written to {path} ({count} deadlines)"),
    "reports.failed": ("未能导出：{error}", "Not written: {error}"),
    "key.search": ("搜索", "Search"),
    "palette.go": ("切换到该页面", "Go to this section"),
    "search.ledger": ("台账", "Ledger"),
    "search.task": ("任务", "Task"),
    "search.unit": ("单位", "Unit"),
    "search.person": ("责任人", "Person"),
    "search.help": ("在台账矩阵中打开", "Open in the ledger matrix"),
    "loading": ("正在读取…", "Loading…"),
    "none": ("（无）", "(none)"),
    # dashboard
    "dash.ledgers": ("各台账进展", "Ledgers"),
    "dash.col.ledger": ("台账", "Ledger"),
    "dash.col.assignments": ("任务单位", "Assignments"),
    "dash.col.completion": ("完成率", "Done"),
    "dash.col.overdue": ("逾期", "Overdue"),
    "dash.col.due_soon": ("7日内到期", "Due in 7 days"),
    "dash.col.escalations": ("督办/通报/约谈/问责", "Warn/Crit/Interv/Acct"),
    "dash.outbox": ("待发邮件 {waiting} 封，发送失败 {failed} 封", "Outbox: {waiting} waiting, {failed} failed"),
    "dash.unacknowledged": ("未签收通知 {count} 件", "{count} notices not acknowledged"),
    "dash.scheduler": ("定时任务：上次 {last}；下次 {next}", "Scheduler: last {last}; next {next}"),
    "dash.never": ("从未运行", "never run"),
    "job.daily": ("每日检查", "daily check"),
    "job.weekly": ("周报", "weekly report"),
    # ledger matrix
    "matrix.title": ("{title}　截至 {day}", "{title} — as of {day}"),
    "matrix.filters": ("筛选：{filters}", "Filters: {filters}"),
    "matrix.filter.late": ("只看逾期", "late only"),
    "matrix.filter.phase": ("阶段 {phase}", "phase {phase}"),
    "matrix.filter.unit": ("单位 {unit}", "unit {unit}"),
    "matrix.no_filter": ("无", "none"),
    "matrix.cell": (
        "{unit}｜任务{seq} {task}｜{status}{late}",
        "{unit} | task {seq} {task} | {status}{late}",
    ),
    "matrix.late": ("，逾期{days}天", ", {days} days late"),
    "matrix.not_owed": ("该单位不承担此任务", "This unit does not owe this task"),
    "matrix.empty": ("没有台账。先用 tracker import 导入。", "No ledgers yet. Import one with tracker import."),
    "matrix.header.task": ("序号 任务", "No. Task"),
    # statuses and levels
    "status.todo": ("未开始", "To do"),
    "status.doing": ("进行中", "Doing"),
    "status.done": ("已完成", "Done"),
    "status.terminated": ("已终止", "Ended"),
    "level.reminder": ("提醒", "reminder"),
    "level.warning": ("督办通知", "warning"),
    "level.criticism": ("通报批评", "criticism"),
    "level.interview": ("约谈", "interview"),
    "level.accountability": ("问责", "accountability"),
    "cell.todo": ("未", "todo"),
    "cell.doing": ("进", "doing"),
    "cell.done": ("完", "done"),
    "cell.terminated": ("止", "ended"),
    "cell.late": ("{days}天", "{days}d"),
    # assignment screen
    "asg.title": ("任务{seq}｜{unit}", "Task {seq} | {unit}"),
    "asg.deadline": ("完成时限：{written}（解析为 {date}）", "Deadline: {written} (understood as {date})"),
    "asg.no_date": ("尚无具体日期", "no date yet"),
    "asg.person": ("责任人：{person}", "Responsible: {person}"),
    "asg.state": (
        "状态：{status}　进度：{percent}%　完成日期：{done}",
        "Status: {status}  {percent}%  done on: {done}",
    ),
    "asg.history": ("历史记录", "History"),
    "asg.notice": ("{label} {number}（{day}，{state}）", "{label} {number} ({day}, {state})"),
    "asg.acknowledged": ("已签收", "acknowledged"),
    "asg.unacknowledged": ("未签收", "not acknowledged"),
    "asg.col.at": ("时间", "When"),
    "asg.col.by": ("操作人", "By"),
    "asg.col.action": ("事项", "What"),
    "asg.col.subject": ("对象", "Subject"),
    "asg.col.after": ("内容", "Details"),
    "asg.record": ("填报进展", "Record progress"),
    "asg.status": ("状态", "Status"),
    "asg.date": ("完成日期（已完成时填写）", "Completion date (when done)"),
    "asg.percent": ("完成百分比", "Percent complete"),
    "asg.note": ("进展说明", "Progress note"),
    "asg.evidence": ("佐证材料（文件路径）", "Evidence (file path)"),
    "asg.extend": ("申请延期", "Request an extension"),
    "asg.extend_to": ("延期至", "New deadline"),
    "asg.reason": ("理由", "Reason"),
    "asg.saved": ("已保存（版本 {version}）", "Saved (version {version})"),
    "asg.requested": ("已提交延期申请 {id}", "Extension request {id} filed"),
    "date.parsed": ("解析为 {date}", "understood as {date}"),
    "date.empty": ("", ""),
    "percent.bad": ("0 到 100 的整数", "a whole number from 0 to 100"),
    # notices
    "notices.col.number": ("文号", "Number"),
    "notices.col.kind": ("类别", "Kind"),
    "notices.col.ledger": ("台账", "Ledger"),
    "notices.col.units": ("单位", "Units"),
    "notices.col.date": ("日期", "Date"),
    "notices.col.ack": ("签收", "Acknowledged"),
    "notices.acked": ("{number} 已签收", "{number} acknowledged"),
    "notices.already": ("{number} 此前已签收", "{number} was acknowledged already"),
    "notices.rendered": ("已导出 {path}", "Written to {path}"),
    "notices.empty": ("尚无通知", "No notices yet"),
    # help
    "help.text": (
        "方向键移动，回车打开，Esc 返回，Ctrl+P 命令面板，q 退出。\n"
        "d 总览　l 台账矩阵　n 通知　e 延期申请　o 待发邮件　i 约谈名单　g 单位与责任人\n"
        "m 导入　w 报表　/ 搜索　? 帮助\n"
        "台账矩阵中：f 只看逾期　p 按阶段　u 按单位　c 清除筛选　] 下一台账",
        "Arrows move, Enter opens, Esc goes back, Ctrl+P opens the command palette, q quits.\n"
        "d dashboard  l ledger matrix  n notices  e extensions  o outbox  i interviews  g units\n"
        "m import  w reports  / search  ? help\n"
        "In the matrix: f late only  p phase  u unit  c clear filters  ] next ledger",
    ),
}


def set_language(language: str) -> None:
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: one of {', '.join(LANGUAGES)}")
    _language = language


def language() -> str:
    return _language


def t(key: str, **values: object) -> str:
    zh, en = MESSAGES[key]
    text = zh if _language == "zh" else en
    return text.format(**values) if values else text
