"""Relevant template families: incidents by category and level, and the many posts with nothing to act on.

Level follows the domain brief: `high` is happening now or just now and minutes matter; the same event told
after the fact is `medium` (several families share their event sentences and differ only in time words and
follow-up, which teaches the model that timing, not vocabulary, sets the level).
"""

from __future__ import annotations

from models.data.furniture import lines
from models.data.spec import REVIEW, Family

# ---------------------------------------------------------------- safety
DROWN = lines("""
    {t}{loc}有人落水了
    {t}{loc}有个{kid}掉进水里了
    {t}在{loc}，一个男的下水游泳没上来
    {t}{loc}那边一个{kid}滑进湖里
    {t}{loc}有游客翻过栏杆下水，被水冲走了
    {t}{loc}一个喝了酒的大哥跳下去游泳，人不见了
    {t}{loc}一个阿姨拍照的时候脚下一滑掉水里了
    {t}{loc}有人溺水
    {t}在{loc}看到有人在水里扑腾，喊救命
    {t}{loc}划船的翻了，两个人掉进水里
    {t}{loc}一个小伙子为了捡手机下水，半天没冒头
    {t}{loc}有对情侣的皮划艇翻了
    {t}{loc}有个游客在湖边洗手，一头栽进水里了
    {t}{loc}几个年轻人在野泳，有一个沉下去了
    {t}{loc}一个老人钓鱼的时候滑进了深水区
    {t}{loc}一个{kid}去捡球，掉进了水渠里
    {t}{loc}温泉池里有人泡着泡着沉下去了
    {t}{loc}有人跳水救狗，自己被冲走了
    """)
DROWN_NOW = lines("""
    人还在水里扑腾
    救生员正在往那边跑
    岸上家长哭得不行
    有人拿竹竿在够
    水很深，看不到人了
    周围一圈人在看，没人敢下去
    已经有个小哥跳下去救了
    到现在还没捞上来
    景区广播在喊人让开
    """)
DROWN_PAST = lines("""
    后来被救上来送医院了
    听说喝了酒下去游的
    景区到现在也没加护栏
    捞了一个多小时才找到
    家属在景区门口讨说法
    事后才知道那一段水很深
    救上来的时候已经没意识了，不知道后来怎么样
    警察和消防都来了，折腾到晚上
    """)
FALL = lines("""
    {t}{loc}有人从台阶上滚下去了
    {t}在{loc}，一个老人摔倒了，头上全是血
    {t}{loc}有游客爬到栏杆外面拍照，掉下去了
    {t}{loc}一个{kid}从高处摔下来，一动不动
    {t}{loc}有人踩空摔下坡，腿好像断了
    {t}{loc}栈道有块木板塌了，人掉下去了
    {t}{loc}一个小伙子骑车冲下坡摔了，满脸血
    {t}在{loc}，一位大姐从石阶上摔下去昏过去了
    {t}{loc}护栏断了，有人跟着一起摔下去
    {t}{loc}一个游客从观景台上摔下来
    {t}{loc}一个小伙子攀岩没系安全绳，从石壁上掉下来
    {t}{loc}玻璃栈道上有人腿软摔倒，撞到了头
    {t}{loc}一位大爷下台阶踩空，整个人滚了十几级
    {t}{loc}有个{kid}从滑梯顶上翻了下来
    {t}在{loc}，一个游客为了拍照爬上围墙，摔到了下面的石头上
    """)
FALL_NOW = lines("""
    现在躺在地上起不来
    流了好多血
    已经叫了120
    人还没醒
    工作人员在赶过来
    家属在旁边哭
    同行的人在喊救命
    头磕破了，一直在流血
    景区的救援担架还没来
    """)
FALL_PAST = lines("""
    后来送去医院缝了好几针
    听说骨折了，住院了
    景区说是游客自己不小心，不管
    到现在景区也没给个说法
    那段路一直没人修
    """)
FIRE = lines("""
    {t}{loc}着火了，烟好大
    {t}{loc}旁边一家民宿起火了
    {t}{loc}的烧烤摊煤气罐爆了，火很大
    {t}{loc}有间铺子烧起来了
    {t}{loc}冒黑烟，好像是厨房着火
    {t}{loc}停车场有辆车自燃了
    {t}{loc}后面的草坪烧起来了，火往房子那边走
    {t}{loc}电线短路起火，火苗窜得老高
    {t}在{loc}，一栋木房子着火了
    {t}{loc}的小吃摊油锅起火，火苗窜到了遮阳棚上
    {t}{loc}一辆观光电瓶车冒烟起火
    {t}{loc}酒店的一间客房窗户往外冒火
    {t}{loc}有人放孔明灯，掉下来把草屋点着了
    {t}{loc}一个充电桩旁边的电动车起火了
    """)
FIRE_NOW = lines("""
    里面好像还有人
    消防车还没到
    火越烧越大
    大家都在往外跑
    浓烟呛得睁不开眼
    老板在拿灭火器，灭不掉
    整条街都是烟
    有人被困在二楼
    电瓶车在一辆接一辆地炸
    """)
FIRE_PAST = lines("""
    好在没人受伤，但整条街都熏黑了
    事后才知道消防通道被堵了
    烧了半个多小时才灭
    损失挺大，老板在哭
    到现在还是一片焦黑
    """)
CRUSH = lines("""
    {t}{loc}人太多，挤倒了好几个人
    {t}{loc}出口那里发生踩踏
    {t}{loc}人挤人，有个{kid}被挤倒踩了
    {t}{loc}散场的时候大家往外冲，有人摔倒被踩
    {t}{loc}人群推来推去，前面有人喘不过气晕倒了
    {t}{loc}楼梯口人堵死了，后面还在往前挤，有老人摔倒了
    {t}在{loc}，喷泉一结束几千人一起往外涌，有人被压在下面
    """)
CRUSH_NOW = lines("""
    现在还在挤
    没有工作人员疏导
    有人在喊别挤了
    孩子在哭，找不到大人
    保安根本拦不住
    """)
CRUSH_HAZARD = lines("""
    {t}{loc}人多到差点挤出事，还好没人受伤
    {t}{loc}出口只开一个小门，几千人往外挤，迟早要出事
    {t}{loc}看表演的人把台阶都站满了，栏杆被挤得直晃
    {t}{loc}限流根本没做，人贴人走不动
    {t}{loc}晚上灯光秀散场，没人疏导，挤得好危险
    {t}{loc}节假日人多，小孩差点被挤倒
    {t}{loc}的索道排队区栏杆被挤弯了，工作人员只有一个
    {t}{loc}台阶又窄又陡，上下的人挤在一起，老人差点摔
    {t}{loc}放烟花的时候桥上站满了人，桥都在晃
    {t}{loc}的入口检票太慢，几百人堵在一起往前挤
    """)
MISSING = lines("""
    {t}在{loc}和{kid}走散了，到处找不到
    {t}{loc}有个{kid}找不到爸妈，一直在哭
    {t}我家老人在{loc}走丢了，他有点糊涂，手机也没带
    {t}在{loc}，孩子一转眼就不见了
    {t}{loc}一个穿红衣服的{kid}不见了，家长急疯了
    {t}在{loc}，我奶奶说去上厕所，一直没回来
    {t}{loc}一位有阿尔茨海默病的{old}走失
    {t}{loc}我儿子跟旅行团走散了，电话打不通
    {t}{loc}有个家长在喊孩子的名字，孩子不见了
    {t}在{loc}附近，有个{kid}被陌生人领走，家长在找
    {t}在{loc}，我妈去拍照，一回头人不见了，她不认字
    {t}{loc}一个旅行团少了一个老人，导游在到处找
    {t}{loc}一个小女孩在游客中心哭，说找不到妈妈了
    {t}{loc}我家孩子跟着别的小朋友跑了，现在找不到了
    """)
MISSING_NOW = lines("""
    孩子五岁，穿黄色外套
    求大家帮忙留意
    已经找了半个小时
    景区广播在播寻人
    看到的请马上联系
    他不记得电话号码
    天快黑了，求求大家
    """)
STUCK = lines("""
    {t}{spot}的索道停在半空，我们被困在上面
    {t}{spot}索道突然停了，好几个车厢挂在半空
    {t}{spot}的观光车刹车失灵，冲到路边了
    {t}{spot}的小火车出轨了
    {t}{spot}的游乐设备卡住了，人倒挂在上面
    {t}{spot}洞里突然停电，一片漆黑，里面还有很多游客
    {t}{spot}的玻璃栈道有块玻璃裂了，上面还站着人
    {t}{spot}的游船发动机冒烟，船停在湖中间
    """)
STUCK_NOW = lines("""
    已经半个小时了没人来
    下面没人管
    孩子吓得一直哭
    手机快没电了
    工作人员说在处理，但一直没动静
    """)
STUCK_PAST = lines("""
    被困了一个多小时才放下来
    景区只退了票，一句道歉都没有
    事后说是设备检修不到位
    后来也没个通报
    在半空吊了四十分钟，没有任何广播
    下来以后工作人员一句解释都没有
    听说那天还有老人吓得犯了心脏病
    景区事后发了个通知说“设备例行维护”
    """)
HAZARD = lines("""
    {loc}的护栏断了一截，一直没人修
    {loc}栈道的木板烂了好几块，踩上去直晃
    {loc}山上有石头往下掉，旁边就是游客走的路
    {loc}的电线垂到地上，小孩就在旁边玩
    {loc}湖边的警示牌倒了，水很深也没人提醒
    {loc}的台阶长满青苔，滑得要命，没有扶手
    {loc}的消防通道被车堵得死死的
    {loc}民宿的燃气有味道，跟老板说了他不当回事
    {loc}游乐设施的螺丝都锈掉了
    {loc}的灭火器都过期好几年了
    {loc}洞里的照明坏了一半，黑乎乎的台阶很危险
    {loc}温泉池边的地砖碎了，割到了脚
    {loc}的大树被虫蛀空了，斜在步道上方
    {loc}水边没有救生圈，也没有救生员
    """)
SAFETY_ADVICE = lines("""
    {loc}的台阶下雨后特别滑，带老人的注意慢点走
    {loc}的温泉水温很高，小孩泡之前一定先试水
    {loc}紫外线很强，记得带帽子和防晒
    {loc}湖边拍照别靠太近，水比看起来深
    {loc}晚上灯光暗，带娃的一定牵好手
    {loc}的台阶又陡又长，膝盖不好的慎重
    {loc}洞里温度低、地面湿，穿防滑的鞋
    {loc}人多的时候看好孩子
    {loc}的坡有点陡，骑车下坡要捏好刹车
    {loc}有些地方没有护栏，拍照别往外站
    {loc}的索道风大的时候会晃，恐高的慎坐
    {loc}的温泉池不要泡太久，老人容易头晕
    {loc}夜里降温厉害，露营带够衣服
    {loc}湖边蚊子多，带好驱蚊水
    """)
HEAT = lines("""
    {t}{loc}有个游客中暑晕倒了，脸都白了
    {t}在{loc}，一个大爷突然倒地抽搐
    {t}{loc}一位阿姨泡温泉泡晕过去了
    {t}{loc}有人心脏病发作倒在路边
    {t}{loc}排队的一个{kid}热晕了
    {t}{loc}一个旅行团的老人突然晕倒，嘴唇发白
    {t}在{loc}，一个小伙子跑步跑着跑着倒下了
    {t}{loc}排队的时候前面一个孕妇晕过去了
    {t}{loc}有位大叔泡完温泉起身就倒了，叫不醒
    {t}{loc}一个阿姨被蜂蛰了，现在脸肿得厉害，喘不上气
    {t}在{loc}，一个{kid}被蛇咬了，腿肿起来了
    """)
HEAT_NOW = lines("""
    有没有医生
    已经打了120，还没到
    旁边的人在给他扇风
    现在叫不醒
    周围人在掐人中
    有人在做心肺复苏
    家属不知道该怎么办
    景区医务室没人
    """)

# ---------------------------------------------------------------- public order
FIGHT = lines("""
    {t}{loc}两伙人打起来了，有人拿着棍子
    {t}{loc}有人拿刀追着人砍
    {t}在{loc}，几个喝醉的男的在打一个游客
    {t}{loc}门口打架，有人被酒瓶砸了头
    {t}{loc}一群人围殴一个小伙子，打得满脸是血
    {t}{loc}两个摊主为了抢客人动手了，还抄起了凳子
    {t}{loc}有个男的掏出匕首威胁人
    {t}{loc}烧烤摊那边打起来了，桌子都掀了
    {t}{loc}游客和商户打成一团，有人倒在地上
    {t}在{loc}，一个醉汉拿着啤酒瓶到处挥
    {t}{loc}有人持械斗殴
    {t}{loc}几个人拿钢管在砸车，还在打人
    """)
FIGHT_NOW = lines("""
    还在打
    没人敢上去拉
    有人头破了在流血
    保安在旁边看着不敢管
    已经有人打110了，警察还没来
    周围游客都在跑
    """)
FIGHT_PAST = lines("""
    后来派出所来人把他们带走了
    听说有人被打进医院了
    到现在也不知道怎么处理的
    监控应该拍到了，希望严肃处理
    第二天还在那里摆摊，跟没事一样
    """)
ROB = lines("""
    {t}在{loc}，有人抢了一个阿姨的包就跑
    {t}{loc}一个骑电动车的把游客手机抢走了
    {t}{loc}有人偷钱包被发现了，还推倒了失主
    {t}在{loc}，一个男的抢了项链往停车场跑
    {t}{loc}有人拿刀抢劫，往东边跑了
    {t}{loc}两个人撬车门被发现，现在还在附近
    {t}{loc}有个男的抢了游客的相机往树林里跑
    {t}{loc}两个骑摩托的飞车抢包，把人带倒了
    {t}在{loc}，有人拿着刀逼游客交出手机
    {t}{loc}一个小偷被抓住，同伙拿棍子过来要人
    """)
ROB_NOW = lines("""
    人还没跑远，穿黑衣服
    快来人拦一下
    失主在后面追
    往停车场方向去了
    有人在追，求拦截
    被抢的阿姨摔倒了起不来
    """)
THEFT = lines("""
    {t}在{loc}手机被偷了
    {t}{loc}停车场车窗被砸，包没了
    {t}在{loc}排队的时候钱包被人摸走了
    {t}{loc}民宿里的充电宝和现金不见了
    {t}{loc}放在岸边的包被人拿了
    {t}在{loc}看表演，背包被划了个口子
    {t}{loc}停的电动车被偷了
    {t}{loc}泡温泉的时候储物柜被撬了
    {t}在{loc}，孩子的平板电脑被顺走了
    {t}{loc}租的自行车锁被剪了，车没了
    """)
THEFT_DETAIL = lines("""
    报了警，民警做了笔录，现在还没消息
    监控说坏了，看不到
    里面有身份证和银行卡，补办太麻烦了
    景区工作人员说不归他们管
    听说这个月已经好几起了
    """)
HARASS = lines("""
    {t}在{loc}，有个男的一直跟着我和闺蜜，甩都甩不掉
    {t}{loc}一个醉汉对女游客动手动脚
    {t}{loc}有人偷拍女生泡温泉
    {t}{loc}有个男的在女厕所门口转来转去
    {t}在{loc}，有人拦着女生要微信，不给就骂人
    {t}{loc}几个小混混围着游客要钱
    {t}{loc}有人拿着手机对着小孩拍，被发现了还骂人
    {t}{loc}一个男的跟踪两个女大学生，从景区一直跟到民宿门口
    {t}在{loc}，有个醉鬼拉着女游客不让走
    {t}{loc}一个男的在水边对着女生露体
    """)
HARASS_NOW = lines("""
    现在还在附近转悠
    我们躲进店里了，他在门口等
    不敢出去
    谁能过来陪一下
    保安不管
    我们在人多的地方等警察
    他还在盯着我们
    """)
SCAM = lines("""
    {t}在{loc}门口买了黄牛票，进去才知道是假的
    {t}{loc}有人冒充景区工作人员收“保护费”
    {t}{loc}一个自称导游的把我们拉去购物店，说不买不让走
    {t}{loc}有人扫码领礼品，结果被骗了{m}块
    {t}{loc}停车场有人贴了假的收款二维码
    {t}在{loc}，有人说帮忙拍照，拿着手机就跑了
    {t}{loc}有人卖所谓“开光手串”，说不买会倒霉，硬塞给游客
    {t}{loc}碰瓷的，故意撞上来说我们刮了他的车
    {t}{loc}有人假装迷路问路，同伙趁机掏包
    {t}在{loc}，网上订的一日游团交了定金，人就联系不上了
    """)
TOUTS = lines("""
    {loc}门口拉客的太多了，一直跟着走
    {loc}有人不停推销土特产，拒绝了还甩脸色
    {loc}晚上隔壁民宿一群人喝酒唱歌到三点
    {loc}排队的时候一直有人插队
    {loc}有乞讨的拉着游客的衣服不放
    {loc}有人开着音响跳广场舞，声音大到说话听不见
    {loc}门口黑车司机围着游客问坐不坐车，很烦
    {loc}总有人发小广告，地上全是传单
    {loc}夜市有人喝多了大声嚷嚷
    {loc}有小孩追着游客卖花，不买就一直跟
    {loc}门口卖花的小孩追着要钱，吓死我了
    {loc}民宿隔壁装修，早上七点开始电钻
    {loc}晚上有人放鞭炮，吓得孩子直哭
    {loc}有人拿着喇叭推销游船票，一直跟在后面喊
    """)

# ---------------------------------------------------------------- traffic
CRASH = lines("""
    {t}{loc}门口发生车祸，有人倒在地上
    {t}去{loc}的路上两车相撞，有人被卡在车里
    {t}{loc}一辆大巴侧翻了
    {t}{loc}观光车撞到了游客
    {t}在{loc}附近，一辆电动车被货车撞了，人飞出去好远
    {t}{loc}停车场一辆车倒车把老人撞倒了
    {t}去{loc}的盘山路上有车冲出护栏了
    {t}{loc}路口三车追尾，有人受伤
    {t}{loc}一辆自驾车翻到沟里了
    {t}在{loc}外面，一个{kid}被车撞了
    {t}{loc}附近摩托车撞了行人，司机也躺在地上
    {t}{loc}一辆越野车失控撞进了路边的小吃摊
    {t}{loc}门口一辆载满游客的面包车和渣土车撞了
    {t}{loc}骑行道上两辆自行车对撞，一个人头着地
    {t}{loc}有辆小车刹车失灵，冲下坡撞到了排队的人
    {t}通往{loc}的路上一辆旅游大巴追尾货车，挡风玻璃全碎了
    {t}{loc}有人酒驾，车直接撞上了护栏，车头冒烟
    """)
CRASH_NOW = lines("""
    地上好多血
    救护车还没来
    车里的人还没出来
    路全堵死了，警车进不来
    有人在打120
    司机想跑被拦住了
    """)
CRASH_PAST = lines("""
    听说伤者送医院了
    交警处理了一下午
    那个路口已经出了好几次事了
    到现在保险还在扯皮
    司机是无证驾驶
    """)
ROAD_RISK = lines("""
    去{loc}的山路急弯太多，还没有护栏
    {loc}附近的黑车开得飞快，还超载
    {t}坐了{loc}门口的黑车，司机一路打电话还超速
    {loc}门口的路坑坑洼洼，晚上没路灯
    {loc}那段下坡路刹车片都能闻到焦味，也没有警示牌
    {t}在{loc}附近看到好几辆车逆行
    {loc}的观光车司机开得特别猛，转弯差点把人甩出去
    {loc}附近有个路口红绿灯坏了好几天了
    去{loc}的路上有塌方的碎石，车只能贴着悬崖开
    {loc}门口的斑马线没人让，车直接冲
    {t}在{loc}，一辆面包车拉了十几个人跑
    {loc}附近的电动观光车无牌无证，在车流里乱窜
    {t}从{loc}回城，前车一直在山路上逆行超车
    {loc}门口的临时停车场在坡上，没有挡车石，车溜过好几次
    {loc}门口的路口没有红绿灯，车和游客混在一起走
    {t}在{loc}坐的摩的，三个人挤一辆，还逆行
    {loc}的山路晚上没路灯，还有大车超速
    {t}{loc}附近有人酒驾飙车，差点撞到我们
    {loc}附近的弯道反光镜被撞碎了一直没换
    {loc}的观光车超载，十几个人挤一辆，车门都关不上
    """)
JAM = lines("""
    {t}去{loc}的路堵死了，一个小时挪了一公里
    {loc}停车场满了，车排到大马路上
    {t}{loc}门口堵得水泄不通
    {loc}的停车位太少，转了半小时没找到位置
    {t}从高速下来到{loc}堵了一路
    {loc}门口乱停车，把路都占了
    {loc}的接驳车要排一个多小时
    {t}{loc}出来的路只有一条，散场全堵在一起
    {loc}附近导航乱指，绕了好大一圈
    {loc}的停车费一小时二十，还没位置
    {loc}停车排队排到怀疑人生，吓死
    {t}{loc}门口堵车堵到要命，半天一动不动
    {loc}人山人海，车比人还多，进去光找车位就一小时
    {t}{loc}的环线堵成了停车场
    {loc}附近的网约车根本打不到
    {t}{loc}附近封路了，也没有提前通知，只能绕行二十公里
    {loc}附近限行，外地车不让进，接驳车又少
    {t}{loc}的路在修，单边放行，等了四十分钟
    {loc}周边到处违停，公交车都过不去
    {t}去{loc}的高速出口排了两公里的车
    """)
TRAFFIC_NOTICE = lines("""
    {date}至{date}，{loc}周边道路实行交通管制，请过往车辆绕行
    节假日期间{loc}周边车流量大，请游客错峰出行，听从交警指挥
    因道路施工，通往{loc}的部分路段半幅通行，请减速慢行
    {loc}停车场车位已满，请游客将车辆停放至临时停车场，乘坐接驳车前往
    {date}起，{loc}周边实行单向通行，请驾驶人提前规划路线
    雨天路滑，前往{loc}的山区道路弯多坡陡，请谨慎驾驶
    {loc}举办活动期间，周边道路禁止停车，违者将被拖离
    {date}{clock}起，{loc}周边道路因举办活动临时封闭，请提前绕行
    春节期间前往{loc}车流量大，请游客错峰出行，优先选择公共交通
    {loc}附近山区道路有落石，请驾驶人减速慢行，不要在弯道停车
    """)

# ---------------------------------------------------------------- consumer
BILL_FIGHT = lines("""
    {t}在{loc}吃饭，结账时老板要{m}，不给就叫人把我们围起来
    {t}{loc}一家饭店因为价格吵起来，老板拿菜刀出来了
    {t}在{loc}，卖东西的跟游客因为价钱打起来了
    {t}{loc}有家店把游客锁在店里，不买东西不让走
    {t}{loc}一群黑导游拿棍子堵着游客要钱
    {t}在{loc}坐黑车，司机半路加价，不给就不让下车还动手
    {t}{loc}店老板和游客因为退款厮打在一起
    """)
OVERCHARGE = lines("""
    {t}在{loc}吃了顿饭，一条鱼收了{m}，说是按两算
    {t}{loc}的小吃街一碗米线{m}，菜单上根本没写价
    {t}在{loc}买了点特产，回去一称缺斤少两
    {t}{loc}坐了个游船，上船前说20，下船要{m}
    {t}在{loc}拍照，被穿民族服装的拉着合影，拍完要{m}块
    {t}{loc}的农家乐点了几个菜，结账{m}，说好的套餐价不算
    {t}{loc}附近打车，明明打表，司机非要一口价{m}
    {t}{loc}门口买了瓶水十五块
    {t}{loc}的民宿入住后说要另加{m}块清洁费
    {t}在{loc}，商家标的是“一件”，结账变成“一两”
    {t}{loc}的烧烤按串收钱，一串韭菜十块
    {t}在{loc}买了两斤水果，回去一称只有一斤二
    {t}{loc}的农家乐土鸡现杀现做，结账说鸡是按斤算的，一只{m}
    {t}{loc}坐了一次马车，说好十块钱，到了要一百
    {t}在{loc}买菌子，摊主说{m}一斤，称的时候秤明显有问题
    {t}{loc}的饭店菜单上写“时价”，结账时价{m}
    """)
FAKE_STAY = lines("""
    {t}在网上订了{loc}的民宿，到了发现跟照片完全两回事
    {t}订的{loc}海景房，到了是个没窗户的小黑屋
    {t}{loc}的民宿到店说没房了，钱也不退
    {t}在某平台订了{loc}的房，到地方根本没有这家店
    {t}{loc}的民宿房间有霉味，床单有头发，要求换房被拒
    {t}{loc}的酒店宣传有温泉，到了说温泉在维修
    {t}在{loc}订了“温泉民宿”，到了发现温泉是浴缸
    {t}{loc}的民宿房东临时加价，说节假日要补三百
    {t}{loc}订的家庭房，到了只有一张床，老板说加床另算
    {t}{loc}的民宿照片是P的，隔音差到能听见隔壁打呼
    {t}订了{loc}的民宿，到门口联系不上房东，钱已经付了
    """)
REFUND = lines("""
    {t}{loc}的门票买了没去成，退票被拒
    {t}在{loc}办的年卡，用了两次就说不能用了
    {t}{loc}下雨索道停了，票却不给退
    {t}{loc}的套票说好包含游船，现场又要另外收钱
    {t}{loc}的团购券到店说不认
    {t}在{loc}充了{m}的会员卡，店关门了，老板跑了
    {t}{loc}的活动临时取消，说退款七个工作日，到现在一分没到
    {t}{loc}的温泉因为检修关了，预约的票说不能退只能改期
    {t}在{loc}买了年票，景区换了管理公司就不认了
    {t}{loc}的露营套餐因为下雨取消，押金拖着不退
    {t}{loc}的民宿提前一周退订，说好全额退，到手只退了一半
    """)
FORCED = lines("""
    {t}跟团去{loc}，导游把我们拉到玉石店关了两个小时
    {t}{loc}的一日游，一半时间在购物店
    {t}团费{m}块去{loc}，结果每个点都要强制消费
    {t}{loc}的导游说不买东西就不带我们去景点了
    {t}去{loc}的低价团，导游在车上骂人不购物
    {t}{loc}的“免费一日游”，实际上被拉去三个购物点，每个点待一个多小时
    {t}跟团来{loc}，导游说不消费满五百就是不给面子，一路黑脸
    {t}{loc}的茶叶店，导游把门一关开始推销，一斤茶要两千
    {t}坐车去{loc}，司机半路停在一个玉器店，说不进去不走
    {t}{loc}的“特价团”，导游收走身份证，说买完东西再还
    """)
PRICEY = lines("""
    {loc}的东西有点小贵，一杯奶茶二十多
    {loc}门票{m}，感觉有点不值
    {loc}里面吃饭贵，还不好吃
    {loc}的停车费有点贵
    {loc}的温泉票价又涨了
    {loc}的观光车单独收费，感觉是在割韭菜
    {loc}的纪念品和外面比贵了一倍
    {loc}的项目都要额外收费，门票就是个入场券
    {loc}的烧烤分量太少，价格不便宜
    {loc}的烤肠十五一根，吓死我了
    笑死，{loc}一瓶水卖我十块
    {loc}的门票加观光车加游船，一家人下来小一千，有点肉疼
    {loc}的停车场按小时收，玩一天停车费比门票还贵
    {loc}的温泉单次票涨到了{m}，有点贵
    {loc}的游船半小时{m}，不太值
    {loc}的小吃价格是外面的两倍，景区价吧
    {loc}停车收费不透明，也没有价目表
    """)
SARCASM = lines("""
    {loc}真是“太值了”呢，一碗米线吃出了米其林的价格
    感谢{loc}让我花{m}块买了一肚子气
    {loc}的服务可真是“贴心”啊，贴心到多收了我{m}
    好一个“人间仙境”，{loc}的一盘炒饭卖到{m}
    {loc}这价格，我还以为我在迪拜呢，呵呵
    下次还来{loc}（才怪）
    {loc}的老板真是“热情”，热情到不买就不让走
    给{loc}点个“赞”：门票{m}，看了个寂寞
    {loc}可真是“物美价廉”啊，美的是老板，廉的是服务
    感谢{loc}的停车场，停两小时收{m}，让我体验了一把当“大款”的快乐
    {loc}的民宿“与自然亲密接触”：房间里有蚂蚁有蚊子还有蜘蛛
    哇，{loc}的服务员真“高冷”，叫了五遍都没人理
    {loc}的温泉票{m}，泡了二十分钟就说到点了，真是“太值了”
    在{loc}花{m}坐了十分钟游船，真是“太值了”呢
    {loc}的“特色小吃”，特色就是贵，佩服佩服
    {loc}的停车场真“便宜”，停三个小时才{m}而已
    谢谢{loc}给我上了一课：景区里面的东西千万别买
    {loc}的老板太会做生意了，一杯白开水也要收钱，服了
    """)

# ---------------------------------------------------------------- health
MUSHROOM = lines("""
    {t}在{loc}附近农家乐吃了野生菌，一桌人都开始吐
    {t}我们吃了{loc}的菌子火锅，现在好几个人看到小人了
    {t}{loc}一家店吃完饭，孩子上吐下泻，现在脸色发白
    {t}一起吃饭的{n}个人都肚子疼，在{loc}的民宿起不来
    {t}在{loc}吃了见手青，朋友开始说胡话
    {t}{loc}的长街宴吃完，好多人都吐了
    {t}{loc}有个游客吃了路边买的菌子晕倒了
    {t}在{loc}吃了自己采的菌子，我老公现在说墙在动
    {t}{loc}的菌子火锅吃完，一家三口都在卫生间吐
    {t}{loc}的一桌客人吃完饭集体头晕，有个阿姨已经站不起来了
    {t}在{loc}吃了凉拌菜，同行的老人上吐下泻，开始发抖
    """)
MUSHROOM_NOW = lines("""
    救护车在路上了
    有没有人知道最近的医院
    人已经有点迷糊了
    店老板不承认是他家的问题
    一直在吐，脸色很差
    有人开始抽搐了
    孩子已经叫不醒了
    """)
POISON_PAST = lines("""
    {t}在{loc}吃了一顿，回去全家拉了两天肚子
    {t}{loc}的自助餐吃完，我们一行{n}个人都进了医院
    {t}在{loc}吃了凉拌菜，当晚就开始发烧腹泻
    {t}{loc}的早餐不干净，吃完上吐下泻，去医院挂了水
    {t}在{loc}吃了野生菌，住了三天院
    {t}{loc}泡完温泉全身起红疹，医生说是水质问题
    {t}{loc}游泳池的水太脏，孩子回来眼睛发炎了
    {t}在{loc}喝了现榨的果汁，当晚全家拉肚子
    {t}{loc}吃了烧烤，我和朋友连续两天肠胃炎
    {t}{loc}的团餐吃完，一车的游客有一半进了医院
    {t}在{loc}吃的米线，回去就吐了，医生说是细菌感染
    {t}{loc}的泳池泡完，孩子得了红眼病
    """)
HYGIENE = lines("""
    {loc}的厕所太脏了，没法下脚
    {loc}的小吃摊苍蝇到处飞
    {loc}的餐具上还有上一桌的油
    {loc}的温泉池水看着有点浑
    {loc}的被子有股霉味
    {loc}卖的凉粉感觉不新鲜
    {loc}的公厕没有纸也没有洗手液
    {loc}的饭菜里吃出了头发
    {loc}的民宿毛巾黄黄的，不敢用
    {loc}的垃圾桶满了没人清，臭得很
    {loc}的厕所排队半小时，进去没法下脚，要命
    {loc}的温泉池边上全是头发
    {loc}餐馆的后厨就在路边，能看到老鼠跑
    {loc}的冷饮店冰块看着就不干净
    {loc}的自助餐盘子都是湿的，还有股味
    {loc}的凉米线放在外面也不盖，苍蝇落了一层
    {loc}民宿的床单上有别人的头发和污渍
    {loc}的饮用水龙头边上全是水垢
    {loc}卖的烤肉颜色发暗，闻着有味
    {loc}的公共卫生间地上积水，气味很大
    """)

# ---------------------------------------------------------------- disaster
FOREST_FIRE = lines("""
    {t}{loc}后山起火了，烟很大
    {t}{loc}的林子里冒起浓烟，火往下蔓延
    {t}{loc}那边山火，火线有几百米长
    {t}在{loc}看到山上着火，风很大
    {t}{loc}的松树林烧起来了，露营的人在往外跑
    {t}{loc}附近有人上坟烧纸引燃了山林
    {t}{loc}的山头一片红，火越烧越近
    {t}{loc}后面的山冒起一股黑烟，越来越大
    {t}{loc}对面山坡有明火，风把火星吹到这边来了
    {t}{loc}附近的林子着火了，烧得噼里啪啦响
    {t}{loc}有人烧荒，火已经跑进了松林
    {t}{loc}的营地边上有人烧烤，草地着了，火往林子里跑
    {t}{loc}山上的火光晚上都看得见，景区在喊人撤离
    """)
FIRE_WILD_NOW = lines("""
    露营的人还在往外撤
    消防车进不去
    直升机还没来
    风一吹火就往这边跑
    景区在疏散游客
    """)
FLOOD = lines("""
    {t}{loc}突然涨水，好几个人被困在对岸
    {t}{loc}发生泥石流，冲下来的泥把车埋了
    {t}{loc}山体滑坡，有车被压在下面
    {t}暴雨把{loc}淹了，水已经到腰了
    {t}{loc}的河水暴涨，一辆车被冲走了
    {t}{loc}打雷劈中了一棵树，旁边躲雨的人倒了
    {t}{loc}的山洪冲下来了，游步道上还有人没撤
    {t}{loc}边上的土坡塌了，一辆车被埋了一半
    {t}{loc}下冰雹，砸碎了车玻璃，有游客被砸伤头
    {t}{loc}狂风把广告牌吹倒了，砸到了路过的人
    {t}{loc}下暴雨，山上冲下来的泥水把路冲断了，车困在中间
    {t}{loc}的溪水一下子涨起来，对岸还有一家人过不来
    {t}{loc}一棵大树被风刮倒，压在了一辆车上，车里有人
    {t}{loc}积水已经淹到车门，有辆车熄火了人还在里面
    """)
SLIDE_PAST = lines("""
    {t}{loc}的路塌方了，好在没人受伤，现在还封着
    {t}的暴雨把{loc}的栈道冲坏了一段
    {t}大风把{loc}的树刮倒了，砸坏了几辆车
    {t}{loc}上面的山体有裂缝，一下雨就掉石头
    {t}冰雹把{loc}的大棚和屋顶砸烂了
    {t}{loc}积水很深，车泡在水里，到现在还没排掉
    {t}{loc}山上冲下来好多泥石，栈道封了
    {t}{loc}那条路的路基被水掏空了，车过的时候都在晃，现在还没修
    {t}的大风把{loc}的帐篷都掀了，好在人没事
    {t}{loc}打雷把变压器劈了，停电一晚上
    {t}{loc}下暴雨河水漫上了步道，景区没拉警戒线
    {t}{loc}的山体滑坡把停车场埋了一半，好在是晚上没人
    {t}{loc}一场冰雹下来，景区的玻璃房全碎了
    {t}{loc}旁边的山坡出现大裂缝，景区到现在还开放
    {t}{loc}内涝，游步道的木板被泡烂了
    """)
WEATHER = lines("""
    气象台发布暴雨黄色预警，近期去{loc}的游客注意安全
    这几天有大风，{loc}的露营要注意固定帐篷
    雷雨季节，在{loc}遇到打雷别在树下躲雨
    未来三天有强降雨，{loc}的山路可能有落石
    天气预报说明天有冰雹，计划去{loc}的朋友改个时间吧
    高温预警，{loc}中午别在外面暴晒
    森林防火期，{loc}禁止野外用火，露营别生火
    连续降雨，{loc}河边水位上涨，别去河边玩水
    明天弥勒有雷阵雨，去{loc}的朋友带伞，别在湖边逗留
    大风蓝色预警，{loc}的露营活动建议改期
    这两天{loc}那边雾大，开车注意减速
    暴雨预警来了，这几天别去{loc}那边的山沟沟里
    气象台发布冰雹预警，{loc}的露营区帐篷收一收
    这几天雷暴多，{loc}的索道可能会停，出发前问一下
    干旱季节防火形势严峻，{loc}禁止一切野外用火
    强对流天气，{loc}的游船可能停航，计划去的先看通知
    """)

# ---------------------------------------------------------------- police
POLICE_COMPLAINT = lines("""
    {t}在{loc}报警说手机被偷，民警态度很差，说这种事多了去了
    {t}在{loc}被人打了，打110半个多小时才出警
    {t}{loc}门口停了两分钟就被贴条，周围没有一个禁停标志
    {t}在{loc}报案，值班的说不归他们管，推来推去
    {t}{loc}的辅警对游客大吼大叫，还推了我爸一把
    {t}在{loc}被宰客，找警察，警察说去找市场监管
    {t}{loc}查车的态度很凶，问个路都不耐烦
    {t}在{loc}报警后一直没人联系我们，案子就没下文了
    {t}{loc}的交警只罚外地车，本地车乱停不管
    {t}{loc}的民警处理纠纷明显偏向商家
    {t}在{loc}丢了孩子，去警务室求助，里面没人值班
    {t}{loc}执法的时候有人被按在地上，视频都传开了
    {t}在{loc}和商家起纠纷，打了110，来的民警一句话就把我们打发了
    {t}{loc}门口的交警开单子，我问哪里写了禁停，他说“你自己看”
    {t}在{loc}被偷了钱包，派出所说金额太小不立案
    {t}{loc}的辅警对外地游客说话很冲，问路都被吼
    {t}在{loc}报警，警察来了先问我们是哪里人
    {t}{loc}的民警处理车祸半天不来，来了还说我们堵路
    {t}{loc}执勤的协警收了罚款不给票
    {t}{loc}警务室的人说“这个不归我们管，你去找景区”
    {t}在{loc}遇到交警查车，态度恶劣，还把我手机拿走了
    {t}在{loc}被人骚扰报警，民警说“没动手就不算事”
    """)
POLICE_CONFLICT = lines("""
    {t}{loc}门口辅警和游客打起来了，有人倒在地上
    {t}在{loc}，执法的和摊贩起冲突，围了一大群人在推搡
    {t}{loc}有人袭警，现在场面很乱
    {t}{loc}一个醉汉抢了辅警的对讲机，还在打人
    {t}在{loc}，城管和游客扭打，有人被打破头
    {t}{loc}门口民警和一群喝醉的游客起冲突，有人拿酒瓶砸警车
    {t}在{loc}，辅警追一个无证摊贩，两边推搡，有个老人被撞倒了
    {t}{loc}有人不服交警处罚，开车冲卡，撞到了执勤的辅警
    {t}{loc}执勤民警被几个人围住推打，场面失控
    {t}在{loc}，景区保安和游客打起来，来的辅警也被拉扯进去了
    """)
POLICE_LOW = lines("""
    {loc}门口查酒驾排队有点久
    {loc}附近反诈宣传的人拦着要扫码，有点烦
    {loc}的警务室不好找，指示牌太小
    {loc}门口的交警指挥太多手势，看不懂往哪走
    {loc}的警务室中午没人，电话打了才来
    {loc}的警车把停车场入口挡住了一半
    {loc}门口交警让所有车都掉头，也不说为什么
    {loc}附近查身份证查得有点频繁，不过理解
    {loc}的警务室贴的电话打不通
    {loc}门口执勤的辅警一直在玩手机
    {loc}巡逻车停在步行街中间，挡路
    {loc}的反诈宣传喇叭一直循环播放，吵得人头疼
    {loc}的交警指挥手势有点看不懂，绕了两圈
    {loc}的警务室指示牌都被树挡住了
    {loc}周末交通管制，辅警解释得不太清楚
    {loc}查车排了二十分钟，有点耽误行程
    """)

POLICE_NEWS = lines("""
    网民反映在{loc}报警后民警迟迟未到，{auth}回应：已对当日出警情况进行核查，将依规处理
    {date}，网传{loc}执勤辅警推搡游客视频引发关注，{auth}通报：涉事辅警已停职接受调查
    针对游客反映{loc}周边交警执法简单粗暴的问题，{auth}表示已约谈相关人员并开展整改
    {date}，有游客投诉在{loc}报案时遭民警推诿，{auth}纪检部门已介入调查
    关于网民反映{loc}附近“只罚外地车”的情况，{auth}回应称将全面核查执法记录
    {date}，{loc}警务室值班人员脱岗被游客投诉，{auth}已对相关责任人作出处理
    """)


# ---------------------------------------------------------------- environment
LITTER = lines("""
    {loc}的湖边全是塑料袋和饮料瓶
    {loc}的草坪上都是游客留下的垃圾
    {loc}的水面漂着一层垃圾，看着难受
    {loc}的烧烤区一地竹签和纸盒，没人收拾
    {loc}有人往湖里扔东西喂鱼
    {loc}步道边上有人乱扔烟头
    {loc}露营的人走了，垃圾全留在原地
    {loc}的溪水有股怪味
    {loc}的垃圾桶旁边堆满了外卖盒，臭得要命
    {loc}的草坪被踩秃了好几块
    {loc}河边有人洗衣服，泡沫漂了一大片
    {loc}有人在古树上刻字
    {loc}的步道边全是狗屎，没人管
    {loc}的湖面漂着塑料瓶和泡沫盒
    {loc}露营地的篝火灰堆得到处都是
    {loc}的路边堆满了装修垃圾
    {loc}的溪沟里有人倒了剩饭剩菜
    {loc}到处都是小广告和喷漆
    """)
POLLUTION = lines("""
    {t}在{loc}看到有人偷偷砍树往车上装
    {t}{loc}旁边有个管子往湖里排黑水
    {t}{loc}的湖里死了好多鱼，漂了一片
    {t}{loc}附近有人电鱼，还不止一次
    {t}{loc}后山被挖了一大片，听说是偷挖石头的
    {t}{loc}附近的养殖场往河里排粪水，臭得不行
    {t}在{loc}，有人在林子里挖兰花和野生植物去卖
    {t}{loc}的温泉废水直接排到了田里
    {t}{loc}有人在湖边洗车，泡沫流进湖里
    {t}{loc}周边有人焚烧垃圾，整片烟
    {t}{loc}的湖面出现一大片绿藻，味道很冲
    {t}{loc}有人开着挖掘机在河道里挖沙
    {t}在{loc}看到有人用网捕鸟，网上挂着好几只
    {t}{loc}附近的山被挖开了一个大口子，树全倒了
    {t}{loc}的温泉酒店把废水排进了旁边的小河
    {t}{loc}的湿地被填了一大块，听说要盖房子
    {t}在{loc}，有人往林子里倾倒建筑垃圾
    {t}{loc}边上的油库漏油，水面上一层油花
    """)
ENV_HIGH = lines("""
    {t}{loc}有人在林子边烧垃圾，火已经引到树上了
    {t}{loc}附近一辆罐车侧翻，不知道什么液体流进河里，味道刺鼻
    {t}{loc}有人在山上烧荒，火往景区这边蔓延
    {t}{loc}旁边的化工厂冒黄烟，游客开始咳嗽
    {t}{loc}附近有人在林子里烧秸秆，风一吹火就窜到松树上了
    {t}{loc}上游的尾矿坝好像漏了，河水变成红色，下游还有人在玩水
    {t}{loc}的露营区有人乱扔烟头，草地着起来了，火正往林子里跑
    {t}{loc}旁边的工地把一大桶油漆倒进了湖里，湖边的孩子还在玩水
    """)

# ---------------------------------------------------------------- nothing to act on
PRAISE = lines("""
    {loc}的风景太好了，空气里都是甜的
    第一次来{loc}，完全被惊艳到了
    {loc}一点都不坑，门票还便宜
    {loc}的晚上特别美，拍照很出片
    带爸妈来{loc}，他们玩得很开心
    {loc}的工作人员很热情，问路都耐心指
    {loc}人山人海，但是真的值得
    救命，{loc}也太好看了吧
    {loc}美哭了，没想到弥勒这么好玩
    {loc}完全没有想象中那么挤，体验很好
    {loc}没有遇到任何拉客的，很舒服
    笑死，在{loc}拍了三百张照片，张张都好看
    {loc}的温泉泡得我都不想走了
    {loc}真的是宝藏景点，人少景美
    {loc}干净整洁，厕所都很干净
    本来没抱什么期待，{loc}给了我大惊喜
    {loc}的性价比绝了，强烈推荐
    吓死我了，{loc}怎么能这么美
    在{loc}坐了一下午发呆，太治愈了
    {loc}的小吃不贵还好吃，老板很实在
    {loc}的夜景绝了，拍照的人很多但不乱
    去了{loc}才知道弥勒这么宜居
    在{loc}待了三天，一点都不想回去上班
    {loc}的民族风情很浓，晚上特别热闹
    {loc}比网上说的还好，不踩雷
    {loc}管理得很好，排队有序，服务周到
    {loc}的工作人员会主动帮老人推轮椅，很暖心
    {loc}厕所居然有热水和护手霜，细节满分
    {loc}早上人少，鸟叫声特别好听
    {loc}的导游讲解很有意思，一点都不枯燥
    {loc}的停车场很大，一点也不堵
    {loc}晚上的灯光秀太震撼了，孩子看得目不转睛
    {loc}不用排队，体验感拉满
    {loc}干净得不像景区，地上连烟头都没有
    冲着{loc}来的，没失望
    {loc}物价很良心，不宰客
    {loc}的温泉水很舒服，泡完全身轻松
    {loc}的工作人员提醒我们注意安全，细心
    {loc}的讲解员讲了好多本地的故事
    {loc}的晚霞太绝了，手机随手拍都是大片
    {loc}安排得井井有条，节假日也不乱
    """)
PRAISE_POLICE = lines("""
    {t}在{loc}孩子走丢了，民警十分钟就帮我们找到了，太感谢了
    {t}在{loc}手机丢了，警务室的民警帮忙调监控找回来了，点赞
    {t}在{loc}车坏在半路，交警帮忙推车还叫了拖车，很暖心
    {t}老人在{loc}走失，派出所民警陪我们找了一下午，找到了，感谢
    {t}在{loc}钱包被捡到，民警联系上我送回来了，一分没少
    {t}在{loc}中暑，旅游警察送来了水和药，太贴心了
    {t}在{loc}跟店家有点纠纷，民警调解得很公道，给弥勒警察点赞
    {t}在{loc}迷路，巡逻的民警开车把我们送回了酒店
    """)
QUESTION = lines("""
    {loc}门票多少钱？需要提前预约吗？
    请问{loc}几点关门？
    带老人去{loc}方便吗？要走很多路吗？
    {loc}有停车场吗？停车收费吗？
    从弥勒站打车去{loc}大概多少钱？
    {loc}适合带几岁的小孩去？
    {loc}晚上还有表演吗？
    {loc}和{loc2}一天能玩完吗？
    {loc}附近有什么好吃的推荐吗？
    {loc}需要穿什么鞋？
    {loc}可以带狗进去吗？
    {loc}现在人多吗？
    {loc}周边有没有干净实惠的民宿？
    {loc}的温泉要自己带泳衣吗？
    {loc}下雨天还值得去吗？
    {loc}学生证能打折吗？
    {loc}有没有直达的公交？
    {loc}夜里能不能露营？
    {loc}要玩多久？半天够吗？
    {loc}的门票包含观光车吗？
    {loc}有没有寄存行李的地方？
    {loc}推着婴儿车方便吗？
    {loc}中午能进去吃饭吗？还是要自己带？
    {loc}晚上几点以后就不能进了？
    {loc}附近有充电桩吗？开电车去的
    {loc}是在弥勒城里还是要开车？
    {loc}和{loc2}哪个更适合拍照？
    {loc}有没有无障碍通道？家里有坐轮椅的老人
    {loc}的门票可以现场买吗？
    {loc}附近有加油站吗？
    {loc}雨季去会不会很滑？
    {loc}可以自带食物吗？
    """)
NOTICE = lines("""
    {date}起，{loc}延长开放时间至晚上十点
    {loc}将于{date}举办音乐节，欢迎广大游客前来参加
    {date}，{loc}开展阿细跳月民俗文化展演活动
    {loc}推出夏季夜游项目，{date}正式开放
    {loc}对60岁以上老人实行门票减免
    {date}，{loc}新建游客服务中心投入使用
    {loc}即日起开通微信预约购票
    {date}，{loc}举办摄影作品展，展期一个月
    {loc}将于{date}闭园维护一天，给您带来不便敬请谅解
    {loc}新增直通弥勒东站的旅游专线公交
    {date}，{loc}开展景区警务室开放日活动
    {loc}获评省级旅游度假区
    {loc}即日起对全国中小学生实行半价优惠
    {date}起，{loc}周末增开夜场，开放至22时
    {loc}与弥勒东站之间开通免费接驳车，每半小时一班
    {date}，{loc}举办“福地弥勒”文化旅游节开幕式
    {loc}新设母婴室和无障碍通道，方便特殊群体游览
    {date}，{loc}开展消防应急演练，部分区域暂停开放两小时
    """)
MIXED = lines("""
    {loc}风景不错，就是吃的一般
    {loc}还行吧，不算惊艳也不算失望
    {loc}拍照好看，但是太晒了
    {loc}适合小孩，大人可能觉得有点无聊
    {loc}设施有点旧，不过景色还可以
    {loc}人有点多，好在服务还可以
    {loc}一般般，来一次就够了
    {loc}中规中矩，离市区近是优点
    {loc}白天普通，晚上灯亮了才好看
    {loc}值不值得去见仁见智吧
    {loc}景色可以，服务一般，价格偏高
    {loc}晚上比白天好看，白天太晒
    {loc}吃的贵，但是景色确实好
    {loc}还可以，就是离城区有点远
    {loc}拍照出片，但是人真的多
    {loc}有好有坏吧，带孩子的可以去
    """)
MEH = lines("""
    {loc}没什么意思，不太推荐
    {loc}就是个公园，有点名不副实
    {loc}感觉被网红照片骗了，实际很普通
    {loc}有点失望，没有想象中好看
    {loc}商业化太重，没什么特色
    {loc}不好玩，逛半小时就出来了
    {loc}除了拍照没啥好玩的
    {loc}名气大于实际，来一次就够
    {loc}太商业化了，到处是卖东西的
    {loc}看照片挺美，实地一般
    {loc}有点无聊，小孩逛了半小时就吵着要走
    {loc}和别的古镇差不多，没什么特色
    """)
ITINERARY = lines("""
    上午{loc}，下午{loc2}，晚上回城吃烧烤
    第一天{loc}，第二天{loc2}，两天刚刚好
    {loc}和{loc2}离得不远，可以一天串起来
    先去{loc}泡温泉，再去{loc2}拍照
    弥勒两日游：{loc}→{loc2}，自驾很方便
    {loc}逛完直接去{loc2}看日落，完美
    {loc}半天，{loc2}半天，晚上回城里吃烧烤
    早上{loc}人少，中午转场{loc2}，下午光线正好
    带娃的话推荐{loc}+{loc2}，路程都不远
    {loc}住一晚，第二天一早去{loc2}
    没时间的话{loc}和{loc2}二选一，我选前者
    {loc}→{loc2}，自驾四十分钟，路况不错
    """)
TOWN_POSTS = lines("""
    周末来{loc}转转，古镇很安静
    {loc}的早市好热闹，买了好多菌子
    在{loc}住了一周民宿，每天睡到自然醒
    {loc}的米线比城里好吃
    有人去过{loc}吗？值得去吗？
    {loc}的老街很有味道，适合慢慢逛
    来{loc}旅居半个月了，气候太舒服了
    {loc}有什么好玩的地方推荐吗？
    开车经过{loc}，路两边的葡萄园好漂亮
    在{loc}的农家乐吃了顿饭，土鸡很香
    {loc}的赶街天好热闹，什么都有卖的
    {loc}周边的小山村很安静，适合发呆
    周末自驾去了{loc}，路上风景很好
    {loc}的烤鸭很出名，专门去吃了一次
    {loc}的民宿老板很热情，请我们喝自酿的酒
    在{loc}住了一晚，晚上星星特别多
    """)
HARD_POS = lines("""
    锦屏山的弥勒大佛太壮观了，站在下面觉得自己好渺小
    来弥勒一定要上锦屏山看弥勒大佛
    从建水自驾到弥勒，第一站就去了湖泉
    昆明出发两个小时就到弥勒了，周末去湖泉泡温泉刚好
    在蒙自工作，周末经常来弥勒东风韵拍照
    红河水乡的夜景比想象中好看，古镇的灯一亮很有感觉
    红河州这么多地方，我最喜欢弥勒的红河水乡
    游完元阳梯田，最后一站来了弥勒可邑小镇，很惊喜
    锦屏山上拜了弥勒佛，下山去湖泉泡了温泉
    弥勒太平湖森林公园的小火车很适合带娃
    弥勒的白龙洞比我在别的地方看过的溶洞都好看
    红河水乡的游船坐一圈半小时，很舒服
    """)

# The counts are tuned so that every category has ≥ 200 positives and `high` ≥ 400 (see README).
TW = ("weibo", "douyin", "tieba", "xiaohongshu")
FAMILIES: list[Family] = [
    # safety
    Family(
        "safety-drown-now",
        95,
        "high",
        ("safety",),
        core=DROWN,
        detail=DROWN_NOW,
        time="now",
        react="high",
        opener="witness",
        styles=(*TW, "notice"),
        formal=lines("""
               {date}{clock}，{loc}有游客落水，{auth}与消防救援人员正在现场搜救，请周边群众不要围观
               {clock}，{auth}接警：{loc}水域一名游客落水，救援正在进行中
               【紧急】{loc}水域有儿童落水，救援人员正在水中搜寻，请岸边游客让出救援通道
               {clock}，{loc}一艘游船侧翻，{n}名游客落水，{auth}、消防和景区救生员正在全力施救
               {loc}刚刚发生落水警情，现场正在救援，请周边游客不要围观、不要下水
               """),
        place="spot",
    ),
    Family(
        "safety-drown-past",
        50,
        "medium",
        ("safety",),
        core=DROWN,
        detail=DROWN_PAST,
        time="past",
        react="medium",
        opener="complain",
        styles=(*TW, "news"),
        formal=lines("""
               {date}{clock}，{loc}发生一起游客溺水事件，落水者经送医抢救无效死亡，具体原因正在调查
               {date}，一名游客在{loc}落水，经民警和景区工作人员合力救起，已无生命危险
               {date}{clock}，{loc}一名游客不听劝阻下水游泳，不幸溺亡，{auth}提醒游客切勿在非游泳区域下水
               {date}，{loc}一名男童落水，被路过游客救起，送医后已无大碍
               {date}，{loc}发生一起游船侧翻事件，船上游客均被救起，景区已暂停游船项目并开展安全检查
               """),
        place="spot",
    ),
    Family(
        "safety-fall-now",
        55,
        "high",
        ("safety",),
        core=FALL,
        detail=FALL_NOW,
        time="now",
        react="high",
        opener="witness",
        place="spot",
    ),
    Family(
        "safety-fall-past",
        40,
        "medium",
        ("safety",),
        core=FALL,
        detail=FALL_PAST,
        time="past",
        react="medium",
        opener="complain",
        styles=(*TW, *REVIEW),
        place="spot",
    ),
    Family(
        "safety-fire-now",
        55,
        "high",
        ("safety",),
        core=FIRE,
        detail=FIRE_NOW,
        time="now",
        react="high",
        opener="witness",
        styles=(*TW, "notice"),
        formal=lines("""
               {clock}，{loc}一商铺发生火情，消防救援力量已赶赴现场处置，请周边游客有序撤离
               【突发】{loc}附近一民宿起火，浓烟较大，消防正在扑救，请游客远离现场
               {clock}，{loc}发生火情，现场有人员被困，消防救援人员正在紧急处置
               {loc}一餐馆厨房起火，火势正在蔓延，{auth}已疏散周边游客
               """),
    ),
    Family(
        "safety-fire-past",
        25,
        "medium",
        ("safety",),
        core=FIRE,
        detail=FIRE_PAST,
        time="past",
        react="medium",
        styles=(*TW, "news"),
        formal=lines("""
               {date}{clock}，{loc}一民宿发生火灾，明火已被扑灭，无人员伤亡，起火原因正在调查
               {date}，{loc}一家烧烤店因操作不当引发火灾，过火面积约{n}十平方米，无人员伤亡
               {date}{clock}，{loc}一辆停放车辆自燃，明火被及时扑灭，无人员受伤
               {date}，{loc}一民宿因电线老化起火，消防部门对周边民宿开展隐患排查
               """),
    ),
    Family(
        "safety-crush-now",
        40,
        "high",
        ("safety",),
        core=CRUSH,
        detail=CRUSH_NOW,
        time="now",
        react="high",
        opener="witness",
        place="spot",
    ),
    Family(
        "safety-crush-hazard",
        30,
        "medium",
        ("safety",),
        core=CRUSH_HAZARD,
        time="any",
        react="medium",
        styles=(*TW, *REVIEW),
        place="spot",
    ),
    Family(
        "safety-missing-now",
        85,
        "high",
        ("safety",),
        core=MISSING,
        detail=MISSING_NOW,
        time="now",
        react="high",
        opener="witness",
        styles=(*TW, "notice"),
        sentiment=("neg", "neu"),
        formal=lines("""
               【紧急寻人】{date}{clock}，一名{n}岁男孩在{loc}与家人走散，身穿蓝色短袖，请知情者立即拨打110
               {clock}，{loc}一名七十多岁老人走失，患有记忆障碍，民警正在搜寻，请游客留意
               寻人：今天{clock}，一名女童在{loc}走失，扎两个小辫，请看到的游客联系现场工作人员或拨打110
               【寻人】{clock}，一名{n}岁女孩在{loc}走失，穿白色连衣裙，请发现者立即联系景区工作人员或拨打110
               {clock}许，一名走失老人最后出现在{loc}附近，身穿灰色外套，说话口音较重，{auth}正在组织搜寻
               """),
        place="spot",
    ),
    Family(
        "safety-stuck-now",
        30,
        "high",
        ("safety",),
        core=STUCK,
        detail=STUCK_NOW,
        time="now",
        react="high",
        place="spot",
    ),
    Family(
        "safety-stuck-past",
        30,
        "medium",
        ("safety",),
        core=STUCK,
        detail=STUCK_PAST,
        time="past",
        react="medium",
        styles=(*TW, *REVIEW),
        place="spot",
    ),
    Family(
        "safety-hazard",
        65,
        "medium",
        ("safety",),
        core=HAZARD,
        react="medium",
        opener="complain",
        styles=(*TW, *REVIEW),
        place="spot",
    ),
    Family(
        "safety-advice",
        55,
        "low",
        ("safety",),
        core=SAFETY_ADVICE,
        react="low",
        sentiment=("neu",),
        styles=(*TW, *REVIEW, "notice"),
        formal=lines("""
               温馨提示：{loc}部分路段湿滑，请游客注意脚下，看护好老人和儿童
               {loc}水域较深，请勿翻越护栏戏水，注意人身安全
               {auth}提示：{loc}台阶陡、坡度大，老人、儿童请在家人陪同下游览
               {loc}温泉水温较高，请游客注意试温，饮酒后、饱餐后请勿泡温泉
               {loc}部分区域无护栏，请游客勿攀爬、勿越界拍照
               """),
    ),
    Family(
        "safety-heat-now",
        30,
        "high",
        ("safety", "health"),
        core=HEAT,
        detail=HEAT_NOW,
        time="now",
        react="high",
        opener="witness",
        place="spot",
    ),
    # public order
    Family(
        "order-fight-now",
        85,
        "high",
        ("public_order",),
        core=FIGHT,
        detail=FIGHT_NOW,
        time="now",
        react="high",
        opener="witness",
        styles=(*TW, "notice"),
        formal=lines("""
               {clock}，{loc}发生一起打架事件，{auth}民警已赶赴现场处置，请周边游客注意避让
               【警情】{loc}发生持械纠纷，{auth}已紧急出警，请游客远离现场、不要围观拍摄
               {clock}，{loc}有人酒后滋事殴打他人，民警正在赶往现场，请周边群众注意安全
               """),
    ),
    Family(
        "order-fight-past",
        45,
        "medium",
        ("public_order",),
        core=FIGHT,
        detail=FIGHT_PAST,
        time="past",
        react="medium",
        styles=(*TW, "news", "notice"),
        formal=lines("""
               {date}{clock}，{loc}发生一起斗殴事件，{auth}迅速出警，将涉事{n}人依法传唤，案件正在进一步办理中
               {date}，{loc}一游客与商户发生口角并互殴，{auth}已依法对双方作出行政处罚
               {date}，{loc}发生一起因琐事引发的打架事件，{n}人受轻伤，{auth}已依法对涉事人员予以治安处罚
               {date}{clock}，{loc}两名游客与商户因价格问题发生冲突并动手，民警到场后将双方带回调查
               """),
    ),
    Family(
        "order-rob-now",
        35,
        "high",
        ("public_order",),
        core=ROB,
        detail=ROB_NOW,
        time="now",
        react="high",
        opener="witness",
    ),
    Family(
        "order-theft",
        65,
        "medium",
        ("public_order",),
        core=THEFT,
        detail=THEFT_DETAIL,
        time="past",
        react="medium",
        opener="complain",
        styles=(*TW, *REVIEW, "notice"),
        formal=lines("""
               {date}，{auth}破获一起在{loc}扒窃游客财物的案件，抓获嫌疑人{n}名
               近期{loc}发生多起游客财物被盗案件，{auth}提醒游客保管好随身物品
               {date}，{auth}在{loc}抓获一名专门盗窃游客手机的嫌疑人，追回被盗手机{n}部
               {date}，{loc}一游客车辆被砸窗盗窃，{auth}接警后调取监控，{n}日后将嫌疑人抓获
               """),
    ),
    Family(
        "order-harass-now",
        25,
        "high",
        ("public_order",),
        core=HARASS,
        detail=HARASS_NOW,
        time="now",
        react="high",
        styles=("weibo", "xiaohongshu", "tieba", "douyin"),
    ),
    Family(
        "order-harass-past",
        30,
        "medium",
        ("public_order",),
        core=HARASS,
        time="past",
        react="medium",
        styles=("weibo", "xiaohongshu", "tieba"),
    ),
    Family(
        "order-scam",
        55,
        "medium",
        ("public_order",),
        core=SCAM,
        react="medium",
        opener="complain",
        time="past",
        styles=(*TW, *REVIEW),
    ),
    Family("order-touts", 60, "low", ("public_order",), core=TOUTS, react="low", styles=(*TW, *REVIEW)),
    # traffic
    Family(
        "traffic-crash-now",
        85,
        "high",
        ("traffic",),
        core=CRASH,
        detail=CRASH_NOW,
        time="now",
        react="high",
        opener="witness",
        styles=(*TW, "notice"),
        sentiment=("neg", "neg", "neu"),
        formal=lines("""
               {clock}，{loc}路段发生一起交通事故，造成人员受伤，交警、120正在现场处置，请过往车辆绕行
               【紧急】{loc}附近发生一起车辆侧翻事故，有人员被困，救援力量正在赶往现场，请过往车辆减速避让
               {clock}，通往{loc}的道路发生交通事故，一辆观光车与小轿车相撞，伤员正在救治，交警已实施交通管制
               """),
    ),
    Family(
        "traffic-crash-past",
        45,
        "medium",
        ("traffic",),
        core=CRASH,
        detail=CRASH_PAST,
        time="past",
        react="medium",
        styles=(*TW, "news"),
        formal=lines("""
               {date}{clock}，{loc}附近发生一起两车相撞事故，{n}人受伤送医，事故原因正在调查
               {date}，{loc}路段发生一起单车事故，驾驶人受轻伤，事故原因系超速行驶
               {date}{clock}，{loc}停车场内发生一起倒车撞人事故，伤者已送医，无生命危险
               """),
    ),
    Family(
        "traffic-risk",
        55,
        "medium",
        ("traffic",),
        core=ROAD_RISK,
        time="past",
        react="medium",
        opener="complain",
        styles=(*TW, *REVIEW),
    ),
    Family(
        "traffic-jam",
        90,
        "low",
        ("traffic",),
        core=JAM,
        react="low",
        time="any",
        sentiment=("neg", "neg", "neu"),
        styles=(*TW, *REVIEW),
    ),
    Family(
        "traffic-notice",
        45,
        "low",
        ("traffic",),
        formal=TRAFFIC_NOTICE,
        styles=("notice", "news", "weibo"),
        sentiment=("neu",),
        place="spot",
    ),
    # consumer
    Family(
        "consumer-brawl-now",
        45,
        "high",
        ("public_order", "consumer"),
        core=BILL_FIGHT,
        time="now",
        react="high",
        opener="witness",
        place="food",
    ),
    Family(
        "consumer-overcharge",
        85,
        "medium",
        ("consumer",),
        core=OVERCHARGE,
        react="medium",
        opener="complain",
        time="past",
        styles=(*TW, *REVIEW),
        place="food",
    ),
    Family(
        "consumer-fakestay",
        40,
        "medium",
        ("consumer",),
        core=FAKE_STAY,
        react="medium",
        time="past",
        styles=(*TW, *REVIEW),
    ),
    Family(
        "consumer-refund",
        40,
        "medium",
        ("consumer",),
        core=REFUND,
        react="medium",
        time="past",
        styles=(*TW, *REVIEW),
    ),
    Family(
        "consumer-forced",
        30,
        "medium",
        ("consumer", "public_order"),
        core=FORCED,
        react="medium",
        time="past",
        styles=(*TW, *REVIEW),
    ),
    Family("consumer-pricey", 80, "low", ("consumer",), core=PRICEY, react="low", styles=(*TW, *REVIEW)),
    Family("consumer-sarcasm", 60, "low", ("consumer",), core=SARCASM, styles=(*TW, *REVIEW), place="spot"),
    # health
    Family(
        "health-mushroom-now",
        50,
        "high",
        ("health",),
        core=MUSHROOM,
        detail=MUSHROOM_NOW,
        time="now",
        react="high",
        opener="witness",
        place="food",
    ),
    Family(
        "health-poison-past",
        55,
        "medium",
        ("health",),
        core=POISON_PAST,
        time="past",
        react="medium",
        opener="complain",
        styles=(*TW, *REVIEW, "news"),
        formal=lines("""
               {date}，{loc}一餐馆发生一起疑似食物中毒事件，{n}名游客就医，市场监管部门已介入调查
               {date}，{n}名游客在{loc}食用野生菌后出现中毒症状，经救治已脱离危险
               {date}，{loc}一家农家乐发生一起野生菌中毒事件，{n}名游客出现呕吐、头晕症状，经救治均已出院
               {date}，市场监管部门对{loc}周边餐饮店开展检查，对一家发生食物中毒的店铺责令停业整改
               """),
        place="food",
    ),
    Family(
        "health-hygiene",
        85,
        "low",
        ("health",),
        core=HYGIENE,
        react="low",
        styles=(*TW, *REVIEW),
        place="food",
    ),
    # disaster
    Family(
        "disaster-forestfire-now",
        50,
        "high",
        ("disaster",),
        core=FOREST_FIRE,
        detail=FIRE_WILD_NOW,
        time="now",
        react="high",
        opener="witness",
        styles=(*TW, "notice"),
        formal=lines("""
               {clock}，{loc}附近林区发生火情，扑救工作正在进行，景区已暂停开放并疏散游客
               【紧急】{loc}周边山林发生火情，请正在景区内的游客立即按指引撤离，不要靠近火场
               {clock}，{loc}附近山林起火，火势较大，扑火队伍正在赶赴现场，附近道路实行交通管制
               """),
        place="spot",
    ),
    Family(
        "disaster-flood-now",
        35,
        "high",
        ("disaster",),
        core=FLOOD,
        time="now",
        react="high",
        opener="witness",
        place="spot",
    ),
    Family(
        "disaster-slide",
        50,
        "medium",
        ("disaster",),
        core=SLIDE_PAST,
        time="past",
        react="medium",
        styles=(*TW, "news", "notice"),
        formal=lines("""
               受强降雨影响，{loc}周边道路发生塌方，目前已实施交通管制，暂无人员伤亡
               {date}的强降雨造成{loc}部分游步道受损，景区已封闭受损路段
               {date}强降雨导致{loc}周边道路多处落石，目前已清理完毕，无人员伤亡
               {date}，大风造成{loc}部分树木倒伏，砸坏车辆{n}辆，无人员受伤，景区正在清理
               """),
        place="spot",
    ),
    Family(
        "disaster-weather",
        75,
        "low",
        ("disaster",),
        core=WEATHER,
        sentiment=("neu",),
        styles=(*TW, "notice"),
        formal=lines("""
               {auth}提示：近期有强降雨天气，前往{loc}的游客请关注天气预报，注意防范山洪、落石
               森林防火紧要期，{loc}严禁携带火种进山，违者依法处理
               气象部门发布大风黄色预警，{loc}暂停索道、游船等项目，请游客合理安排行程
               高温黄色预警：未来三天{loc}最高气温将超过35度，请游客做好防暑降温
               雷电黄色预警：{loc}露营区游客请及时回到室内，远离孤立树木
               """),
        place="spot",
    ),
    # police
    Family(
        "police-complaint",
        125,
        "medium",
        ("police",),
        core=POLICE_COMPLAINT,
        react="medium",
        time="past",
        opener="complain",
        styles=("weibo", "tieba", "douyin", "xiaohongshu"),
    ),
    Family(
        "police-conflict-now",
        30,
        "high",
        ("police", "public_order"),
        core=POLICE_CONFLICT,
        time="now",
        react="high",
    ),
    Family("police-low", 50, "low", ("police",), core=POLICE_LOW, react="low", styles=(*TW, *REVIEW)),
    Family(
        "police-news",
        40,
        "medium",
        ("police",),
        formal=POLICE_NEWS,
        styles=("news", "weibo", "notice"),
        sentiment=("neu",),
        place="spot",
    ),
    # environment
    Family("env-litter", 80, "low", ("environment",), core=LITTER, react="low", styles=(*TW, *REVIEW)),
    Family(
        "env-pollution",
        90,
        "medium",
        ("environment",),
        core=POLLUTION,
        time="past",
        react="medium",
        styles=(*TW, "news"),
        formal=lines("""
               {date}，{auth}联合生态环境部门查处{loc}周边一起非法排污案件
               {date}，{loc}发生一起盗伐林木案件，{auth}已立案侦查
               {date}，{loc}周边一养殖场违规排放污水，生态环境部门已责令整改并立案调查
               {date}，{auth}在{loc}附近查获一起非法电鱼案件，抓获嫌疑人{n}名
               {date}，{loc}湖面出现死鱼，相关部门已取水样送检，原因正在调查
               """),
    ),
    Family(
        "env-high",
        25,
        "high",
        ("environment", "disaster"),
        core=ENV_HIGH,
        time="now",
        react="high",
        opener="witness",
        place="spot",
    ),
    # nothing to act on
    Family("none-praise", 260, "none", sentiment=("pos",), core=PRAISE, react="pos", styles=(*TW, *REVIEW)),
    Family(
        "none-praise-police", 60, "none", sentiment=("pos",), core=PRAISE_POLICE, time="past", react="pos"
    ),
    Family(
        "none-question",
        180,
        "none",
        sentiment=("neu",),
        core=QUESTION,
        react="neu",
        styles=("weibo", "tieba", "xiaohongshu", "douyin"),
    ),
    Family(
        "none-notice",
        130,
        "none",
        sentiment=("neu",),
        formal=NOTICE,
        styles=("notice", "news", "weibo"),
        place="spot",
    ),
    Family("none-mixed", 80, "none", sentiment=("neu",), core=MIXED, styles=(*TW, *REVIEW)),
    Family("none-meh", 50, "none", sentiment=("neg",), core=MEH, styles=(*TW, *REVIEW)),
    Family(
        "none-itinerary",
        80,
        "none",
        sentiment=("pos", "neu"),
        core=ITINERARY,
        place="multi",
        styles=("xiaohongshu", "weibo", "douyin", "tieba", "ctrip"),
    ),
    Family(
        "none-town",
        80,
        "none",
        sentiment=("pos", "neu"),
        core=TOWN_POSTS,
        place="town",
        styles=(*TW, *REVIEW),
    ),
    Family(
        "none-hardpos", 60, "none", sentiment=("pos",), core=HARD_POS, place="none", styles=(*TW, *REVIEW)
    ),
]
