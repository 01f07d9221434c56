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
    "wins on a quarter's last day": "季度最后一天签约的赢单占比",
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
    "best at equal target pay": "同等目标薪酬下的最优方案",
    "pay at 50%": "50% 达成时薪酬", "pay at 100%": "100% 达成时薪酬", "pay at 150%": "150% 达成时薪酬",
    "pay at 200%": "200% 达成时薪酬", "leverage 150/100": "杠杆（150%/100%）", "P10 pay": "P10 薪酬",
    "median pay": "薪酬中位数", "P90 pay": "P90 薪酬", "P90 / P10": "P90 / P10",
    "correlation with potential (Spearman)": "与区域潜力的相关系数（Spearman）", "Pearson r": "Pearson 相关系数",
    "attainment per unit of potential": "单位潜力的目标达成率", "spread P90 - P10": "离散度 P90 − P10",
    "by segment": "按客户细分",
    "today": "现有方案",
    "recommended": "推荐方案",
    "constraint": "约束",
    "level reached (cautious bound)": "达到的水平（谨慎口径）",
    "met": "是否满足",
    "meets every constraint": "满足全部约束",
    "plan field / result": "方案字段 / 结果",
    "plan field": "方案字段",
    "values tried": "尝试的取值",
    "swing of net contribution": "净贡献波动幅度",
    "rank correlation": "秩相关系数",
    "best value": "最佳取值",
    "low third": "低三分位",
    "mid third": "中三分位",
    "high third": "高三分位",
    "attainment spread": "目标达成率离散度",
    "attainment spread, P90 − P10 (pp)": "目标达成率离散度，P90 − P10（百分点）",
    "misses a constraint": "未满足约束",
    "meets the constraints": "满足约束",
    "Pareto front": "帕累托前沿",
    "Candidate plans: net contribution vs cost and vs attainment spread": "候选方案：净贡献对比成本与目标达成率离散度",
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
    # the scenario explorer / dashboard (salessim.ui.explorer)
    "Headcount (% of today)": "销售人数（现状的 %）",
    "Selling hours per rep / week": "每位销售每周销售时间（小时）",
    "Lead volume (% of today)": "线索量（现状的 %）",
    "Deals lost / idle week": "每闲置一周的商机流失率",
    "Hiring freeze": "冻结招聘",
    "no: refill vacancies": "否：补齐空缺",
    "yes: leave them open": "是：空缺不补",
    "Comp plan": "薪酬方案",
    "No comp plan (normal pace)": "无薪酬方案（正常节奏）",
    "Org structure": "组织结构",
    "Line (one flat team)": "直线制（单一团队）",
    "Regional managers": "区域经理制",
    "Matrix (specialist overlay)": "矩阵制（专家协同）",
    "Channel partners": "渠道合作伙伴",
    "Key accounts + low-touch": "大客户 + 低接触",
    "Back to today": "恢复现状",
    "Save as scenario": "保存为情景",
    "Save and compare": "保存并比较",
    "Show the funnel and its bottleneck": "显示销售漏斗及其瓶颈",
    "your settings": "您的设置",
    "no change": "无变化",
    "today's settings": "现状设置",
    "vs today": "相对现状",
    "at today's target pay": "按现行目标薪酬",
    "Scenario explorer": "情景分析",
}

#: Chart phrases (titles and axis labels of salessim.ui.charts and the notebooks).
CHART_ZH: dict[str, str] = {
    "Annual pay by attainment": "按目标达成率的年度薪酬", "(quota ": "（销售目标 ",
    "quota attainment (bookings / quota)": "目标达成率（签约额 / 销售目标）",
    "attainment (bookings / quota)": "目标达成率（签约额 / 销售目标）",
    "total pay per year": "年度总薪酬", "variable pay per year": "年度提成",
    "Quota attainment per rep, by plan": "每位销售的目标达成率（按方案）",
    "Quota attainment per rep, by quota strategy": "每位销售的目标达成率（按目标设定方法）",
    "Annual pay per rep, by plan": "每位销售的年度薪酬（按方案）", "total pay per rep": "每位销售的总薪酬",
    "Cost of sales: comp cost / revenue": "销售费用率：薪酬成本 / 营收", "Revenue by plan": "各方案营收",
    "Winners and losers moving to": "切换到以下方案的收入变化：", "pay change per rep": "每位销售的薪酬变化",
    "Winners and losers: change in each rep's annual pay": "收入变化：每位销售年度薪酬的变化",
    "reps (territory seats), from biggest loser to biggest winner": "销售（区域席位），从收入减少最多到增加最多",
    "change in annual pay": "年度薪酬变化",
    "Hockey stick: share of bookings by week of the quarter": "季末冲量：各周签约额占季度比例",
    "week of the quarter": "季度中的周次", "share of bookings": "签约额占比", "even (1/13 a week)": "均匀（每周 1/13）",
    "Coasting: rep effort by year-to-date attainment": "松懈：按年初至今目标达成率的销售投入度",
    "Sandbagging: rep effort by year-to-date attainment (two years)": "压单：按年初至今目标达成率的销售投入度（两年）",
    "year-to-date attainment at the start of the month": "月初的年初至今目标达成率", "effort (100% = normal)": "投入度（100% = 正常）",
    "Difference to the baseline, paired by replication": "相对基准的差异（按重复模拟成对）",
    "Each strategy minus today's, paired by replication": "各方法减去现有方法（按重复模拟成对）",
    "Each structure minus today's, paired by replication": "各组织结构减去现有结构（按重复模拟成对）",
    "percentage points": "百分点", "difference": "差异", "difference (": "差异 (",
    "Fairness: attainment against territory potential": "公平性：目标达成率与区域潜力",
    "territory potential (100% = average)": "区域潜力（100% = 平均）",
    "Territory balance: each rep's workload vs a fair share": "区域均衡：每位销售的工作量相对公平份额",
    "reps, from most to least loaded": "销售，按负荷从高到低", "workload / fair share": "工作量 / 公平份额",
    "potential / fair share": "潜力 / 公平份额", "fair": "公平",
    "Quota change from year 1 to year 2, per rep": "每位销售第一年到第二年的销售目标变化", "change in the rep's quota": "销售目标变化",
    "mean, 95% CI; outlined": "均值，95% 置信区间；描边", "95% CI": "95% 置信区间",
    "Sales funnel: deals reaching each stage": "销售漏斗：到达各阶段的单数",
    "deals that ended in the period (won or lost)": "本期结束的商机（赢单或丢单）",
    "conversion from the stage above": "相对上一阶段的转化率", "conversion to the next stage": "转化到下一阶段",
    "if no deal walked away for lack of rep time": "若没有商机因销售时间不足而流失", "simulated": "模拟结果",
    "Bottleneck": "瓶颈", "capacity-bound": "产能受限", "conversion-bound": "转化受限",
    "Bookings by month": "月度签约额", "bookings per month": "每月签约额", "measured month": "测量月份",
    "Attainment distribution": "目标达成率分布", "number of reps": "销售人数",
    "Revenue per replication": "每次模拟的营收", "Monthly bookings": "月度签约额",
    "band: 10-90% of replications": "区间：10%-90% 的重复模拟", "10-90% of replications": "10%-90% 的重复模拟",
    "revenue over the horizon; black bar: bad year (P10), whiskers P5-P95": "模拟期营收；黑线：不利年份（P10），须线 P5-P95",
    "cumulative net return": "累计净回报", "CRM: cumulative net return (margin − cost)": "CRM：累计净回报（毛利 − 成本）",
    "Drawn effect sizes: outcome per replication": "抽取的效果大小：每次模拟的结果",
    "revenue change": "营收变化", "cycle change": "销售周期变化",
    "Cost of sales incl. management: (comp + management) / revenue": "销售费用率（含管理）：（薪酬 + 管理）/ 营收",
    "Revenue per head (reps, managers, specialists)": "人均营收（销售、经理、专员）",
    "Revenue by structure": "各组织结构营收", "Accounts by territory": "按区域划分的客户",
    "before": "调整前", "after": "调整后", "today": "现有方案", "mean": "均值",
    "revenue per head per year": "人均年营收", "cost of sales incl. management": "销售费用率（含管理）",
    "median sales cycle (won)": "销售周期中位数（赢单）", "annual rep attrition": "销售年流失率",
    "reps at or above quota": "达成目标的销售占比", "cost of sales": "销售费用率", "revenue": "营收",
    "one replication": "单次模拟", "mean of": "均值：", " replications": " 次重复模拟", "spread over": "分布：",
    "hockey-stick index (last 2 weeks of quarter)": "季末冲量指数（季度最后两周）",
    "attainment": "目标达成率", "reps": "销售", "plan": "方案", "deals": "单数", "stage": "阶段", "month": "月份",
    "change (%)": "变化（%）",
}
TABLES = {"zh": ZH}
#: Chart phrases, longest first (a long phrase wins over the short ones inside it).
_PHRASES = {"zh": sorted((k for k in CHART_ZH if " " in k or not k[-1].isalnum()), key=len, reverse=True)}
#: Label prefixes translated on their own (``conversion: demo → proposal``).
PREFIXES = {"zh": {"conversion: ": "转化率：", "average LTV: ": "平均客户终身价值：", "Conversion: ": "转化率：",
                   "Today's plan (": "现行方案（"}}


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


def tr_text(text: str, lang: str = "en") -> str:
    """A chart text in ``lang``: the whole text if it has an entry, else each line, else every
    known phrase inside it (longest first), so ``Revenue by plan (95% CI)`` and titles built
    with numbers are translated too."""
    if check_lang(lang) == "en":
        return text
    whole = tr(text, lang)
    if whole != text:
        return whole
    if "\n" in text:
        return "\n".join(tr_text(line, lang) for line in text.split("\n"))
    import re

    out = text
    for phrase in _PHRASES.get(lang, ()):
        if phrase in out:  # whole words only: a plan named "tiered accelerator" keeps its name
            pattern = (r"(?<!\w)" if phrase[0].isalnum() else "") + re.escape(phrase) + (r"(?!\w)" if phrase[-1].isalnum() else "")
            out = re.sub(pattern, lambda _m, p=phrase: CHART_ZH[p], out)
    return out


def tr_all(texts: Iterable[str], lang: str = "en") -> list[str]:
    """:func:`tr` of each text."""
    return [tr(t, lang) for t in texts]


def untranslated(texts: Iterable[str], lang: str = "zh") -> list[str]:
    """The texts that have no ``lang`` entry (for tests of a report's labels)."""
    table = TABLES[check_lang(lang)] if lang != "en" else {}
    return [t for t in texts if lang != "en" and t not in table]
