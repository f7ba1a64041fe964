"""Everything around the event sentence: time words, openers, reactions, calls for help, and each platform's
furniture (hashtags, @mentions, emoji, star ratings, thread titles, notice headers), plus surface noise
(homophone typos, traditional characters).
"""

from __future__ import annotations

import hashlib
import random
from functools import lru_cache

# Fragment → split. Every fragment list is partitioned when it is declared (about 70/15/15 by a stable hash
# rank), so a test post is built only from test fragments and never near-copies a training post; a fragment
# reused by another family (the traps borrow incident sentences) keeps its first split.
SPLIT_OF: dict[str, str] = {}


def _rank(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def lines(block: str, split: bool = True) -> tuple[str, ...]:
    """One fragment per non-empty line, registered to a split unless `split` is false (shared slots)."""
    items = tuple(dict.fromkeys(s.strip() for s in block.strip().splitlines() if s.strip()))
    if split:
        n = len(items)
        k = 0 if n < 3 else max(1, round(0.15 * n))
        for i, item in enumerate(sorted(items, key=_rank)):
            SPLIT_OF.setdefault(item, "test" if i < k else "dev" if i < 2 * k else "train")
    return items


def split_pool(items: tuple[str, ...], split: str) -> list[str]:
    """The fragments of `items` that posts of `split` may use (unregistered ones are shared)."""
    return [s for s in items if SPLIT_OF.get(s, split) == split]


# Time words by what they say about urgency. `now` is minutes-ago; `past` is after the fact.
TIME = {
    "now": lines(
        split=False,
        block="""
        刚刚
        就在刚才
        现在
        刚才
        此刻
        十分钟前
        五分钟前
        就刚刚
        这会儿
        几分钟前
        """,
    ),
    "past": lines(
        split=False,
        block="""
        昨天
        昨晚
        前天
        上周
        上周末
        前几天
        上个月
        国庆那几天
        五一的时候
        昨天下午
        前天晚上
        春节期间
        去年暑假
        大前天
        """,
    ),
    "any": lines(
        split=False,
        block="""
        今天
        周末
        这几天
        最近
        国庆
        今天下午
        暑假
        """,
    ),
}

OPENERS = {
    "witness": lines("""
        天哪，
        我的天，
        大家注意！
        有没有人在现场？
        卧槽，
        真的吓人，
        紧急！
        说个事，
        实名提醒：
        路过看到的，
        不知道有没有人发，
        家人们，
        现场情况：
        刚到就碰上这事，
        这是什么情况？
        """),
    "complain": lines("""
        忍不住要吐槽一下，
        说真的，
        实在气不过，
        来说说我的遭遇，
        本来开开心心出来玩，
        避雷！
        给大家提个醒，
        第一次来弥勒就碰上这种事，
        憋了好几天了，
        作为一个外地游客，
        带爸妈出来玩，
        讲道理，
        曝光一下，
        """),
    "calm": lines("""
        记录一下，
        客观说一下，
        分享一下经历，
        顺便提醒，
        补充一点，
        """),
}

REACTIONS = {
    "high": lines("""
        快来人啊！
        已经有人打110了。
        有没有人能过去帮忙？
        求扩散！
        吓得我腿都软了。
        保安还没到。
        大家快帮忙转发！
        救援还没到。
        现场乱成一团。
        有人在打电话求助了。
        周围的人都在喊。
        希望没事，太吓人了。
        谁在附近赶紧过去看看。
        我已经报警了，警察还在路上。
        手在抖，打字都打不好。
        在附近的朋友帮帮忙！
        景区的人呢？？
        有没有人管管！
        """),
    "high_calm": lines("""
        已经报警，请附近的游客让出通道。
        工作人员正在处置，请大家不要围观。
        已经报警，请路过的朋友注意避让。
        在场的人正在帮忙，等救援。
        已联系景区工作人员。
        请附近的朋友留意一下。
        现场需要帮手。
        """),
    "medium": lines("""
        希望有关部门查一查。
        已经报警了，等回复。
        大家以后注意点。
        到现在还没给说法。
        求曝光！
        麻烦管管吧。
        投诉了也没人理。
        这事不能就这么算了。
        景区总得给个说法吧。
        希望引起重视。
        打了12345，还没回音。
        真的很寒心。
        有同样遭遇的可以联系我。
        """),
    "low": lines("""
        有点扫兴。
        建议景区改进一下。
        提醒一下大家。
        小问题，但挺影响心情的。
        避雷一下。
        吐槽一下而已。
        希望下次能好点。
        体验打了折扣。
        不算大事，说一声。
        大家心里有个数。
        """),
    "pos": lines("""
        强烈推荐！
        下次还来！
        太美了！
        宝藏地方。
        值得一去。
        来弥勒一定要去。
        已经开始想念了。
        带爸妈来也合适。
        爱了爱了。
        五星好评。
        """),
    "neu": lines("""
        有知道的朋友吗？
        求解答，谢谢。
        先谢谢大家了。
        在线等。
        供参考。
        """),
}

# Scene-setting first sentences and sign-offs, drawn for some colloquial posts to vary length and voice.
SCENES = lines("""
    趁着国庆带爸妈出来玩，
    我们一家四口自驾过来的，
    和闺蜜两个人出来旅游，
    从昆明坐高铁过来玩两天，
    带孩子出来过周末，
    公司团建来的，
    第一次来云南，
    退休了出来旅居，住了半个月了，
    跟旅行团来的，
    趁着年假出来走走，
    一个人出来散心，
    我们是贵州过来的，
    和男朋友来过纪念日，
    周末临时起意出来的，
    带着两个老人和一个娃，
    同学聚会约在这边，
    暑假带娃研学，
    开房车一路玩过来的，
    冬天过来避寒，
    广东过来的，第二次来了，
    """)
# Neutral facts about the trip, with no place name and no risk in them: they make long posts long without
# changing any label.
ASIDES = lines("""
    我们一共五个人，两个老人一个小孩。
    那天天气不错，二十多度，不冷不热。
    门票是在公众号上提前买的。
    酒店是在网上订的，离这边十分钟车程。
    中午在附近随便吃了碗米线。
    我们是下午三点左右到的。
    来之前在网上看了不少攻略。
    这是我们这次旅行的第三天。
    停车场离入口还要走一段路。
    那天是工作日，人不算特别多。
    本来计划待两个小时，结果待了一下午。
    我们是坐高铁来的，下车打车过去。
    同行的朋友是第一次来云南。
    出发前还特意查了天气预报。
    孩子今年六岁，特别喜欢玩水。
    我爸妈都快七十了，走路慢。
    路上导航显示四十分钟，实际开了一个小时。
    我们住的民宿老板是本地人，挺热情。
    早上八点多就出门了。
    那几天刚好是小长假。
    晚上九点多才回到住的地方。
    我们带了自拍杆和三脚架。
    """)
CLOSERS = {
    "neg": lines("""
        不说了，心累。
        以上，亲身经历。
        真的无语了。
        希望别人别再遇到。
        就这样吧，再也不来了。
        大家引以为戒。
        写出来心里舒服点。
        """),
    "pos": lines("""
        以上，纯分享无广。
        下次还会再来。
        没收钱，真心推荐。
        希望大家都玩得开心。
        已经在计划下一次了。
        """),
    "neu": lines("""
        以上，仅供参考。
        有问题可以评论区问我。
        大家自己判断吧。
        先记录一下。
        """),
}

CALLS = lines("""
    @弥勒公安
    @弥勒发布
    @弥勒文旅
    @弥勒交警
    @云南公安
    @弥勒市场监管
    @红河州文旅
    @弥勒公安 @弥勒发布
    """)

EMOJI = {
    "neg": ["😡", "😭", "😤", "🙄", "💔", "😱", "😒", "👎", "🤬", "😞", "😰", "🆘", "‼️", "🤮"],
    "pos": ["👍", "😍", "🥰", "🌸", "✨", "❤️", "😊", "🥳", "🌹", "☀️", "😂", "🤣"],
    "neu": ["🤔", "🙏", "😅", "📍", "✨", "🌧"],
}

WEIBO_TAGS_MILE = ["弥勒", "弥勒旅游", "弥勒身边事", "云南旅游", "红河身边事", "弥勒生活", "旅行", "弥勒同城"]
DOUYIN_TAGS_MILE = ["弥勒", "弥勒旅游", "云南旅行", "旅行vlog", "周末去哪儿", "同城", "弥勒美食", "打卡"]
XHS_TAGS_MILE = ["弥勒旅游", "云南旅行攻略", "弥勒攻略", "小众旅行地", "避雷", "周末游", "带娃出游"]
TIEBA_TITLES = {
    "neg": ["【吐槽】", "【避雷】", "【求助】", "【曝光】", "【紧急】", ""],
    "neu": ["【求问】", "【问】", "【讨论】", "【分享】", ""],
    "pos": ["【分享】", "【游记】", "【攻略】", ""],
}
TIEBA_TAILS = [
    "",
    "",
    "——来自Android客户端",
    "——来自iPhone客户端",
    "顶一下",
    "楼主亲身经历，不喜勿喷",
    "求吧友支招",
    "lz在线",
]
CTRIP_TYPES = ["亲子", "朋友出游", "情侣", "家庭", "独自旅行", "带父母"]
STARS = {"neg": ["★☆☆☆☆", "★★☆☆☆", "1分", "2分"], "neu": ["★★★☆☆", "3分"], "pos": ["★★★★★", "★★★★☆", "5分"]}
NOTICE_HEADS = {
    "high": ["【紧急提示】", "【紧急寻人】", "【警情通报】", "【突发】", ""],
    "medium": ["【警情通报】", "【情况通报】", "【通报】", ""],
    "low": ["【温馨提示】", "【出行提示】", "【安全提示】", "【提醒】", ""],
    "none": ["【公告】", "【通知】", "【温馨提示】", "【活动预告】", ""],
}
NEWS_HEADS = [
    "本报讯 ",
    "据弥勒市融媒体中心消息，",
    "记者从弥勒市有关部门获悉，",
    "【弥勒新闻】",
    "红河日报讯 ",
    "云南网讯 ",
    "",
]
AUTHORITIES = ["弥勒市公安局", "弥勒市公安局", "弥勒市公安局旅游警察大队"]
RETWEETERS = [
    "小鱼不吃鱼",
    "弥勒吃货",
    "云南小王",
    "旅行的猫",
    "阿细姑娘",
    "红河老李",
    "路人甲乙丙",
    "Sunny_88",
]

# Homophone and chat-style typos, applied to some colloquial posts. Place names are never touched.
TYPOS = [
    ("什么", "神马"),
    ("这样", "酱紫"),
    ("喜欢", "稀饭"),
    ("警察", "jc"),
    ("警察", "蜀黍"),
    ("垃圾", "辣鸡"),
    ("的确", "的却"),
    ("在这里", "再这里"),
    ("已经", "以经"),
    ("报警", "抱警"),
    ("厉害", "利害"),
    ("不知道", "不造"),
    ("没有", "木有"),
    ("朋友", "盆友"),
    ("东西", "东东"),
    ("非常", "灰常"),
    ("觉得", "jio得"),
    ("真的", "真滴"),
    ("这个", "这各"),
    ("吓死", "吓shi"),
    ("宰客", "宰ke"),
    ("是不是", "是8是"),
    ("女朋友", "npy"),
    ("老板", "老版"),
    ("一定", "一腚"),
    ("怎么", "咋"),
]

OFFICIAL = ("news", "notice")
COLLOQUIAL = ("weibo", "douyin", "dianping", "ctrip", "tieba", "xiaohongshu")
STYLES = COLLOQUIAL + OFFICIAL


@lru_cache(maxsize=4)
def _converter(kind: str):
    import opencc

    return opencc.OpenCC(kind)


def convert(kind: str, text: str) -> str:
    return _converter(kind).convert(text)


def to_traditional(text: str, rng: random.Random) -> str:
    return _converter(rng.choice(["s2t", "s2tw", "s2hk"])).convert(text)


def add_typos(text: str, rng: random.Random, protect: tuple[str, ...] = ()) -> str:
    for a, b in rng.sample(TYPOS, k=len(TYPOS)):
        if a in text and not any(a in p for p in protect) and rng.random() < 0.6:
            text = text.replace(a, b, 1)
    return text


def emoji(sentiment: str, rng: random.Random, k: int = 1) -> str:
    return "".join(rng.choice(EMOJI[sentiment]) for _ in range(k))


def date_words(rng: random.Random) -> str:
    return f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日"


def clock(rng: random.Random) -> str:
    return f"{rng.randint(8, 22)}时{rng.choice(['', '许', str(rng.randint(10, 55)) + '分许'])}"
