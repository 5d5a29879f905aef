"""What the demo's customers, agents and merchants write, in Chinese and English.

Placeholders: {order} (order number), {days} (a number of days). Demo content, not UI text:
the customer's own words are stored as written, so these are not translated strings.
"""

from typing import Final

# category code -> language -> descriptions a customer might write
DESCRIPTIONS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "logistics_delay": {
        "zh-hans": (
            "订单 {order} 已经发货{days}天了，物流信息一直没有更新，请帮忙查一下包裹在哪里。",
            "快递显示到了转运中心就不动了，订单 {order}，着急用，什么时候能到？",
            "订单 {order} 承诺的送达时间已经过了，还没收到货，麻烦催一下快递。",
        ),
        "en": (
            "Order {order} shipped {days} days ago and the tracking has not moved since. "
            "Where is my parcel?",
            "My parcel for order {order} is stuck at the sorting centre. When will it arrive?",
        ),
    },
    "return_refund": {
        "zh-hans": (
            "订单 {order} 的商品尺码不合适，想申请退货退款，请问怎么操作？",
            "我已经把订单 {order} 的商品寄回去{days}天了，退款还没到账。",
            "订单 {order} 想换一个颜色，可以换货吗？",
        ),
        "en": (
            "I would like to return order {order}: the size does not fit. How do I do that?",
            "I sent order {order} back {days} days ago and have not been refunded yet.",
        ),
    },
    "not_as_described": {
        "zh-hans": (
            "收到的商品和页面描述不一样，颜色差别很大，订单 {order}。",
            "订单 {order} 页面写的是纯棉，实际收到的是化纤材质，这属于描述不符。",
        ),
        "en": ("The item in order {order} looks nothing like the photos on the product page.",),
    },
    "product_quality": {
        "zh-hans": (
            "订单 {order} 的商品用了两天就坏了，质量太差了。",
            "收到的商品有明显的划痕和污渍，订单 {order}，要求处理。",
        ),
        "en": ("The product from order {order} stopped working after two days.",),
    },
    "damaged_in_transit": {
        "zh-hans": ("包裹外箱破了，里面的东西摔碎了，订单 {order}，已拍照。",),
        "en": ("The box of order {order} arrived crushed and the item inside is broken.",),
    },
    "wrong_or_missing_item": {
        "zh-hans": (
            "订单 {order} 少发了一件商品，包裹里只有一件。",
            "订单 {order} 发错货了，我买的是黑色，收到的是白色。",
        ),
        "en": ("Order {order} is missing one item: only one was in the parcel.",),
    },
    "payment": {
        "zh-hans": ("订单 {order} 付款被扣了两次钱，请核实并退回多扣的款项。",),
        "en": ("I was charged twice for order {order}. Please refund the second payment.",),
    },
    "price_promotion": {
        "zh-hans": ("下单{days}天后就降价了，订单 {order} 能不能退差价？",),
        "en": ("The price dropped right after I bought order {order}. Can I get the difference?",),
    },
    "stock_out": {
        "zh-hans": ("订单 {order} 付款后被告知缺货，什么时候能补货？",),
        "en": ("I paid for order {order} and was told the item is out of stock.",),
    },
    "account_invoice": {
        "zh-hans": ("订单 {order} 需要开增值税普通发票，抬头是公司名称，怎么申请？",),
        "en": ("I need a company invoice for order {order}. How do I request one?",),
    },
    "suggestion": {
        "zh-hans": ("建议在订单页面显示预计送达时间，订单 {order} 就不知道什么时候到。",),
        "en": ("Please show the expected delivery date on the order page.",),
    },
    "other": {
        "zh-hans": ("订单 {order} 想修改收货地址，还来得及吗？",),
        "en": ("Can I still change the delivery address of order {order}?",),
    },
}

FIRST_REPLIES: Final[dict[str, tuple[str, ...]]] = {
    "zh-hans": (
        "您好，我是客服，已收到您关于订单 {order} 的问题，正在为您核实，请稍等。",
        "您好，非常抱歉给您带来不便！订单 {order} 的情况我们已经记录，马上为您处理。",
    ),
    "en": (
        "Hello, we have your question about order {order} and are looking into it now.",
        "Hello, sorry for the trouble with order {order}. We are on it.",
    ),
}

ASK_CUSTOMER: Final[dict[str, str]] = {
    "zh-hans": "麻烦您提供一下商品问题部位的照片，方便我们进一步处理。",
    "en": "Could you send us a photo of the problem, please? It helps us settle it faster.",
}

CUSTOMER_FOLLOW_UPS: Final[dict[str, tuple[str, ...]]] = {
    "zh-hans": ("照片已经发了，请查收。", "好的，请尽快处理，谢谢。", "还要等多久？"),
    "en": ("I have sent the photos.", "Thanks, please hurry.", "How much longer will it take?"),
}

HANDOFF_REASONS: Final[dict[str, str]] = {
    "zh-hans": "该问题需要商家核实商品信息并处理退换，已转交商家，商家需在规定时间内回复。",
    "en": "The merchant has to check the item and handle the exchange, so it is passed to them.",
}

MERCHANT_REPLIES: Final[dict[str, tuple[str, ...]]] = {
    "zh-hans": (
        "您好，这里是商家客服，已核实情况，同意为您办理退换，请按页面提示寄回。",
        "您好，商家已补发商品，快递单号稍后更新，给您添麻烦了。",
    ),
    "en": ("Hello from the shop: we checked it and will replace the item for you.",),
}

MERCHANT_BOUNCE_REASON: Final = "该问题属于物流责任，不是商品问题，请平台协调快递处理。"

RESOLUTIONS: Final[dict[str, tuple[str, ...]]] = {
    "zh-hans": (
        "您好，问题已经处理完毕：{outcome}如仍有疑问，直接回复即可，我们会继续跟进。",
        "您好，已为您处理好，{outcome}感谢您的耐心等待！",
    ),
    "en": (
        "Hello, this is settled: {outcome} If anything is still wrong, just reply.",
        "All done: {outcome} Thank you for your patience.",
    ),
}

OUTCOMES: Final[dict[str, tuple[str, str]]] = {
    "logistics_delay": (
        "快递已加急派送，预计明天送达。",
        "the carrier is rushing it; expect it tomorrow.",
    ),
    "return_refund": ("退款已原路退回，1-3个工作日到账。", "the refund is on its way (1-3 days)."),
    "damaged_in_transit": ("已为您补发新商品。", "a replacement has been sent."),
    "payment": ("多扣的款项已退回。", "the double charge has been refunded."),
}
DEFAULT_OUTCOME: Final = ("已按您的要求处理。", "we did as you asked.")

RATING_COMMENTS: Final[dict[int, dict[str, tuple[str, ...]]]] = {
    5: {"zh-hans": ("客服很耐心，处理很快！", "非常满意", ""), "en": ("Quick and friendly.", "")},
    4: {"zh-hans": ("还不错，就是等了一会儿。", ""), "en": ("Good, a bit slow.", "")},
    3: {"zh-hans": ("一般吧。",), "en": ("OK.",)},
    2: {"zh-hans": ("处理太慢了，来回问了好几次。",), "en": ("Far too slow.",)},
    1: {"zh-hans": ("问题根本没解决，很失望。",), "en": ("Nothing was fixed.",)},
}

COMPLAINTS: Final[dict[str, str]] = {
    "zh-hans": "工单说已解决，但问题根本没有解决，客服也不回复，要求主管处理。",
    "en": "The ticket was marked resolved but nothing was fixed. I want a supervisor to look.",
}

REOPEN_MESSAGES: Final[dict[str, str]] = {
    "zh-hans": "不好意思，问题又出现了，还是没有收到，请再帮忙看看。",
    "en": "Sorry, the problem is back: I still have not received it.",
}

COMPLAINT_ANSWER: Final[dict[str, str]] = {
    "zh-hans": "您好，我是客服主管，非常抱歉给您带来不好的体验，我会亲自跟进，今天内给您答复。",
    "en": "Hello, I am the service supervisor. I am sorry and will follow this up myself today.",
}
