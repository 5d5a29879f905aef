"""Fixed word lists the demo generator draws from: shops, products, people, places.

Pure data, no randomness: the generator picks from these lists with a seeded random.Random.
"""

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class ProductTemplate:
    name: str
    price: int  # yuan
    is_returnable: bool = True
    # Why it cannot be returned (customised, perishable, digital, hygiene); empty if returnable.
    reason: str = ""


CATEGORIES: Final[dict[str, tuple[ProductTemplate, ...]]] = {
    "服装": (
        ProductTemplate("纯棉圆领T恤", 79),
        ProductTemplate("修身牛仔裤", 159),
        ProductTemplate("轻薄羽绒服", 399),
        ProductTemplate("真丝衬衫", 329),
        ProductTemplate("定制刺绣卫衣", 239, False, "customised"),
        ProductTemplate("莫代尔内裤三条装", 69, False, "hygiene"),
    ),
    "数码": (
        ProductTemplate("无线降噪蓝牙耳机", 699),
        ProductTemplate("20000mAh快充充电宝", 149),
        ProductTemplate("机械键盘 青轴", 299),
        ProductTemplate("65W氮化镓充电器", 119),
        ProductTemplate("智能手表 运动版", 899),
        ProductTemplate("手机壳 定制照片款", 49, False, "customised"),
    ),
    "家电": (
        ProductTemplate("空气炸锅 5L", 399),
        ProductTemplate("扫地机器人", 1999),
        ProductTemplate("破壁料理机", 599),
        ProductTemplate("电热水壶 1.7L", 129),
        ProductTemplate("负离子吹风机", 299),
    ),
    "美妆": (
        ProductTemplate("玻尿酸保湿面膜 10片", 99, False, "hygiene"),
        ProductTemplate("哑光口红", 219, False, "hygiene"),
        ProductTemplate("氨基酸洁面乳", 89),
        ProductTemplate("防晒霜 SPF50+", 159),
        ProductTemplate("香水小样套装", 259),
    ),
    "食品": (
        ProductTemplate("阳澄湖大闸蟹礼盒", 488, False, "perishable"),
        ProductTemplate("新鲜车厘子 2斤装", 168, False, "perishable"),
        ProductTemplate("每日坚果 30袋", 129),
        ProductTemplate("西湖龙井 明前茶", 358),
        ProductTemplate("五常大米 10kg", 139),
    ),
    "母婴": (
        ProductTemplate("婴儿纸尿裤 L码", 169),
        ProductTemplate("婴幼儿配方奶粉", 298),
        ProductTemplate("儿童安全座椅", 1299),
        ProductTemplate("硅胶奶嘴 两只装", 59, False, "hygiene"),
    ),
    "家居": (
        ProductTemplate("记忆棉枕头", 199),
        ProductTemplate("四件套 全棉", 359),
        ProductTemplate("北欧落地灯", 269),
        ProductTemplate("收纳箱 三只装", 89),
        ProductTemplate("刻字定制保温杯", 129, False, "customised"),
    ),
    "图书": (
        ProductTemplate("三体 全集", 93),
        ProductTemplate("Python编程 从入门到实践", 89),
        ProductTemplate("儿童绘本 十册", 129),
        ProductTemplate("电子书年卡", 168, False, "digital"),
    ),
    "运动": (
        ProductTemplate("瑜伽垫 加厚", 99),
        ProductTemplate("跑步鞋 缓震款", 499),
        ProductTemplate("哑铃 可调节", 259),
    ),
    "虚拟": (
        ProductTemplate("视频会员年卡", 198, False, "digital"),
        ProductTemplate("话费充值 100元", 99, False, "digital"),
    ),
}

SHOP_WORDS: Final = (
    "优品",
    "江南",
    "云朵",
    "小米粒",
    "森林",
    "海风",
    "锦绣",
    "拾光",
    "星河",
    "匠心",
    "初见",
    "青柠",
    "暖阳",
    "山野",
    "悦享",
    "鹿角",
)
SHOP_KINDS: Final = ("旗舰店", "专营店", "官方店", "生活馆", "优选店")

CHINESE_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭"
CHINESE_GIVEN: Final = (
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "子涵",
    "浩然",
    "欣怡",
    "梓萱",
    "宇轩",
)
ENGLISH_FIRST: Final = (
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "James",
    "Sophia",
    "Lucas",
    "Mia",
    "Ethan",
    "Grace",
    "Daniel",
)
ENGLISH_LAST: Final = ("Smith", "Brown", "Wilson", "Taylor", "Clark", "Walker", "Young", "King")

# Each place: region, city and a few of its districts.
PLACES: Final = (
    ("上海市", "上海", ("浦东新区", "徐汇区", "静安区", "闵行区")),
    ("北京市", "北京", ("朝阳区", "海淀区", "东城区", "丰台区")),
    ("广东省", "广州", ("天河区", "越秀区", "番禺区")),
    ("广东省", "深圳", ("南山区", "福田区", "宝安区")),
    ("浙江省", "杭州", ("西湖区", "余杭区", "滨江区")),
    ("江苏省", "南京", ("鼓楼区", "玄武区", "江宁区")),
    ("四川省", "成都", ("武侯区", "锦江区", "高新区")),
    ("湖北省", "武汉", ("洪山区", "江汉区", "武昌区")),
    ("陕西省", "西安", ("雁塔区", "碑林区")),
    ("新疆维吾尔自治区", "乌鲁木齐", ("天山区", "沙依巴克区")),
)
STREETS: Final = ("人民路", "中山路", "解放大道", "建设路", "文化路", "科技园路", "滨江大道")

HUBS: Final = ("杭州转运中心", "广州白云转运中心", "上海青浦分拨中心", "北京顺义分拨中心")
EXCEPTION_NOTES: Final = (
    "收件人电话无法接通",
    "地址不详，等待核实",
    "包裹外包装破损",
    "天气原因延误",
)

# Relative popularity of each hour of the day (0-23): quiet at night, evening peak 20-22h.
HOUR_WEIGHTS: Final = (
    3,
    2,
    1,
    1,
    1,
    1,
    2,
    3,
    5,
    7,
    8,
    9,
    10,
    9,
    8,
    8,
    8,
    8,
    9,
    11,
    14,
    16,
    15,
    8,
)
