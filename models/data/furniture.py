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
        120还没来。
        现场乱成一团。
        已经打了119。
        有懂急救的吗？
        周围的人都在喊。
        希望没事，太吓人了。
        谁在附近赶紧过去看看。
        我已经报警了，警察还在路上。
        """),
    "high_calm": lines("""
        已拨打120，请附近游客让出通道。
        工作人员正在处置，请大家不要围观。
        已经报警，请路过的朋友注意避让。
        在场的人已经在施救，等救援。
        已联系景区工作人员。
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
AUTHORITIES = [
    "弥勒市公安局",
    "弥勒市公安局旅游警察大队",
    "弥勒市文化和旅游局",
    "弥勒市应急管理局",
    "弥勒市交警大队",
    "弥阳派出所",
    "西三派出所",
    "东风派出所",
    "虹溪派出所",
    "弥勒市市场监督管理局",
]
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
