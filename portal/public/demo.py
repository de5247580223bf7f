"""Demo content for residents: a service guide (办事指南) for every service item, and the policy
notices of the seeds with summaries in plain words.

The guides are written for this portal from the rules in the seed notices (cited in ``basis``)
and from DESIGN.md; time limits are plausible examples for officers to replace with their own.
The notices' bodies are the seed texts in ``portal/public/seed_notices/`` (copied from the shared seeds,
so the demo needs nothing outside the repository), with the scan's markup marks removed.

Loading only creates what is missing: a second run changes nothing, and never overwrites what
an officer has since edited in the admin.
"""

import re
from datetime import date
from pathlib import Path

from portal.network.models import ServiceItem
from portal.public.models import PolicyNotice, ServiceGuide

SEED_DIR = Path(__file__).resolve().parent / "seed_notices"

VILLAGE_AND_UP = "村(社区)医保服务点、乡镇(街道)医保工作站，以及县(区)、市医疗保障服务大厅。"
ONLINE_SHANDONG = "“爱山东”APP、山东省一体化政务服务平台"

GUIDES = {
    "registration": {
        "summary": "没有参加职工医保的城乡居民，每年在集中缴费期内登记参保。",
        "eligibility": (
            "本地户籍、没有参加职工基本医疗保险的城乡居民，包括老人、未成年人、在校学生（含大中专学生和研究生）；\n"
            "持本地居住证的外地户籍居民，与本地居民享受同样的财政补助；\n"
            "新就业形态从业人员等灵活就业人员，参保不受户籍限制。"
        ),
        "documents": (
            "本人居民身份证或户口簿（原件）\n"
            "持居住证参保的，带居住证\n"
            "在校学生带学生证或学校出具的在读证明\n"
            "请别人代办的，另带代办人的身份证"
        ),
        "where": VILLAGE_AND_UP,
        "time_limit": "材料齐全的，当场办结。",
        "online": True,
        "online_channels": ONLINE_SHANDONG,
        "steps": (
            "带齐材料到村(社区)医保服务点或乡镇(街道)医保工作站\n"
            "工作人员核对身份，登记参保信息\n"
            "按当年个人缴费标准缴费，领取缴费凭证"
        ),
        "basis": "鲁医保发〔2022〕24号；医保发〔2022〕20号",
        "notes": (
            "同一个人同一年度只能参加一份基本医疗保险，已参加职工医保的不要重复参保。\n"
            "请在集中缴费期内参保缴费，次年 1 月 1 日起享受待遇；错过集中缴费期的，要另交财政补助并有等待期。\n"
            "职工医保中断后 3 个月内转入居民医保的，不算集中缴费期后参保，请带职工医保停保证明。"
        ),
    },
    "payment": {
        "summary": "已登记参保的居民交纳下一年度的个人缴费。",
        "eligibility": "已登记参加城乡居民医保的居民，本人或家人都可以代交。",
        "documents": "参保人的居民身份证或户口簿（只需提供身份证号码）",
        "where": VILLAGE_AND_UP + "也可以在网上缴费。",
        "time_limit": "即时办结，当场出具缴费凭证。",
        "online": True,
        "online_channels": ONLINE_SHANDONG + "，以及税务部门的手机缴费渠道（微信、支付宝、银行手机应用等）",
        "steps": (
            "在“今年交多少钱”里查看本年度个人缴费标准和集中缴费期\n"
            "到服务点现场缴费，或在网上缴费\n"
            "保存缴费凭证，可凭凭证上的核验码在本网站核验"
        ),
        "basis": "鲁医保发〔2022〕24号；淄医保发〔2020〕57号",
        "notes": (
            "在校学生按自然年度缴费、享受待遇，不再一次性缴纳在校期间的费用。\n"
            "特困人员的个人缴费由医疗救助资金全额资助；低保对象、返贫致贫人口、低保边缘家庭成员、防止返贫监测帮扶对象由医疗救助资金定额资助，只需交剩下的部分。\n"
            "集中缴费期后再缴费的，要另交财政补助，并有等待期，等待期内的医疗费用不报销。\n"
            "在集中缴费期缴了费、但在享受待遇前去世的，个人缴费可以退还，请家属到服务点办理。"
        ),
    },
    "records": {
        "summary": "查询参保缴费记录，修改姓名、联系电话、居住地等参保信息。",
        "eligibility": "参保居民本人；本人行动不便的，可由家属代办。",
        "documents": (
            "本人居民身份证或户口簿\n"
            "修改姓名、身份证号的，带公安机关出具的变更证明\n"
            "家属代办的，另带代办人的身份证"
        ),
        "where": VILLAGE_AND_UP,
        "time_limit": "查询即时办结；信息变更材料齐全的，当场办结。",
        "online": True,
        "online_channels": "查询可用本网站“我参保了吗”；信息变更请到服务点办理",
        "steps": (
            "查询：在本网站输入姓名和身份证号，或到服务点查询\n"
            "变更：带材料到服务点，工作人员核对后修改"
        ),
        "basis": "粤医保发〔2022〕19号转发的医保发〔2022〕20号（信息查询及变更下放乡镇、村办理）",
        "notes": "搬家到同一统筹区内其他村(社区)的，请到新住地的服务点更改居住地，以便就近办理业务。",
    },
    "cross_region_filing": {
        "summary": "长期在外地居住或到外地看病的，先备案，再在外地联网医院直接结算。",
        "eligibility": (
            "异地安置退休、长期在外地居住或工作的参保居民；\n"
            "经本地医院转诊到外地就医的参保居民；\n"
            "临时外出期间需要在外地就医的参保居民。"
        ),
        "documents": (
            "本人居民身份证或社会保障卡\n"
            "转诊转院的，带本地医院出具的转诊转院单\n"
            "异地长期居住、常驻异地工作的，带居住证明或工作证明（也可填写个人承诺书）；异地安置退休的，带退休证明和安置地居住证明"
        ),
        "where": "乡镇(街道)医保工作站办理，村(社区)医保服务点和县(区)、市医疗保障服务大厅也可办理。",
        "time_limit": "材料齐全的，当场办结，当场打印备案凭证。临时外出就医（转诊转院、急诊抢救等）备案有效期不少于 6 个月；长期异地居住备案长期有效，撤销前一直有效。",
        "online": True,
        "online_channels": "国家医保服务平台APP、" + ONLINE_SHANDONG,
        "steps": (
            "到服务点或在网上提交备案申请\n"
            "备案成功后，在就医地的联网定点医院出示医保电子凭证或社会保障卡\n"
            "出院时直接结算，只需交个人负担的部分"
        ),
        "basis": "粤医保发〔2022〕19号转发的医保发〔2022〕20号；鲁医保发〔2022〕24号",
        "notes": (
            "没有备案就到外地看病的，费用可能要先自己垫付，回来后办理零星报销，报销比例也可能降低。\n"
            "在外地急诊抢救来不及备案的，请在 30 天内补办备案，开始日期可从就诊当天算起。\n"
            "在外地的门诊慢特病、普通门诊费用，也可以在开通联网结算的医院直接结算。"
        ),
    },
    "reimbursement_review": {
        "summary": "看病时没能直接结算的，带票据到乡镇(街道)工作站申请报销。",
        "eligibility": "在非联网医院就医，或因故没有在医院直接结算医疗费用的参保居民。",
        "documents": (
            "本人居民身份证或社会保障卡；请别人代办的，另带代办人的身份证\n"
            "医疗费用发票原件（每张发票只能报销一次）\n"
            "费用明细清单（费用清单）\n"
            "住院的，带出院记录（出院小结）；门诊慢特病的，带诊断证明\n"
            "在外地就医的，带异地就医备案凭证；没有备案的（如在外地急诊），带急诊病历，报销比例按未备案降低\n"
            "本人银行卡或存折（报销款打到本人账户）"
        ),
        "where": ("乡镇(街道)医保工作站受理并初审，县(区)医保部门复审；村(社区)医保服务点也可以受理，"
                  "录入后交乡镇(街道)工作站初审。"),
        "time_limit": (
            "受理时当场算出预计报销金额；乡镇(街道)工作站 5 个工作日内初审，县(区)医保部门 10 个工作日内复审，"
            "复审通过后 10 个工作日内把报销款打到本人账户（时限为示例，以当地经办规程为准）。"
        ),
        "online": False,
        "steps": (
            "带齐材料到乡镇(街道)医保工作站\n"
            "工作人员逐张录入发票，当场算出预计报销金额；材料不全的一次性告知要补什么\n"
            "乡镇(街道)工作站初审\n"
            "县(区)医保部门复审，核定报销金额；需要补充材料的退回并说明要补什么\n"
            "报销款打到本人银行账户；办理进度可在“我参保了吗”查询"
        ),
        "basis": "粤医保发〔2022〕19号转发的医保发〔2022〕20号（零星报销初审下放乡镇办理）",
        "notes": (
            "报销按基本医保、大病保险、医疗救助的规定一并计算，可先用本网站“住院能报多少”估算。\n"
            "请保管好发票原件，遗失的需要医院出具证明。"
        ),
    },
    "newborn": {
        "summary": "孩子出生后尽早参保，出生之日起就能享受待遇。",
        "eligibility": "新生儿。出生后在规定的宽限期内参保的，不受集中缴费期限制，没有等待期。",
        "documents": (
            "出生医学证明\n"
            "父母一方的居民身份证\n"
            "已经落户的，带户口簿"
        ),
        "where": VILLAGE_AND_UP + "有的定点医院也可以办理。",
        "time_limit": "材料齐全的，当场办结。",
        "online": True,
        "online_channels": ONLINE_SHANDONG + "（“出生一件事”联办）",
        "steps": (
            "办好出生医学证明（可与户口登记、社保卡申领等一起办）\n"
            "到服务点或在网上为孩子登记参保\n"
            "按学生儿童标准缴费"
        ),
        "basis": "鲁医保发〔2022〕24号（“出生一件事”联办）；医保发〔2022〕20号",
        "notes": (
            "宽限期天数以当年缴费标准为准，可在“今年交多少钱”中查看。\n"
            "超过宽限期才参保的，按普通居民的规定办理。"
        ),
    },
    "assisted_enrollment": {
        "summary": "特困人员、低保对象等困难群众参保，个人缴费由医疗救助资金资助。",
        "eligibility": (
            "经民政部门认定的特困人员、低保对象、低保边缘家庭成员；\n"
            "经乡村振兴部门认定的返贫致贫人口、防止返贫监测帮扶对象。"
        ),
        "documents": (
            "本人居民身份证或户口簿\n"
            "困难身份由民政、乡村振兴部门提供名单，一般不需要本人另开证明"
        ),
        "where": VILLAGE_AND_UP,
        "time_limit": "材料齐全的，当场办结。",
        "online": False,
        "steps": (
            "到村(社区)医保服务点或乡镇(街道)医保工作站登记参保\n"
            "工作人员核对困难身份，确定资助金额\n"
            "特困人员不用交钱；其他困难群众交资助后剩下的部分\n"
            "资助部分由医保部门推送特殊缴费单据，医疗救助资金直接代缴"
        ),
        "basis": "鲁医保发〔2022〕24号：特困人员全额资助，低保对象等定额资助",
        "notes": (
            "困难群众在集中缴费期后参保的，不另交财政补助，参保当天起享受待遇。\n"
            "身份认定有疑问的，请向村(社区)或乡镇(街道)民政、乡村振兴工作人员咨询。"
        ),
    },
    "assistance_application": {
        "summary": "困难群众看病后个人负担仍然较重的，申请医疗救助。",
        "eligibility": (
            "经相关部门认定身份的困难群众，经基本医保、大病保险报销后个人负担仍然较重的；\n"
            "因病致贫、个人负担医疗费用过重的其他家庭，按当地规定申请。"
        ),
        "documents": (
            "救助申请书（可在服务点现场填写）\n"
            "本人居民身份证或户口簿\n"
            "医疗费用发票、费用明细清单和结算单\n"
            "出院记录或诊断证明\n"
            "家庭收入、财产情况说明\n"
            "本人银行卡或存折"
        ),
        "where": "村(社区)医保服务点、乡镇(街道)医保工作站受理申请。",
        "time_limit": "乡镇审核、县级审批后公示 7 天，公示无异议的发放救助金。",
        "online": False,
        "steps": (
            "到村(社区)医保服务点或乡镇(街道)医保工作站提交申请\n"
            "乡镇(街道)审核，必要时入户了解情况\n"
            "县(区)医保部门审批，不批准的书面说明理由\n"
            "公示 7 天\n"
            "公示无异议的，救助金打到本人账户"
        ),
        "basis": "医保发〔2022〕20号（完善依申请救助机制）；鲁医保发〔2022〕24号",
        "notes": (
            "门诊和住院救助共用一个年度救助限额。\n"
            "材料不全的，工作人员会一次性告知要补充什么。"
        ),
    },
    "chronic_recognition": {
        "summary": "患有全省统一目录内门诊慢特病的参保居民，经认定后门诊费用按病种报销。",
        "eligibility": "参加城乡居民医保、患有当年门诊慢特病病种目录内疾病的居民。",
        "documents": (
            "本人居民身份证或户口簿\n"
            "二级及以上定点医院的诊断证明，以及病历、检查检验报告（各病种所需材料见病种目录）\n"
            "请别人代办的，另带代办人的身份证"
        ),
        "where": "乡镇(街道)医保工作站受理；县(区)医保部门认定。",
        "time_limit": "材料齐全的，县(区)医保部门自受理之日起 15 个工作日内作出认定。",
        "online": False,
        "steps": (
            "带齐材料到乡镇(街道)医保工作站申请，选定病种\n"
            "工作站上传材料，报县(区)医保部门\n"
            "县(区)医保部门认定，写明认定起止日期；不予认定的说明理由\n"
            "认定后发生的门诊费用，按病种的起付线和比例报销"
        ),
        "basis": "鲁医保发〔2022〕24号（统一全省门诊慢特病基本病种和认定标准）",
        "notes": (
            "没有认定的，门诊慢特病费用医保不予报销；请先认定，再看病报销。\n"
            "认定有有效期，到期前请到工作站重新申请。\n可在“我参保了吗”查询本人的认定情况。"
        ),
    },
}

# Where each seed applies: the demo is 淄博市 in 山东省; the others are read for reference.
NOTICE_AREAS = {
    "000_5f9b34d64aba0867.txt": ("山东省", False),
    "001_c0415292d8594dd7.txt": ("广东省（附国家医保局通知）", True),
    "002_149e263b7aeffd93.txt": ("淄博市", False),
    "003_e689bf541456729c.txt": ("河南省焦作市", True),
    "004_0321f14e41a193dd.txt": ("山东省", False),
}

# (file, title, kind, number, issuer, date, summary lines, where the resident-relevant text ends)
NOTICES = [
    (
        "000_5f9b34d64aba0867.txt",
        "关于做好全省2022年城乡居民基本医疗保障工作的通知",
        PolicyNotice.Kind.DOCUMENT, "鲁医保发〔2022〕24号",
        "山东省医疗保障局 山东省财政厅 国家税务总局山东省税务局 国家税务总局青岛市税务局",
        date(2022, 8, 31),
        [
            "2022 年居民医保人均财政补助每人每年不低于 610 元，个人缴费平均不低于 350 元，都比上年增加 30 元。",
            "持居住证在本地参保的，和本地居民享受同样的财政补助；灵活就业人员参保不受户籍限制。",
            "特困人员的个人缴费由医疗救助资金全额资助；低保对象、返贫致贫人口、低保边缘家庭成员、防止返贫监测帮扶对象给予定额资助，由医保部门推送特殊缴费单据代缴。",
            "从 2022 年秋季新学期起，在校学生不再一次性缴纳在校期间的费用，改为按自然年度缴费和享受待遇。",
            "2022 年底前全面建立居民普通门诊统筹，做好高血压、糖尿病门诊用药保障。",
            "建设省、市、县、乡、村五级医保服务体系，2022 年底前乡镇(街道)医保工作站全覆盖，打造“15 分钟医保服务圈”；参保登记和缴费可以在网上办。",
        ],
        None,
    ),
    (
        "001_c0415292d8594dd7.txt",
        "广东省医疗保障局 广东省财政厅 国家税务总局广东省税务局转发国家医保局 财政部 国家税务总局关于做好2022年城乡居民基本医疗保障工作的通知",
        PolicyNotice.Kind.DOCUMENT, "粤医保发〔2022〕19号",
        "广东省医疗保障局 广东省财政厅 国家税务总局广东省税务局",
        date(2022, 8, 15),
        [
            "这是广东省转发国家文件（医保发〔2022〕20号）的通知：国家文件的要求全国适用，广东省自己的安排只适用于广东。",
            "国家要求：2022 年人均财政补助不低于 610 元，个人缴费 350 元；住院政策范围内费用基金支付比例稳定在 70% 左右。",
            "全额资助特困人员参保，定额资助低保对象、返贫致贫人口；门诊和住院救助共用年度救助限额。",
            "清理重复参保：同一个人同一年度只能参加一份基本医保。",
            "参保登记缴费、信息查询及变更、异地就医备案、零星(手工)报销初审等业务下放到乡镇(街道)办理，鼓励下放到村(社区)。",
        ],
        None,
    ),
    (
        "002_149e263b7aeffd93.txt",
        "关于转发鲁医保发〔2020〕60号文件做好2020年城乡居民基本医疗保障工作的通知",
        PolicyNotice.Kind.DOCUMENT, "淄医保发〔2020〕57号",
        "淄博市医疗保障局 淄博市财政局 国家税务总局淄博市税务局",
        date(2020, 9, 27),
        [
            "淄博市 2021 年度城乡居民医保个人缴费：成年居民每人每年 370 元（原 340 元），学生和儿童 270 元（原 240 元）。",
            "转发的省文件：2020 年人均财政补助不低于 550 元，大病保险筹资每人 81 元。",
            "大病保险起付线降到居民年人均可支配收入的一半以下，政策范围内支付比例不低于 60%。",
            "在集中参保期参保缴费、但在享受待遇前去世的，退还个人缴费。",
            "大中专学生（含全日制研究生）的缴费期由学年改为自然年度。",
            "可以用微信、支付宝、银行手机应用、扫二维码等方式网上缴费。",
        ],
        None,
    ),
    (
        "003_e689bf541456729c.txt",
        "焦作市医疗保障局 焦作市财政局 国家税务总局焦作市税务局关于转发省医保局等三部门做好2022年城乡居民基本医疗保障工作的通知",
        PolicyNotice.Kind.DOCUMENT, "焦医保〔2022〕77号",
        "焦作市医疗保障局 焦作市财政局 国家税务总局焦作市税务局",
        date(2022, 9, 20),
        [
            "这是河南省焦作市转发河南省通知（豫医保〔2022〕5号）的文件，具体安排适用于河南省。",
            "2022 年人均财政补助不低于 610 元，个人缴费 350 元。",
            "脱贫不稳定户、边缘易致贫户、突发严重困难户的家庭成员参加 2023 年居民医保，参照低保对象的标准定额资助。",
            "推进医保服务下沉：年底前乡镇(街道)、村(社区)医保经办覆盖率分别达到 30%、20% 以上。",
            "49 项医保服务事项可以在河南省医保公共服务平台网上办理。",
        ],
        None,
    ),
    (
        "004_0321f14e41a193dd.txt",
        "医保守民心 群众有“医靠”——全省16市全部建立职工、居民门诊统筹制度",
        PolicyNotice.Kind.NEWS, "", "新闻报道（山东省 2022 年医疗保障工作综述）",
        None,  # the article carries no date
        [
            "2022 年山东省居民医保人均财政补助和个人缴费分别提高到 610 元、350 元。",
            "普通门诊统筹报销比例不低于 50%，居民年度最高支付不低于 200 元；高血压、糖尿病门诊用药报销比例提高到 60%。",
            "48 个门诊慢特病纳入保障；居民生育二孩住院分娩医保支付不低于 1500 元，三孩不低于 3000 元。",
            "特困人员、低保对象、返贫致贫人口：大病保险起付线降低 50%、分段报销比例提高 5 个百分点、不设封顶线；医疗救助不设起付线，救助比例不低于 70%，年度限额不低于 3 万元。",
            "低保边缘家庭成员和防止返贫监测帮扶对象：个人负担超过 3000 元的部分救助比例不低于 50%；三重保障后负担仍较重的，按不低于 70% 再救助，每年最高 2 万元。",
            "全省建成基层医保服务站 2.9 万家，乡镇(街道)全覆盖。",
        ],
        # The scanned page continues with an unrelated article about the disabled persons' federation.
        "聚焦残健融合",
    ),
]


def notice_body(file_name: str, end_marker: str | None = None) -> str:
    """The seed text without the scan's markdown marks (#, **), cut before ``end_marker``."""
    text = (SEED_DIR / file_name).read_text(encoding="utf-8")
    if end_marker and end_marker in text:
        text = text[: text.index(end_marker)]
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^\s*#+\s*", "", line).replace("**", "").rstrip()
        lines.append(line.strip() if not line.strip() else line)
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = re.sub(r"\n-{3,}\n", "\n\n", text)
    return text.strip()


def load() -> dict[str, int]:
    items = {item.code: item for item in ServiceItem.objects.all()}
    for code, fields in GUIDES.items():
        if code in items:
            ServiceGuide.objects.get_or_create(item=items[code], defaults=fields)
    for file_name, title, kind, number, issuer, issued_on, summary, end_marker in NOTICES:
        area, reference_only = NOTICE_AREAS[file_name]
        PolicyNotice.objects.get_or_create(
            title=title,
            defaults={
                "kind": kind, "number": number, "issuer": issuer, "issued_on": issued_on,
                "summary": "\n".join(summary), "body": notice_body(file_name, end_marker),
            },
        )
        # Whose each notice is; also for a database loaded before notices said so.
        PolicyNotice.objects.filter(title=title, area="").update(area=area, reference_only=reference_only)
    return {"service_guides": ServiceGuide.objects.count(), "policy_notices": PolicyNotice.objects.count()}
