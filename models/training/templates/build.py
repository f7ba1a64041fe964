"""Build models/data/tourism_posts.jsonl, the labelled tourism post set, deterministically (fixed seed).

    python -m models.training.templates.build            # write models/data/tourism_posts.jsonl
    python -m models.training.templates.build --out X    # write elsewhere (the determinism test does)
    python -m models.training.templates.build --readme   # also refresh the counts table in README.md

Posts come from template families (events.yaml, traps.yaml read by families.py: labels fixed per family,
text composed from fragment slots, places.yaml and the platform furniture of furniture.yaml) and from
hand-written posts (handwritten.txt). Splits: a fragment belongs to one split (furniture.SPLIT_OF), a post of
that split uses only its fragments; hand-written posts are split by group. Near-duplicates (same text once
normalised and stripped of digits, emoji and punctuation) are rejected.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections import Counter
from pathlib import Path

from models.data import DATA_DIR, TOURISM_FILE
from models.training.templates import furniture as fu
from models.training.templates import places as pl
from models.training.templates.families import load_families
from models.training.templates.handwritten import HANDWRITTEN
from models.training.templates.spec import Family
from yuqing.text import normalize_text

SEED = 20220811  # the seed article's publication date
OUT = TOURISM_FILE
SPLITS = ("train", "dev", "test")
SHARE = {"train": 0.70, "dev": 0.15, "test": 0.15}
CATEGORIES = ("public_order", "traffic", "safety", "consumer", "health", "disaster", "police", "environment")
LEVELS = ("none", "low", "medium", "high")
KIDS = ("小孩", "孩子", "小朋友", "小女孩", "小男孩", "五六岁的孩子", "三岁的宝宝", "初中生")
OLDS = ("老人", "老大爷", "老奶奶", "大爷", "七十多岁的老人")
MONEY = ("88", "128", "200", "268", "368", "500", "680", "888", "1200", "1680", "2800", "三百", "六百")

_SUBS = sorted({sub for _, subs in pl.SPOTS.values() for sub in subs}, key=len, reverse=True)
_NOISE = re.compile(r"\[[^\[\]]{1,4}\]|[^\w]|[\d_a-zA-Z]")


def dedup_key(text: str) -> str:
    """Normalised text without emoji words, digits, latin letters and punctuation: near-copies collide."""
    return hashlib.sha1(_NOISE.sub("", normalize_text(text)).encode("utf-8")).hexdigest()


def rng_for(*parts: str) -> random.Random:
    digest = hashlib.sha256(":".join((str(SEED), *parts)).encode("utf-8")).hexdigest()
    return random.Random(int(digest[:16], 16))


def split_sizes(n: int) -> dict[str, int]:
    dev, test = round(n * SHARE["dev"]), round(n * SHARE["test"])
    return {"train": n - dev - test, "dev": dev, "test": test}


def _place(fam: Family, rng: random.Random) -> tuple[list[str], str, str, str]:
    """(spots, loc, loc2, spot alias) for one post."""
    spot_names = list(pl.SPOTS)
    kind = fam.place
    if kind == "mixed":
        kind = rng.choices(["spot", "town", "city"], weights=[75, 15, 10])[0]
    elif kind == "food":
        kind = rng.choices(["food", "town", "city"], weights=[80, 10, 10])[0]
    s1, s2 = rng.sample(spot_names, 2)
    loc2 = pl.spot_loc(s2, rng, city=0.0)
    if kind in ("spot", "multi"):
        return [s1], pl.spot_loc(s1, rng), loc2, pl.spot_alias(s1, rng)
    if kind == "food":
        return [s1], pl.food_loc(s1, rng), loc2, pl.spot_alias(s1, rng)
    if kind == "town":
        return [], pl.town_loc(rng), loc2, ""
    if kind == "city":
        return [], pl.city_loc(rng), loc2, ""
    if kind == "other_spot":
        return [], pl.other_spot_loc(rng), "", ""
    if kind == "other_city":
        return [], pl.other_city_loc(rng), "", ""
    if kind == "honghe":
        return [], pl.honghe_loc(rng), "", ""
    if kind == "none":
        return [], "", "", ""
    raise ValueError(f"family {fam.name}: unknown place kind {fam.place!r}")


def _strip(s: str) -> str:
    return s.rstrip("，。！？!?… ")


def _join(parts: list[str], rng: random.Random) -> str:
    out = ""
    for i, part in enumerate(parts):
        if i == 0:
            out = part
            continue
        if out[-1] in "，。！？!?…：":
            out += part
        else:
            out += rng.choice(["，", "。", "，", "！", "。", " "]) + part
    if out and out[-1] not in "，。！？!?…":
        out += rng.choice(["", "。", "！", "。", "…", "!!"])
    return out


def _spots_in(text: str) -> list[str]:
    """Spots a fixed-text fragment names (for place='none' relevant families)."""
    found: list[tuple[int, str]] = []
    for spot, (aliases, _) in pl.SPOTS.items():
        idx = [text.find(a) for a in aliases if a in text]
        if idx:
            found.append((min(idx), spot))
    return [s for _, s in sorted(found)]


def _tags(fam: Family, spots: list[str], rng: random.Random, pool: list[str]) -> list[str]:
    tags = list(fam.tags) if fam.tags else list(pool)
    chosen = rng.sample(tags, k=min(len(tags), rng.randint(1, 3)))
    if spots and rng.random() < 0.6:
        chosen.insert(rng.randint(0, len(chosen)), pl.spot_alias(spots[0], rng))
    return chosen


def _wrap(
    style: str,
    body: str,
    fam: Family,
    sent: str,
    spots: list[str],
    rng: random.Random,
    split: str,
    values: dict[str, str],
) -> str:
    """Platform furniture around the body."""
    rel = fam.relevant
    if style == "weibo":
        tags = _tags(fam, spots, rng, fu.WEIBO_TAGS_MILE)
        text = body
        if rng.random() < 0.5:
            text = "".join(f"#{t}#" for t in tags) + rng.choice(["", " ", "\n"]) + text
        if rng.random() < 0.55:
            text += fu.emoji(sent, rng, rng.randint(1, 3))
        if rel and rng.random() < (0.4 if fam.level in ("high", "medium") else 0.12):
            text += " " + rng.choice(fu.split_pool(fu.CALLS, split) or list(fu.CALLS))
        if rng.random() < 0.08:
            text += f" http://t.cn/A6{rng.randint(10000, 99999)}"
        if rng.random() < 0.1:
            text = (
                f"{rng.choice(['扩散', '转发', '天哪', '关注', '？？'])}//@{rng.choice(fu.RETWEETERS)}:{text}"
            )
        return text
    if style == "douyin":
        tags = _tags(fam, spots, rng, fu.DOUYIN_TAGS_MILE)
        text = body + (fu.emoji(sent, rng, rng.randint(1, 2)) if rng.random() < 0.6 else "")
        text += " " + " ".join(f"#{t}" for t in tags)
        if rng.random() < 0.12:
            text += " @DOU+小助手"
        return text
    if style == "xiaohongshu":
        tags = _tags(fam, spots, rng, fu.XHS_TAGS_MILE)
        titles = {
            "neg": ["避雷‼️", "踩雷了😭", "姐妹们注意", "真实经历", "劝退"],
            "pos": ["宝藏地方✨", "私藏攻略", "被美哭了", "周末好去处🌸", "一定要来"],
            "neu": ["求助🙏", "攻略提问", "小记录", "碎碎念"],
        }[sent]
        head = rng.choice(titles)
        if spots and rng.random() < 0.5:
            head = f"📍{rng.choice(pl.CITY[:3])}·{pl.spot_alias(spots[0], rng)}｜{head}"
        return f"{head}\n{body}\n" + " ".join(f"#{t}" for t in tags)
    if style == "tieba":
        head = rng.choice(fu.TIEBA_TITLES[sent])
        title = rng.choice(
            {
                "neg": ["说个事", "大家评评理", "有人知道怎么回事吗", "吧友们注意", "气死了"],
                "neu": ["问个问题", "求吧友解答", "有去过的吗", "请教"],
                "pos": ["分享一下", "游记", "真心推荐", "来晒图"],
            }[sent]
        )
        tail = rng.choice(fu.TIEBA_TAILS)
        return f"{head}{title}\n{'楼主' if rng.random() < 0.2 else ''}{body}" + (f"\n{tail}" if tail else "")
    if style == "dianping":
        stars = rng.choice(fu.STARS[sent])
        extra = ""
        if rng.random() < 0.4:
            score = {"neg": "1", "neu": "3", "pos": "5"}[sent]
            extra = f"\n环境：{score} 服务：{score} 性价比：{score}"
        price = f" 人均：￥{rng.choice(['45', '68', '120', '200', '35'])}" if rng.random() < 0.3 else ""
        return f"{stars}{price}\n{body}{extra}"
    if style == "ctrip":
        head = f"出游类型：{rng.choice(fu.CTRIP_TYPES)}" if rng.random() < 0.6 else ""
        score = {"neg": rng.choice(["1", "2"]), "neu": "3", "pos": rng.choice(["4", "5"])}[sent]
        return (head + "\n" if head else "") + body + (f"\n评分：{score}/5" if rng.random() < 0.6 else "")
    if style == "notice":
        head = "" if body.startswith("【") else rng.choice(fu.NOTICE_HEADS[fam.level])
        text = head + body
        if rng.random() < 0.5:
            text += f"\n{values['auth']}\n{values['date']}"
        return text
    if style == "news":
        return rng.choice(fu.NEWS_HEADS) + body
    return body


def compose(fam: Family, split: str, rng: random.Random) -> dict | None:
    """One post of `fam` made only of `split`'s fragments, or None if the split has none to offer."""
    style = rng.choice(fam.styles)
    official = style in fu.OFFICIAL
    templates = fu.split_pool(fam.formal if official else fam.core, split)
    if not templates:
        other = [s for s in fam.styles if (s in fu.OFFICIAL) != official]
        if not other:
            return None
        style, official = rng.choice(other), not official
        templates = fu.split_pool(fam.formal if official else fam.core, split)
        if not templates:
            return None
    tpl = rng.choice(templates)
    spots, loc, loc2, alias = _place(fam, rng)
    if "{spot}" in tpl and not spots:
        spots, loc, loc2, alias = [rng.choice(list(pl.SPOTS))], "", "", ""
        alias = pl.spot_alias(spots[0], rng)
    if "{loc2}" in tpl:
        second = rng.choice([s for s in pl.SPOTS if s not in spots])
        spots, loc2 = [*spots, second], pl.spot_loc(second, rng, city=0.0)
    if fam.place == "none" and fam.relevant:
        spots = _spots_in(tpl)
    values = {
        "loc": loc,
        "loc2": loc2,
        "spot": alias,
        "t": rng.choice(fu.TIME[fam.time]) if fam.time else "",
        "n": str(rng.randint(2, 9)),
        "m": rng.choice(MONEY),
        "kid": rng.choice(KIDS),
        "old": rng.choice(OLDS),
        "date": fu.date_words(rng),
        "clock": fu.clock(rng),
        "auth": rng.choice([*fu.AUTHORITIES, *(pl.STATION_OF[sp] for sp in spots[:1])]),
    }
    main = tpl.format_map(values)
    for sub in _SUBS:  # 民宿的民宿 when a place inside the spot meets a sentence that names it again
        main = main.replace(f"{sub}的{sub}", sub).replace(f"{sub}{sub}", sub)
    if fam.place != "none" and "{loc}" not in tpl and "{spot}" not in tpl:
        main = rng.choice(["在{loc}，", "{loc}，", "坐标{loc}，"]).format(loc=loc) + main
    sentiment = fam.official_sentiment if official else rng.choice(fam.sentiment)
    parts = [main]
    if not official and fam.relevant and fam.level != "none" and len(spots) == 1 and rng.random() < 0.07:
        # A second spot mentioned in passing; the spot where it happens stays first (its station answers).
        other = rng.choice([s for s in pl.SPOTS if s != spots[0]])
        lead = rng.choice(["刚从{a}出来，", "逛完{a}过来的，", "本来下午要去{a}，", "上午在{a}玩得好好的，"])
        parts.insert(0, lead.format(a=pl.spot_alias(other, rng)))
        spots = [*spots, other]
    if not official:
        if fam.opener and rng.random() < 0.35:
            opener = fu.split_pool(fu.OPENERS[fam.opener], split)
            if opener:
                parts.insert(0, rng.choice(opener))
        details = fu.split_pool(fam.detail, split)
        if details and rng.random() < fam.detail_p:
            parts += rng.sample(details, k=min(len(details), rng.choice([1, 1, 1, 2])))
        if fam.react and rng.random() < 0.55:
            key = "high_calm" if fam.react == "high" and rng.random() < 0.3 else fam.react
            pool = fu.split_pool(fu.REACTIONS[key], split)
            if pool:
                parts.append(rng.choice(pool))
        if style == "douyin" and len(parts) > 2 and rng.random() < 0.6:
            parts = parts[: parts.index(main) + 2]  # captions are short
        elif style != "douyin":
            if rng.random() < (0.05 if fam.level == "high" else 0.35):  # long reviews and threads
                pool = fu.split_pool(fu.ASIDES, split)
                asides = rng.sample(pool, k=min(len(pool), rng.randint(1, 4)))
                at = parts.index(main) + rng.choice([0, 1])
                parts[at:at] = asides
            if rng.random() < 0.22:
                parts.insert(0, rng.choice(fu.split_pool(fu.SCENES, split)))
            if fam.level != "high" and rng.random() < 0.18:
                parts.append(rng.choice(fu.split_pool(fu.CLOSERS[sentiment], split)))
    body = _join([_strip(p) if i < len(parts) - 1 else p for i, p in enumerate(parts)], rng)
    if not official and rng.random() < 0.1:
        body = fu.add_typos(body, rng)
    if style == "douyin" and rng.random() < 0.5:
        body = body.replace("，", " ").replace("。", " ").strip()
    elif style == "xiaohongshu" and rng.random() < 0.4:
        body = body.replace("。", rng.choice(["✨", "💦", "‼️", "～", "🌿"]), 2)
    text = _wrap(style, body, fam, sentiment, spots, rng, split, values)
    if rng.random() < fam.traditional_p:
        text = fu.to_traditional(text, rng)
    return {
        "text": text,
        "style": style,
        "relevant": fam.relevant,
        "spots": spots if fam.relevant else [],
        "sentiment": sentiment,
        "categories": list(fam.cats) if fam.relevant else [],
        "level": fam.level if fam.relevant else "none",
        "trap": fam.trap,
        "split": split,
    }


def build_family(fam: Family, seen: set[str]) -> list[dict]:
    posts: list[dict] = []
    i = 0
    for split, size in split_sizes(fam.n).items():
        rng = rng_for(fam.name, split)
        made = tries = 0
        while made < size and tries < size * 30:
            tries += 1
            post = compose(fam, split, rng)
            if post is None:
                break
            key = dedup_key(post["text"])
            if key in seen:
                continue
            seen.add(key)
            posts.append({"id": f"{fam.name}-{i:04d}", **post})
            i += 1
            made += 1
    return posts


def handwritten_split(group: str) -> str:
    """Stable 70/15/15 by a hash of the group (posts of one group stay together)."""
    h = int(hashlib.sha1(f"{SEED}:{group}".encode()).hexdigest()[:8], 16) % 20
    return "test" if h < 3 else "dev" if h < 6 else "train"


def build_handwritten(seen: set[str]) -> list[dict]:
    posts = []
    for group, style, relevant, spots, sentiment, cats, level, trap, text in HANDWRITTEN:
        key = dedup_key(text)
        if key in seen:
            continue
        seen.add(key)
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
        posts.append(
            {
                "id": f"hw-{digest}",
                "text": text,
                "style": style,
                "relevant": relevant,
                "spots": list(spots),
                "sentiment": sentiment,
                "categories": list(cats),
                "level": level,
                "trap": trap,
                "split": handwritten_split(group),
            }
        )
    return posts


def build() -> list[dict]:
    families, traps = load_families()
    seen: set[str] = set()
    posts = build_handwritten(seen)
    for fam in [*families, *traps]:
        posts.extend(build_family(fam, seen))
    return posts


def write(posts: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for post in posts:
            fh.write(json.dumps(post, ensure_ascii=False, sort_keys=False) + "\n")


def counts_table(posts: list[dict]) -> str:
    """Markdown tables of counts by split: relevance, level, category, sentiment, style, trap."""

    def row(name: str, pred) -> str:
        c = [sum(1 for p in posts if p["split"] == s and pred(p)) for s in SPLITS]
        return f"| {name} | {sum(c)} | " + " | ".join(str(x) for x in c) + " |"

    out = ["| slice | all | train | dev | test |", "| --- | ---: | ---: | ---: | ---: |"]
    out.append(row("**all posts**", lambda p: True))
    out.append(row("relevant", lambda p: p["relevant"]))
    out.append(row("irrelevant", lambda p: not p["relevant"]))
    out.append(row("hand-written", lambda p: p["id"].startswith("hw-")))
    for lv in LEVELS:
        out.append(row(f"level {lv}", lambda p, lv=lv: p["level"] == lv))
    for cat in CATEGORIES:
        out.append(row(f"category {cat}", lambda p, cat=cat: cat in p["categories"]))
    out.append(row("multi-label (≥2 categories)", lambda p: len(p["categories"]) >= 2))
    for s in ("neg", "neu", "pos"):
        out.append(row(f"sentiment {s}", lambda p, s=s: p["sentiment"] == s))
    for st in fu.STYLES:
        out.append(row(f"style {st}", lambda p, st=st: p["style"] == st))
    for trap in sorted({p["trap"] for p in posts if p["trap"]}):
        out.append(row(f"trap {trap}", lambda p, trap=trap: p["trap"] == trap))
    out.append(row("relevant, no spot (township/city only)", lambda p: p["relevant"] and not p["spots"]))
    out.append(row("relevant, ≥2 spots", lambda p: len(p["spots"]) >= 2))
    out.append(row("written in traditional characters", is_traditional))
    out.append(row("traditional alias in simplified text", mixed_script))
    return "\n".join(out)


def has_traditional(post: dict) -> bool:
    return fu.convert("t2s", post["text"]) != post["text"]


def mixed_script(post: dict) -> bool:
    return has_traditional(post) and not is_traditional(post)


def is_traditional(post: dict) -> bool:
    """Whole post in traditional script: converting it to traditional changes nothing, to simplified does."""
    return has_traditional(post) and fu.convert("s2t", post["text"]) == post["text"]


def refresh_readme(posts: list[dict]) -> None:
    readme = DATA_DIR / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- counts:start -->", "<!-- counts:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{counts_table(posts)}\n{end}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--readme", action="store_true", help="refresh the counts table in README.md")
    parser.add_argument("--stats", action="store_true", help="print the counts table")
    args = parser.parse_args(argv)
    posts = build()
    write(posts, args.out)
    if args.readme:
        refresh_readme(posts)
    if args.stats:
        print(counts_table(posts))
    print(f"{len(posts)} posts → {args.out}  ({Counter(p['split'] for p in posts)})")


if __name__ == "__main__":
    main()
