"""Default categories (DESIGN §3), calendars, SLA policies, compensation standards and macros.

All of them are ordinary rows, editable in the admin afterwards.
"""

from decimal import Decimal

from django.db import migrations

CATEGORIES = [
    ("product_quality", "商品质量", "Product quality"),
    ("not_as_described", "描述不符", "Not as described"),
    ("wrong_or_missing_item", "错发漏发", "Wrong or missing item"),
    ("damaged_in_transit", "运输破损", "Damaged in transit"),
    ("logistics_delay", "物流延误", "Logistics delay"),
    ("return_refund", "退换货/退款", "Return, exchange or refund"),
    ("payment", "支付问题", "Payment"),
    ("price_promotion", "价格/促销", "Price or promotion"),
    ("stock_out", "缺货", "Stock-out"),
    ("account_invoice", "账户/发票", "Account or invoice"),
    ("suggestion", "建议", "Suggestion"),
    ("service_complaint", "服务投诉", "Complaint about service"),
    ("other", "其他", "Other"),
]

WORKWEEK = {str(day): [["09:00", "18:00"]] for day in range(5)}
SEVEN_DAYS = {str(day): [["08:00", "23:00"]] for day in range(7)}


def forwards(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    Standard = apps.get_model("tickets", "CompensationStandard")
    Macro = apps.get_model("tickets", "Macro")
    Calendar = apps.get_model("accounts", "BusinessCalendar")
    Team = apps.get_model("accounts", "Team")

    for position, (code, zh, en) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "position": position * 10}
        )
    service_hours, _ = Calendar.objects.get_or_create(
        name="客服工作时间 Service hours 08:00-23:00",
        defaults={"weekly_hours": SEVEN_DAYS, "uses_china_holidays": False},
    )
    merchant_hours, _ = Calendar.objects.get_or_create(
        name="商家工作日 Merchant workdays 09:00-18:00",
        defaults={"weekly_hours": WORKWEEK, "uses_china_holidays": True},
    )
    Team.objects.get_or_create(
        code="service", defaults={"name": "售后客服 Customer service", "calendar": service_hours}
    )
    Team.objects.get_or_create(
        code="vip",
        defaults={"name": "高价值客户专席 VIP service", "calendar": service_hours, "is_vip_queue": True},
    )
    Team.objects.get_or_create(
        code="supervisors", defaults={"name": "客服主管 Supervisors", "calendar": service_hours}
    )
    if not SlaPolicy.objects.exists():
        SlaPolicy.objects.create(
            name="紧急 Urgent", position=10, priorities=["urgent"], parties=["platform"],
            first_reply_minutes=5, next_reply_minutes=30, resolution_minutes=240,
            escalate_raise_priority=False, escalate_reassign=True,
        )
        SlaPolicy.objects.create(
            name="商家 Merchant", position=20, parties=["merchant"], calendar=merchant_hours,
            first_reply_minutes=240, next_reply_minutes=480, resolution_minutes=2880,
        )
        SlaPolicy.objects.create(
            name="默认 Default", position=1000, first_reply_minutes=15, next_reply_minutes=60,
            resolution_minutes=1440, escalate_raise_priority=True,
        )
    standards = [
        ("late_delivery", "物流延误补偿", "Late delivery", "coupon", "10", "20", "50"),
        ("damaged_item", "商品破损补偿", "Damaged item", "partial_refund", "20", "50", "200"),
        ("service_failure", "服务失误致歉", "Service failure apology", "points", "200", "500", "2000"),
    ]
    for code, zh, en, kind, amount, agent_limit, supervisor_limit in standards:
        Standard.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": zh, "name_en": en, "kind": kind,
                "default_amount": Decimal(amount), "agent_limit": Decimal(agent_limit),
                "supervisor_limit": Decimal(supervisor_limit),
            },
        )
    macros = [
        (
            "Greeting / 问候",
            "您好，{customer_name}！我是客服{agent_name}，已收到您关于订单 {order_number} 的问题，正在为您处理。",
            "Hello {customer_name}, this is {agent_name}. We have your question about order "
            "{order_number} and are on it.",
        ),
        (
            "Logistics check / 物流核实",
            "您好，订单 {order_number} 的包裹我们已联系快递核实，预计24小时内给您答复。",
            "Hello, we have asked the carrier about the parcel of order {order_number} and will "
            "come back to you within 24 hours.",
        ),
        (
            "Resolved / 已解决",
            "您好，工单 {ticket_number} 的问题已处理完毕。如仍有疑问，直接回复即可，我们会继续跟进。",
            "Hello, ticket {ticket_number} is resolved. If anything is still wrong, just reply "
            "and we will pick it up again.",
        ),
    ]
    for name, zh, en in macros:
        Macro.objects.get_or_create(name=name, defaults={"body_zh": zh, "body_en": en})


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("accounts", "0002_calendars_teams_agents"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
