"""Place phrases for generated posts: Mile's spots (with aliases and places inside them), townships, and the
look-alike places elsewhere that the traps use.

Canonical spot names must match config/gazetteer.yaml; tests/unit/test_dataset.py checks that.
"""

from __future__ import annotations

import random

# Canonical name → (aliases people write, places inside the spot). Aliases repeat the canonical name so that
# it is drawn most often; traditional forms also come from whole-post OpenCC conversion.
SPOTS: dict[str, tuple[list[str], list[str]]] = {
    "湖泉生态园": (
        [
            "湖泉生态园",
            "湖泉生态园",
            "湖泉生态园",
            "湖泉",
            "湖泉",
            "湖泉",
            "湖泉公园",
            "湖泉景区",
            "湖泉生態園",
        ],
        [
            "温泉",
            "温泉区",
            "音乐喷泉",
            "湖边栈道",
            "东门",
            "南门",
            "停车场",
            "湖心岛",
            "观光车站",
            "草坪",
            "游船码头",
            "夜景灯光秀",
            "酒店大堂",
            "儿童游乐区",
            "湖边",
        ],
    ),
    "红河水乡": (
        ["红河水乡", "红河水乡", "红河水乡", "红河水乡", "红河水乡景区", "红河水乡古镇", "紅河水鄉"],
        [
            "游船",
            "码头",
            "水街",
            "小吃街",
            "石拱桥",
            "古戏台",
            "夜市",
            "河边步道",
            "广场",
            "民宿区",
            "牌坊",
            "水车",
        ],
    ),
    "锦屏山": (
        ["锦屏山", "锦屏山", "锦屏山", "锦屏山", "锦屏山景区", "锦屏山风景区", "錦屏山"],
        [
            "大佛",
            "索道",
            "登山步道",
            "台阶",
            "观景台",
            "山门",
            "盘山公路",
            "停车场",
            "索道上站",
            "半山腰",
            "大佛广场",
            "山顶",
        ],
    ),
    "可邑小镇": (
        ["可邑小镇", "可邑小镇", "可邑小镇", "可邑", "可邑", "可邑村", "可邑古镇", "可邑小鎮"],
        [
            "阿细跳月表演",
            "密枝林",
            "篝火广场",
            "长街宴",
            "村口",
            "民宿",
            "祭火广场",
            "土掌房",
            "文化广场",
            "停车场",
            "石板路",
        ],
    ),
    "太平湖森林公园": (
        ["太平湖森林公园", "太平湖森林公园", "太平湖", "太平湖森林小镇", "太平湖公园"],
        [
            "露营地",
            "森林小火车",
            "湖边",
            "花海",
            "木屋",
            "骑行道",
            "星空营地",
            "松树林",
            "草坪",
            "游客中心",
            "观景栈道",
            "停车场",
        ],
    ),
    "东风韵": (
        ["东风韵", "东风韵", "东风韵", "东风韵", "东风韵小镇", "东风韵艺术小镇", "东风韵景区", "東風韻"],
        [
            "万花筒",
            "美术馆",
            "红砖房",
            "酒庄",
            "草地音乐节",
            "停车场",
            "玫瑰花田",
            "艺术街区",
            "咖啡馆",
            "民宿",
            "摄影打卡点",
        ],
    ),
    "白龙洞": (
        ["白龙洞", "白龙洞", "白龙洞", "白龙洞", "白龙洞景区", "白龍洞"],
        ["溶洞", "栈道", "钟乳石", "地下河", "洞口", "洞里", "台阶", "出口", "售票处", "停车场", "灯光区"],
    ),
}
# Station answering for each spot (属地管理), as in config/stations.yaml; used only to sign generated notices.
STATION_OF = {
    "湖泉生态园": "弥阳派出所",
    "红河水乡": "弥阳派出所",
    "锦屏山": "弥阳派出所",
    "可邑小镇": "西三派出所",
    "太平湖森林公园": "西三派出所",
    "东风韵": "东风派出所",
    "白龙洞": "虹溪派出所",
}
AMBIGUOUS = ("锦屏山", "太平湖森林公园", "白龙洞")
CITY = ["弥勒", "弥勒", "弥勒", "弥勒市", "弥勒市", "彌勒"]
# Townships and places of Mile that are in the gazetteer's districts; posts naming only these carry no spot.
TOWNS = [
    "弥阳",
    "西三",
    "虹溪",
    "东风农场",
    "竹园",
    "朋普",
    "巡检司",
    "西一",
    "西二",
    "新哨",
    "五山",
    "江边",
    "吉山",
    "黑腊沼",
    "髯翁",
    "弥勒站",
    "弥勒东站",
]
TOWN_PHRASES = {
    "弥阳": ["弥阳镇", "弥阳城区", "弥阳"],
    "西三": ["西三镇", "西三"],
    "虹溪": ["虹溪古镇", "虹溪镇", "虹溪"],
    "东风农场": ["东风农场", "东风农场那边"],
    "竹园": ["竹园镇", "竹园"],
    "朋普": ["朋普镇", "朋普"],
    "巡检司": ["巡检司镇"],
    "西一": ["西一镇"],
    "西二": ["西二镇"],
    "新哨": ["新哨镇"],
    "五山": ["五山乡"],
    "江边": ["江边乡"],
    "吉山": ["吉山乡"],
    "黑腊沼": ["黑腊沼"],
    "髯翁": ["髯翁广场"],
    "弥勒站": ["弥勒站"],
    "弥勒东站": ["弥勒东站"],
}
CITY_PLACES = [
    "城区的温泉酒店",
    "的一家民宿",
    "城里的夜市",
    "高铁站出站口",
    "的温泉小区",
    "城区",
    "的一个农家乐",
    "的葡萄园",
    "的酒店",
    "的夜市烧烤摊",
    "的一个网红打卡点",
    "康养小区",
]

# Look-alikes elsewhere: the same spot names in other cities (always with their city, otherwise nobody could
# tell them apart), Honghe's other counties, and other tourist cities.
OTHER_SPOTS = {
    "太平湖": [
        "黄山太平湖",
        "安徽黄山的太平湖",
        "黄山区太平湖",
        "安徽太平湖",
        "北京西城的太平湖旧址",
        "黄山太平湖景区",
    ],
    "白龙洞": ["建德白龙洞", "浙江建德的白龙洞", "安徽的白龙洞", "杭州建德白龙洞", "建德灵栖洞天白龙洞"],
    "锦屏山": ["阆中锦屏山", "四川阆中的锦屏山", "连云港锦屏山", "江苏连云港锦屏山", "阆中古城对面的锦屏山"],
}
OTHER_SUBS = ["景区", "湖边", "停车场", "栈道", "山顶", "门口", "游船码头", "洞里", "观景台", "索道"]
HONGHE = [
    "元阳梯田",
    "元阳哈尼梯田",
    "建水古城",
    "建水朱家花园",
    "建水紫陶街",
    "蒙自南湖",
    "蒙自碧色寨",
    "个旧金湖",
    "个旧老阴山",
    "红河县迤萨古镇",
    "红河大峡谷",
    "河口口岸",
    "屏边大围山",
    "泸西阿庐古洞",
    "石屏异龙湖",
    "开远南洞",
    "元阳箐口村",
    "建水团山村",
    "蒙自天马路",
]
OTHER_CITIES = [
    "大理古城",
    "大理洱海边",
    "丽江古城",
    "丽江束河",
    "昆明滇池",
    "昆明翠湖",
    "西双版纳告庄",
    "香格里拉独克宗",
    "腾冲和顺古镇",
    "普者黑",
    "罗平油菜花田",
    "桂林阳朔",
    "重庆洪崖洞",
    "成都春熙路",
    "杭州西湖",
    "三亚海边",
    "贵阳青岩古镇",
    "北京南锣鼓巷",
    "上海外滩",
    "武汉江汉路",
]


def spot_alias(spot: str, rng: random.Random) -> str:
    return rng.choice(SPOTS[spot][0])


def spot_loc(spot: str, rng: random.Random, city: float = 0.3) -> str:
    """A place phrase inside a spot: 湖泉生态园的音乐喷泉, 弥勒锦屏山索道, 白龙洞…"""
    alias = spot_alias(spot, rng)
    prefix = rng.choice(CITY) if rng.random() < city else ""
    if rng.random() < 0.25:
        return prefix + alias
    sub = rng.choice(SPOTS[spot][1])
    return prefix + alias + rng.choice(["的", "", "的", "那个"]) + sub


FOOD_PLACES = [
    "的一家饭店",
    "附近的农家乐",
    "里的小吃摊",
    "门口的餐馆",
    "的美食街",
    "的烧烤店",
    "附近的一家米线店",
    "里面的餐厅",
    "旁边的菌子火锅店",
    "的夜市",
]


def food_loc(spot: str, rng: random.Random) -> str:
    """Where people eat at or near a spot: 红河水乡的一家饭店."""
    prefix = rng.choice(CITY) if rng.random() < 0.2 else ""
    return prefix + spot_alias(spot, rng) + rng.choice(FOOD_PLACES)


def town_loc(rng: random.Random) -> str:
    town = rng.choice(TOWNS)
    phrase = rng.choice(TOWN_PHRASES[town])
    if rng.random() < 0.4 and not phrase.startswith("弥勒"):
        phrase = rng.choice(["弥勒", "弥勒市"]) + phrase
    return phrase


def city_loc(rng: random.Random) -> str:
    return rng.choice(CITY) + rng.choice(CITY_PLACES)


def other_spot_loc(rng: random.Random) -> str:
    name = rng.choice(list(OTHER_SPOTS))
    base = rng.choice(OTHER_SPOTS[name])
    return base + (rng.choice(["的", ""]) + rng.choice(OTHER_SUBS) if rng.random() < 0.5 else "")


def other_city_loc(rng: random.Random) -> str:
    return rng.choice(OTHER_CITIES)


def honghe_loc(rng: random.Random) -> str:
    place = rng.choice(HONGHE)
    return ("红河州" + place) if rng.random() < 0.35 else place
