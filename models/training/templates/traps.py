"""Irrelevant template families: every one is relevant=false, level none, no categories, no spots.

Several borrow the incident and praise sentences of events.py and put them somewhere else (大理, 黄山太平湖,
建水…), so the model cannot learn "落水 means an alert" without looking at where it happened.
"""

from __future__ import annotations

from models.training.templates import events as ev
from models.training.templates.furniture import lines
from models.training.templates.spec import REVIEW, SOCIAL, Family

MAITREYA = lines("""
    初一去寺里拜了弥勒佛，求个好运
    家里供的弥勒佛摆件该擦擦灰了
    淘宝买的玉雕弥勒佛到了，做工还可以
    我爸最近胖得跟弥勒佛一样，天天乐呵呵的
    大肚能容，容天下难容之事；笑口常开，笑世间可笑之人。弥勒佛的境界
    网上买的弥勒佛吊坠是假玉，商家还不给退款
    乐山大佛是弥勒佛坐像，好多人不知道
    灵隐寺飞来峰的弥勒佛造像是宋代的
    新店开业，朋友送了一尊招财弥勒佛
    弥勒菩萨是未来佛，这个知识点考过
    我们老板笑起来像个弥勒佛，其实心可狠了
    雍和宫的弥勒大佛是一整根白檀木雕的，太震撼了
    小孩问我为什么弥勒佛总是笑，我也答不上来
    弥勒佛手里的布袋到底装的什么
    求推荐靠谱的弥勒佛挂件店铺，之前买的被骗了两百
    新年画了一幅笑弥勒，送给长辈
    大肚弥勒的陶瓷摆件，放客厅还是放办公室好
    读《弥勒下生经》的一点笔记
    今天在博物馆看到北魏的弥勒像，衣纹太精美了
    奶奶每天早上给弥勒佛上香
    这个表情包好像弥勒佛，笑死我了
    寺庙门口卖开光弥勒佛的，一尊要八百，明显是宰人
    车上挂了个弥勒佛，保平安
    弥勒殿前面人好多，都在排队拜
    宁波雪窦山是弥勒道场，明年打算去
    布袋和尚就是弥勒佛的化身
    喜欢弥勒佛的那种松弛感，什么都笑一笑
    抖音直播间买的弥勒佛手串，收到货就掉色了
    弥勒信仰在魏晋南北朝的时候很流行
    笑弥勒的木雕，师傅刻了三个月
    朋友开店送个弥勒佛摆件合适吗？
    看了一期讲弥勒造像演变的纪录片，很有意思
    弥勒菩萨在兜率天宫说法，这个典故出自哪里
    他这人脾气好，整天笑眯眯的，大家都叫他弥勒佛
    玉器城里一个弥勒佛挂件开价三千，砍到三百还能卖，水太深
    小时候以为弥勒佛就是圣诞老人的中国版哈哈
    给奶奶请了一尊弥勒佛，她可高兴了
    弥勒佛的耳朵为什么那么长，有什么讲究
    肚子越来越大，同事说我有弥勒佛相😂
    弥勒殿里供的是弥勒佛，两边是四大天王
    """)
OTHER_SPOT_OWN = lines("""
    {loc}的湖水真清，开船转一圈很舒服
    {loc}周末人好多，停车都难
    从黄山市区开车去{loc}要一个多小时
    {loc}的溶洞里钟乳石很多，夏天进去很凉快
    {loc}的门票现在要提前预约了
    {loc}登山的台阶很多，爬到顶上能看到整个古城
    在{loc}拍的日落，美哭
    {loc}的鱼头很好吃
    {loc}值得去吗？有去过的说说
    {loc}的游船被宰了，说好的价格上船就变
    {loc}的水上项目挺多的，就是有点贵
    带爸妈去了{loc}，路有点远但值得
    {loc}的游船票在哪里买便宜？
    {loc}附近有什么好住的民宿？
    {loc}人太多了，排队上船排了一小时
    {loc}的夜景一般，白天去比较好
    """)
# Fixed texts: each names its own Honghe place, so the place and what is said about it fit together.
HONGHE_OWN = lines("""
    元阳梯田的日出太美了，凌晨五点起床值了
    多依树看日出，坝达看日落，元阳梯田一天刷完
    元阳哈尼梯田灌水的季节最好看，像一面面镜子
    建水古城的烧豆腐一定要吃，蘸料是灵魂
    建水紫陶街买了一套茶具，老板还教我们怎么养壶
    建水朱家花园太大了，逛了一下午还没逛完
    建水团山村的老房子很有味道，人也少
    蒙自的过桥米线才是正宗的，汤底太鲜了
    蒙自南湖边散步，晚上很多人跳广场舞
    蒙自碧色寨的老火车站很有年代感，拍照超出片
    个旧金湖的夜景不错，湖边吃烧烤很舒服
    个旧的锡矿博物馆值得一看，了解了很多历史
    泸西阿庐古洞比想象中大，里面还有地下河
    石屏的豆腐和异龙湖都值得去
    红河县迤萨古镇的骑楼很有特色，马帮文化很浓
    屏边大围山夏天去很凉快，满眼都是绿
    河口口岸对面就是越南，逛了一下边贸市场
    坐滇越铁路的小火车从碧色寨到蒙自，一路风景很好
    红河州州府在蒙自，不是在弥勒哦
    红河哈尼梯田申遗成功十周年，元阳游客爆满
    红河发大水了，河口那段河面都是黄的
    红河大峡谷漂流太刺激了，全身湿透
    开远的小卷粉是我的童年
    金平的马鞍底蝴蝶谷，春天去能看到好多蝴蝶
    绿春的哈尼长街宴，几千桌摆在街上，太壮观了
    建水燕子洞的燕子好多，采燕窝表演很惊险
    元阳的红米饭很香，买了几斤带回家
    蒙自的石榴熟了，路边都在卖
    建水古城的临安路晚上很热闹，小吃一条街
    个旧老阴山的云海很壮观
    """)

MILE_NOT_TOURISM = lines("""
    弥勒一中今年的高考成绩出来了，一本率又创新高
    弥勒市{date}召开人大常委会会议
    弥勒的房价最近跌了不少，想在城里买房
    弥勒市中小学秋季学期招生政策公布
    弥勒有没有招会计的公司？本人五年经验
    弥勒市今年葡萄收购价比去年低，果农发愁
    弥勒的公务员考试报名人数创新高
    弥勒市医保缴费截止日期是{date}
    弥勒某小区业主和物业因为停车费吵了好几个月
    弥勒二中附近新开了一家书店
    弥勒市政府召开常务会议研究部署农业产业发展
    弥勒市教育局发布中考防作弊提醒
    弥勒有个学生在学校打架，被家长发到网上
    弥勒城区的自来水明天停水检修，涉及几个小区
    弥勒市烤烟收购工作全面展开
    弥勒市开展农村饮水安全排查
    在弥勒上班三年了，工资还是那么点
    弥勒的初中老师招聘考试考什么？
    弥勒市红十字会开展无偿献血活动
    弥勒有没有靠谱的驾校推荐？
    弥勒市举行新任职干部廉政谈话
    弥勒某企业拖欠农民工工资，人社局介入
    弥勒市第一人民医院新院区开工建设
    弥勒市召开烤烟生产推进会
    弥勒的幼儿园学费又涨了
    弥勒西一镇开展春耕生产技术培训
    弥勒市召开全市安全生产工作会议
    弥勒的小区门口天天有人摆摊占道，业主投诉没用
    弥勒卫健局提醒：秋冬季注意预防流感
    在弥勒找个保姆多少钱一个月？
    弥勒市第二中学新校区明年投入使用
    弥勒哪里有修手机的？屏幕碎了
    弥勒市开展城乡居民医保集中缴费工作
    弥勒的二手车市场在哪里？
    弥勒一小学生放学路上被狗咬了，家长在群里提醒
    弥勒市新建农贸市场下月开业
    弥勒城区部分路段今晚停电检修
    弥勒本地有没有靠谱的装修公司？
    """)
OTHER_TOURISM = lines("""
    {loc}的夜景太美了，下次还来
    第一次去{loc}，被人山人海吓到了
    {loc}的小吃一条街，吃撑了
    {loc}值得去吗？求攻略
    {loc}的民宿推荐一家，老板人超好
    {loc}的日落太绝了
    {loc}拍照攻略：早上去人少
    """)

TRAP_TAGS = ("旅行", "云南旅游", "周末去哪儿", "同城", "避雷", "打卡")
# (name, event sentences, follow-ups, time, reaction) borrowed from events.py; each becomes one trap family
# per place kind, so a borrowed sentence keeps its own follow-ups and its split.
BORROWED = [
    ("drown", ev.DROWN, ev.DROWN_NOW, "now", "high"),
    ("fall", ev.FALL, ev.FALL_NOW, "now", "high"),
    ("fire", ev.FIRE, ev.FIRE_NOW, "now", "high"),
    ("fight", ev.FIGHT, ev.FIGHT_NOW, "now", "high"),
    ("crash", ev.CRASH, ev.CRASH_NOW, "now", "high"),
    ("mushroom", ev.MUSHROOM, ev.MUSHROOM_NOW, "now", "high"),
    ("forestfire", ev.FOREST_FIRE, ev.FIRE_WILD_NOW, "now", "high"),
    ("missing", ev.MISSING, ev.MISSING_NOW, "now", "high"),
    ("theft", ev.THEFT, ev.THEFT_DETAIL, "past", "medium"),
    ("overcharge", ev.OVERCHARGE, (), "past", "medium"),
    ("police", ev.POLICE_COMPLAINT, (), "past", "medium"),
    ("scam", ev.SCAM, (), "past", "medium"),
    ("hygiene", ev.HYGIENE, (), "", "low"),
    ("pollution", ev.POLLUTION, (), "past", "medium"),
]
PRAISE_CORES = tuple(p for p in ev.PRAISE if "弥勒" not in p)


def _borrowed(place: str, trap: str, n_each: int, tags: tuple[str, ...]) -> list[Family]:
    return [
        Family(
            f"trap-{place}-{name}",
            n_each,
            relevant=False,
            trap=trap,
            core=core,
            detail=detail,
            time=time,
            react=react,
            opener="witness" if react == "high" else "",
            place=place,
            tags=tags,
            styles=SOCIAL if react != "low" else (*SOCIAL, *REVIEW),
        )
        for name, core, detail, time, react in BORROWED
    ]


TRAPS: list[Family] = [
    Family(
        "trap-maitreya",
        260,
        relevant=False,
        trap="maitreya",
        sentiment=("neu", "pos", "neg"),
        core=MAITREYA,
        place="none",
        styles=SOCIAL,
        tags=("佛教文化", "好物分享", "传统文化", "新年快乐"),
    ),
    *_borrowed("other_spot", "other_city_spot", 10, TRAP_TAGS),
    Family(
        "trap-otherspot",
        120,
        relevant=False,
        trap="other_city_spot",
        sentiment=("pos", "neu"),
        core=(*OTHER_SPOT_OWN, *PRAISE_CORES),
        place="other_spot",
        styles=(*SOCIAL, *REVIEW),
        tags=TRAP_TAGS,
    ),
    Family(
        "trap-honghe",
        150,
        relevant=False,
        trap="honghe_elsewhere",
        sentiment=("pos", "neu"),
        core=HONGHE_OWN,
        place="none",
        styles=(*SOCIAL, *REVIEW),
        tags=("红河旅游", "云南旅行", "红河州"),
    ),
    *_borrowed("honghe", "honghe_elsewhere", 6, ("红河身边事", "云南", "红河州")),
    Family(
        "trap-mile-nottourism",
        230,
        relevant=False,
        trap="mile_not_tourism",
        sentiment=("neu", "neu", "neg"),
        core=MILE_NOT_TOURISM,
        place="none",
        styles=("weibo", "tieba", "news", "douyin"),
        tags=("弥勒", "弥勒身边事", "弥勒同城"),
    ),
    *_borrowed("other_city", "other_city_incident", 26, TRAP_TAGS),
    Family(
        "trap-othercity-tourism",
        80,
        relevant=False,
        trap="other_city_tourism",
        sentiment=("pos", "neu"),
        core=(*OTHER_TOURISM, *PRAISE_CORES),
        place="other_city",
        styles=(*SOCIAL, *REVIEW),
        tags=TRAP_TAGS,
    ),
]
