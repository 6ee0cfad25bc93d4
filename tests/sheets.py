"""Spreadsheets shaped like the ones offices keep, written with openpyxl as Excel or WPS would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

PUYANG_TASKS = [
    ("项目\n前期\n阶段", "完成建设单位申请、政府研究同意、成立建设工作机构（项目部）工作。", "2017年3月底完成"),
    ("项目\n前期\n阶段", "确定咨询设计单位、编写建议书（或可研）和制定建设方案、建设方案通过评审。", "2017年4月底完成"),
    ("项目\n前期\n阶段", "完成财政评审批复、项目立项、项目招投标等工作。", "2017年6月底完成"),
    ("项目\n实施\n阶段", "组建信息采集和坐席员队伍，完成数据建设和确权入库工作。", "2017年7月底完成"),
    ("项目\n实施\n阶段", "成立监督指挥中心、制定城市管理指挥手册、建设考核评价机制等。", "2017年8月底完成"),
    ("项目\n实施\n阶段", "完成应用系统建设、运行环境建设、系统集成、对接市级平台等工作。", "2017年11月底完成"),
    ("系统\n运行\n阶段", "系统试运行。", "2017年12月底完成"),
    ("系统\n运行\n阶段", "系统预验收。", "2018年7月底完成"),
    ("系统\n运行\n阶段", "系统正式验收。", "2018年10月底完成"),
]
UNITS = "濮阳县政府\n清丰县政府\n南乐县政府\n范  县政府\n台前县政府"
PERSONS = "孙庆伟\n刘  兵\n刘  冰\n赵丽玲\n王俊海"


def write_puyang(
    path: Path, *, contacts: bool = True, deadlines: list[object] | None = None, persons: str = PERSONS
) -> Path:
    """The attachment of seed 004 as a sheet: title, preamble, header with 序号 over two columns,
    merged phase, unit and person cells; optionally a 通讯录 sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws["A1"] = "附  件"
    ws["A2"] = "濮阳市所辖县数字化城市管理系统建设工作台账"
    ws.merge_cells("A2:F2")
    ws["A3"] = "濮政办〔2017〕13号"
    ws["A4"], ws["C4"], ws["D4"], ws["E4"], ws["F4"] = "序号", "建   设   任   务", "完 成 时 限", "责任单位", "责任人"
    ws.merge_cells("A4:B4")
    first = 5
    for i, (phase, task, deadline) in enumerate(PUYANG_TASKS):
        row = first + i
        if i % 3 == 0:
            ws.cell(row, 1, i // 3 + 1)
            ws.cell(row, 2, phase)
            ws.merge_cells(start_row=row, start_column=1, end_row=row + 2, end_column=1)
            ws.merge_cells(start_row=row, start_column=2, end_row=row + 2, end_column=2)
        ws.cell(row, 3, task)
        ws.cell(row, 4, deadlines[i] if deadlines else deadline)
    ws.cell(first, 5, UNITS)
    ws.cell(first, 6, persons)
    last = first + len(PUYANG_TASKS) - 1
    ws.merge_cells(start_row=first, start_column=5, end_row=last, end_column=5)
    ws.merge_cells(start_row=first, start_column=6, end_row=last, end_column=6)
    ws.cell(last + 1, 1, "注：各县严格按照国家、行业标准建设。")
    if contacts:
        book = wb.create_sheet("通讯录")
        book.append(["责任单位", "责任人", "电话", "邮箱"])
        book.append(["南乐县政府", "刘冰", "0393-1234567", "nanle@example.gov.cn"])
        book.append(["范县政府", "赵丽玲", "", "fanxian@example.gov.cn"])
    wb.save(path)
    return path


def date_deadlines() -> list[object]:
    """The same deadlines as real date cells."""
    ends = [
        (2017, 3, 31),
        (2017, 4, 30),
        (2017, 6, 30),
        (2017, 7, 31),
        (2017, 8, 31),
        (2017, 11, 30),
        (2017, 12, 31),
        (2018, 7, 31),
        (2018, 10, 31),
    ]
    return [dt.datetime(*e) for e in ends]


RENOVATION_TASKS = [
    ("完成改造小区摸底调查，确定年度改造清单。", "3月底前", "县住建局", "各乡镇政府", "张明"),
    ("完成改造项目立项和施工图设计。", "5月底前", "县发改委", "县住建局", "李华"),
    ("启动施工，完成年度改造任务的50%。", "9月底前", "县住建局", "", "张明"),
    ("全面完成年度改造任务并组织验收。", "12月底前", "县住建局", "县财政局", "张明"),
]


def write_with_preamble(
    path: Path,
    *,
    preamble: str | None = "牵头单位：县住建局\u3000\u3000填报日期：2019年3月1日",
    split_preamble: bool = False,
    tasks: list[tuple[str, object, str, str, str]] | None = None,
) -> Path:
    """A county's own ledger: the title row merged across the table, then a preamble row of
    ``key：value`` fields (longer than the title), then the header; deadlines without a year.
    ``split_preamble`` writes the fields in cells of their own, the date as a real date cell."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "县城区老旧小区改造工作台账"
    ws.merge_cells("A1:F1")
    if split_preamble:
        ws["A2"] = "牵头单位：县住建局"
        ws.merge_cells("A2:C2")
        ws["D2"] = "填报日期："
        ws["E2"] = dt.datetime(2019, 3, 1)
    elif preamble is not None:
        ws["A2"] = preamble
        ws.merge_cells("A2:F2")
    ws.append(["序号", "工作任务", "完成时限", "责任单位", "配合单位", "责任人"])
    for i, (task, deadline, unit, assist, person) in enumerate(tasks or RENOVATION_TASKS, start=1):
        ws.append([i, task, deadline, unit, assist, person])
    wb.save(path)
    return path
