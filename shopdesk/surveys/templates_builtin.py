"""The four built-in questionnaires (issue 5), as plain data in Chinese and English.

Migration 0002 installs each as a published version 1 with `is_template=True`; people copy them
(`questionnaire_copy_template`) and edit the copy. Question codes are stable: imports, reports
and the Olist mapping name them, so rename one only together with those.

The answering page lays questions out in `position` order over the whole version: each
dimension's questions in turn, then the questions that belong to no dimension (overall
satisfaction, intention to buy again, recommendation, comments).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shopdesk.surveys.states import QuestionKind, QuestionnaireKind

L5 = QuestionKind.LIKERT5


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    kind: QuestionKind
    text_zh: str
    text_en: str
    required: bool = True
    show_if: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DimensionSpec:
    code: str
    name_zh: str
    name_en: str
    questions: tuple[QuestionSpec, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class TemplateSpec:
    code: str
    kind: QuestionnaireKind
    name_zh: str
    name_en: str
    intro_zh: str
    intro_en: str
    overall_code: str
    dimensions: tuple[DimensionSpec, ...]
    # Questions outside every dimension, after the dimensions' questions.
    questions: tuple[QuestionSpec, ...]
    thanks_zh: str = "感谢您的反馈，我们会认真改进。"
    thanks_en: str = "Thank you for your feedback; we will act on it."

    def all_questions(self) -> list[tuple[DimensionSpec | None, QuestionSpec]]:
        """Every question with its dimension, in the order the page shows them."""
        rows: list[tuple[DimensionSpec | None, QuestionSpec]] = [
            (dimension, question)
            for dimension in self.dimensions
            for question in dimension.questions
        ]
        rows.extend((None, question) for question in self.questions)
        return rows


def _item(code: str, text_zh: str, text_en: str) -> QuestionSpec:
    """A satisfaction item: 1 非常不满意 / very dissatisfied … 5 非常满意 / very satisfied."""
    return QuestionSpec(code, L5, text_zh, text_en)


ECOMMERCE_SERVICE = TemplateSpec(
    code="ecommerce-service",
    kind=QuestionnaireKind.ORDER_EXPERIENCE,
    name_zh="电商订单处理客户服务满意度调查",
    name_en="E-commerce order processing customer-service satisfaction",
    intro_zh="请根据您最近一次在本店购物及联系客服的经历，对以下各项打分"
    "（1 = 非常不满意，5 = 非常满意）。",
    intro_en="Thinking of your latest order and contact with our customer service, please rate "
    "each item (1 = very dissatisfied, 5 = very satisfied).",
    overall_code="overall",
    dimensions=(
        DimensionSpec(
            "speed",
            "订单处理速度",
            "Order processing speed",
            (
                _item(
                    "speed_submit", "订单提交页面的响应速度", "Speed of the order submission page"
                ),
                _item("speed_review", "订单审核的速度", "Speed of the order review"),
                _item(
                    "speed_outbound", "商品出库的速度", "Speed of outbound (leaving the warehouse)"
                ),
                _item("speed_query", "查询订单状态的便捷程度", "Convenience of checking the order"),
            ),
        ),
        DimensionSpec(
            "info",
            "商品信息准确性",
            "Product information accuracy",
            (
                _item("info_description", "商品描述与实物相符", "The item matches its description"),
                _item("info_pictures", "商品图片与实物相符", "The item matches its pictures"),
                _item("info_price", "价格与促销信息透明", "Transparency of prices and promotions"),
                _item("info_stock", "库存信息准确", "Accuracy of the stock shown"),
                _item("info_stockout", "缺货时的处理", "How a stock-out was handled"),
            ),
        ),
        DimensionSpec(
            "logistics",
            "物流配送",
            "Logistics",
            (
                _item("logistics_on_time", "按承诺时间送达", "Delivery by the promised time"),
                _item("logistics_courier", "快递员的服务态度", "The courier's attitude"),
                _item("logistics_packaging", "包装对商品的保护", "Packaging protecting the item"),
            ),
        ),
        DimensionSpec(
            "service",
            "客服服务质量",
            "Customer-service quality",
            (
                _item("service_response", "客服的响应速度", "Customer service's response speed"),
                _item(
                    "service_stability",
                    "响应速度的稳定性（高峰时段也同样及时）",
                    "Steady response speed (just as quick at peak times)",
                ),
                _item("service_knowledge", "客服的专业知识", "The agents' professional knowledge"),
                _item("service_communication", "客服的沟通表达", "The agents' communication"),
                _item("service_solving", "客服解决问题的能力", "The agents' problem solving"),
            ),
        ),
        DimensionSpec(
            "returns",
            "退换货",
            "Returns and exchanges",
            (
                _item("returns_policy", "退换货政策清晰易懂", "Clarity of the return policy"),
                _item("returns_convenience", "办理退换货的便捷程度", "Convenience of returning"),
                _item("returns_speed", "退换货的处理速度", "Speed of handling the return"),
                _item("returns_refund", "退款到账的速度", "Speed of the refund"),
                _item(
                    "returns_tracking", "退换货进度的可查询性", "Tracking of the return's progress"
                ),
            ),
        ),
        DimensionSpec(
            "payment",
            "支付与促销",
            "Payment and promotions",
            (
                _item("payment_choice", "支付方式的选择", "Choice of payment methods"),
                _item("payment_safety", "支付的安全性", "Safety of payment"),
                _item("promotion_appeal", "促销活动的吸引力", "Appeal of the promotions"),
                _item("promotion_rules", "促销规则清晰易懂", "Clarity of the promotion rules"),
            ),
        ),
        DimensionSpec(
            "website",
            "网站与App体验",
            "Website and app experience",
            (
                _item("site_layout", "页面布局", "Page layout"),
                _item("site_navigation", "导航清晰", "Navigation"),
                _item("site_search", "搜索能找到想要的商品", "Search finds what I look for"),
                _item("site_ordering", "下单操作简便", "Ease of ordering"),
            ),
        ),
        DimensionSpec(
            "care",
            "售后与客户关怀",
            "After-sales and customer care",
            (
                _item("care_followup", "售后回访", "After-sales follow-up"),
                _item(
                    "care_after_purchase",
                    "购买后的关怀（如主动告知延误、使用提醒）",
                    "Care after the purchase (e.g. told about a delay before asking)",
                ),
                _item("care_complaint", "投诉处理", "Handling of complaints"),
            ),
        ),
    ),
    questions=(
        QuestionSpec(
            "overall",
            L5,
            "总体而言，您对本次购物和客服服务的满意程度如何？",
            "Overall, how satisfied are you with this purchase and our customer service?",
        ),
        QuestionSpec(
            "repurchase",
            L5,
            "您今后再次在本店购买的意愿有多强？",
            "How willing are you to buy from us again?",
        ),
        QuestionSpec(
            "recommend",
            QuestionKind.NPS10,
            "您有多大可能向朋友或同事推荐本店？（0 = 完全不可能，10 = 非常可能）",
            "How likely are you to recommend us to a friend or colleague? "
            "(0 = not at all likely, 10 = extremely likely)",
        ),
        QuestionSpec(
            "improve",
            QuestionKind.TEXT,
            "您认为我们最应该改进哪些方面？",
            "What should we improve first?",
            required=False,
        ),
    ),
)

AFTER_SERVICE_CSAT = TemplateSpec(
    code="after-service-csat",
    kind=QuestionnaireKind.CSAT,
    name_zh="售后服务满意度（CSAT）",
    name_en="After-service CSAT",
    intro_zh="您的问题刚刚处理完毕，请花一分钟告诉我们这次服务怎么样。",
    intro_en="Your request has just been handled; please take a minute to tell us how we did.",
    overall_code="rating",
    dimensions=(),
    questions=(
        QuestionSpec(
            "rating",
            QuestionKind.RATING5,
            "您对本次服务的满意程度如何？",
            "How satisfied are you with the service you received?",
        ),
        QuestionSpec(
            "solved", QuestionKind.YES_NO, "您的问题解决了吗？", "Was your problem solved?"
        ),
        QuestionSpec(
            "effort",
            QuestionKind.EFFORT7,
            "处理这个问题对您来说有多容易？（1 = 非常困难，7 = 非常容易）",
            "How easy was it to get your problem handled? (1 = very difficult, 7 = very easy)",
        ),
        QuestionSpec(
            "what_went_wrong",
            QuestionKind.TEXT,
            "很抱歉让您不满意，哪里做得不好？",
            "We are sorry we let you down: what went wrong?",
            required=False,
            show_if={"question": "rating", "op": "<=", "value": 3},
        ),
        QuestionSpec(
            "comment",
            QuestionKind.TEXT,
            "还有什么想告诉我们的吗？",
            "Anything else you would like to tell us?",
            required=False,
        ),
    ),
)

RELATIONSHIP_NPS = TemplateSpec(
    code="relationship-nps",
    kind=QuestionnaireKind.RELATIONSHIP_NPS,
    name_zh="客户关系净推荐值（NPS）调查",
    name_en="Relationship NPS",
    intro_zh="只有两个问题，请根据您在本店的整体体验回答。",
    intro_en="Just two questions about your experience with us as a whole.",
    overall_code="recommend",
    dimensions=(),
    questions=(
        QuestionSpec(
            "recommend",
            QuestionKind.NPS10,
            "您有多大可能向朋友或同事推荐我们？（0 = 完全不可能，10 = 非常可能）",
            "How likely are you to recommend us to a friend or colleague? "
            "(0 = not at all likely, 10 = extremely likely)",
        ),
        QuestionSpec(
            "why",
            QuestionKind.TEXT,
            "您给出这个分数的主要原因是什么？",
            "What is the main reason for your score?",
            required=False,
        ),
    ),
)

ORDER_REVIEW = TemplateSpec(
    code="order-review",
    kind=QuestionnaireKind.ORDER_REVIEW,
    name_zh="订单评价",
    name_en="Order review",
    intro_zh="请为这笔订单打分并写下您的评价。",
    intro_en="Please rate this order and write your review.",
    overall_code="score",
    dimensions=(),
    questions=(
        QuestionSpec(
            "score", QuestionKind.RATING5, "您给这笔订单打几分？", "How would you rate this order?"
        ),
        QuestionSpec(
            "title", QuestionKind.SHORT_TEXT, "评价标题", "Title of your review", required=False
        ),
        QuestionSpec("comment", QuestionKind.TEXT, "评价内容", "Your review", required=False),
    ),
    thanks_zh="感谢您的评价！",
    thanks_en="Thank you for your review!",
)

BUILTIN_TEMPLATES: tuple[TemplateSpec, ...] = (
    ECOMMERCE_SERVICE,
    AFTER_SERVICE_CSAT,
    RELATIONSHIP_NPS,
    ORDER_REVIEW,
)
