"""Report languages: the one table of English labels and their Chinese text.

``tr(text, lang)`` gives the label in ``lang`` (``"en"``, the default, returns ``text``); a
label without a translation is returned unchanged, so a missing entry shows as English rather
than failing (:func:`untranslated` lists them for tests). Terms follow the seed material:
提成 (commission), 阶梯提成 (tiered commission), 突破奖 (accelerator/kicker), 目标达成率
(attainment), 销售漏斗 (funnel), 客单价 (average deal size), 销售周期 (sales cycle),
客户留存率 (customer retention).
"""

from __future__ import annotations

from collections.abc import Iterable

from salessim.errors import SalessimError

LANGS = ("en", "zh")

ZH: dict[str, str] = {
    # KPIs (salessim.results.kpi_table names)
    "revenue": "营收",
    "deals won": "成交单数",
    "leads": "线索数",
    "win rate (qualified)": "赢单率（合格商机）",
    "lead-to-win rate": "线索转化率",
    "median sales cycle (won)": "销售周期中位数（赢单）",
    "average deal size": "客单价",
    "bookings per rep per year": "人均年签约额",
    "pipeline coverage": "商机覆盖倍数",
    "capacity utilisation": "产能利用率",
    "reps at or above quota": "达成目标的销售占比",
    "attainment P10": "目标达成率 P10",
    "attainment median": "目标达成率中位数",
    "attainment P90": "目标达成率 P90",
    "hockey-stick index (last 2 weeks of quarter)": "季末冲量指数（季度最后两周）",
    "revenue lost to discounts": "折扣损失营收",
    "deals pulled in": "提前成交单数",
    "deals pushed out": "延后成交单数",
    "average effort": "平均投入度",
    "Q4 share of annual bookings": "第四季度签约占比",
    "annual rep attrition": "销售年流失率",
    "vacancy months": "岗位空缺月数",
    "management cost": "管理成本",
    "revenue per head per year": "人均年营收",
    "partner share of revenue": "渠道营收占比",
    "partner margin paid": "渠道返利",
    "comp cost": "薪酬成本",
    "cost of sales": "销售费用率",
    "cost of sales incl. management": "销售费用率（含管理）",
    "pay-for-performance correlation": "薪酬与业绩相关系数",
    "event and intervention cost": "事件与干预成本",
    "cost of sales incl. interventions": "销售费用率（含干预）",
    "customer retention": "客户留存率",
    "new customers": "新客户数",
    "customers at horizon": "期末客户数",
    "customers churned": "流失客户数",
    "logo churn rate (annualised)": "客户流失率（年化）",
    "gross revenue retention (annualised)": "总收入留存率（年化）",
    "net revenue retention (annualised)": "净收入留存率（年化）",
    "average customer lifetime": "平均客户生命周期",
    "expansion bookings": "增购签约额",
    "customer revenue recognised": "已确认客户收入",
    "average LTV": "平均客户终身价值",
    "months to recover (median)": "恢复所需月数（中位数）",
    "annual attrition": "销售年流失率",
    "net contribution": "净贡献",
    "total pay": "总薪酬",
    "variable pay": "提成",
    "commission": "提成",
    "tiered commission": "阶梯提成",
    "accelerator": "突破奖",
    "attainment": "目标达成率",
    "funnel": "销售漏斗",
    "sales cycle": "销售周期",
    "bookings": "签约额",
    "quota": "销售目标",
    "rep": "销售",
    "reps": "销售人数",
    "segment": "客户细分",
    "territory": "区域",
    "plan": "方案",
    "design": "方案",
    "scenario": "情景",
    "baseline": "基准",
    "variant": "变体",
    "change": "变化",
    "mean": "均值",
    "value": "数值",
    "KPI": "指标",
    "n/a": "无",
    # report structure
    "Executive summary": "执行摘要",
    "Decision": "决策问题",
    "Answer": "结论",
    "Recommendation": "建议",
    "What would change it": "什么会改变结论",
    "Key numbers": "关键数据",
    "Caveats": "注意事项",
    "Appendix": "附录",
    "Method": "方法",
    "Parameters": "参数",
    "How to run": "如何运行",
    "Files": "文件",
    "replications": "次重复模拟",
    "mean of replications": "多次重复模拟均值",
    "one replication": "单次模拟",
    # economics tables
    "target pay": "目标薪酬",
    "incremental revenue per extra $ of comp": "每增加 1 美元薪酬带来的增量营收",
    "best by net contribution": "净贡献最优",
    "winners": "收入增加",
    "winner": "收入增加",
    "loser": "收入减少",
    "about the same": "基本不变",
    "losers": "收入减少",
    "net contribution vs baseline": "相对基准的净贡献",
    "P(better than baseline)": "优于基准的概率",
    "reps gaining more than 5%": "收入增加超过 5% 的销售占比",
    "reps losing more than 5%": "收入减少超过 5% 的销售占比",
    "median change per rep": "每位销售的薪酬变化中位数",
    "largest gain": "最大增幅",
    "largest loss": "最大降幅",
    "before": "调整前",
    "after": "调整后",
    "x (km)": "横坐标（公里）",
    "y (km)": "纵坐标（公里）",
    "accounts by territory": "按区域划分的客户",
    "bookings by month": "月度签约额",
    "attainment of reps": "销售目标达成率分布",
    "share of reps": "销售占比",
    "deals": "单数",
    "stage": "阶段",
    "month": "月份",
    # from your export to a decision (report 08, salessim decide)
    "what": "检验项",
    "your data": "您的数据",
    "calibrated model": "校准模型",
    "gap": "差距",
    "allowed gap": "允许差距",
    "result": "结果",
    "matches": "匹配",
    "DOES NOT MATCH": "不匹配",
    "for information": "仅供参考",
    "Win rate (deals won of deals decided)": "赢单率（已结商机中的赢单占比）",
    "Bookings per month": "月度签约额",
    "New opportunities per month": "月度新增商机",
    "End-of-quarter bunching (1 = even)": "季末集中度（1 = 均匀）",
    "Days to win, P25 of won deals": "赢单所需天数（赢单的 P25）",
    "Days to win, P50 of won deals": "赢单所需天数（赢单的 P50）",
    "Days to win, P75 of won deals": "赢单所需天数（赢单的 P75）",
    "Days to win, P90 of won deals": "赢单所需天数（赢单的 P90）",
    "Won deal size, P25": "赢单金额 P25",
    "Won deal size, P50": "赢单金额 P50",
    "Won deal size, P75": "赢单金额 P75",
    "check": "检验项",
    "observed": "实际",
    "simulated": "模拟",
    "simulated range over seeds": "各随机种子的模拟范围",
    "error": "误差",
    "tolerance": "容差",
    "p-value": "p 值",
    "pass": "通过",
    "FAIL": "未通过",
    "win rate": "赢单率",
    "bookings per month": "月度签约额",
    "median deal size": "赢单金额中位数",
    "cycle-time KS": "销售周期分布差异（KS）",
    "per-rep bookings KS": "人均签约额分布差异（KS）",
    "days to win": "赢单所需天数",
    "share of won deals": "赢单占比",
    "your export (won deals)": "您的导出数据（赢单）",
    "calibrated model (simulated)": "校准模型（模拟）",
    "today's plan": "现行方案",
    "proposal": "备选方案",
}

TABLES = {"zh": ZH}
#: Label prefixes translated on their own (``conversion: demo → proposal``).
PREFIXES = {"zh": {"conversion: ": "转化率：", "average LTV: ": "平均客户终身价值："}}


def check_lang(lang: str) -> str:
    """``lang`` if supported, else a :class:`SalessimError` naming the choices."""
    if lang not in LANGS:
        raise SalessimError(f"lang: expected one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def tr(text: str, lang: str = "en") -> str:
    """``text`` in ``lang`` (unchanged for English or a label without a translation)."""
    if check_lang(lang) == "en":
        return text
    if text in TABLES[lang]:
        return TABLES[lang][text]
    for prefix, zh in PREFIXES[lang].items():
        if text.startswith(prefix):
            return zh + text[len(prefix):]
    return text


def tr_all(texts: Iterable[str], lang: str = "en") -> list[str]:
    """:func:`tr` of each text."""
    return [tr(t, lang) for t in texts]


def untranslated(texts: Iterable[str], lang: str = "zh") -> list[str]:
    """The texts that have no ``lang`` entry (for tests of a report's labels)."""
    table = TABLES[check_lang(lang)] if lang != "en" else {}
    return [t for t in texts if lang != "en" and t not in table]
