"""Deterministic demo data: `shopdesk demo` fills an empty database with realistic orders."""

from shopdesk.orders.demo.generator import DEMO_UNTIL as DEMO_UNTIL
from shopdesk.orders.demo.generator import DemoConfig as DemoConfig
from shopdesk.orders.demo.generator import DemoResult as DemoResult
from shopdesk.orders.demo.generator import demo_generate as demo_generate
from shopdesk.orders.demo.logins import DemoLogin as DemoLogin
from shopdesk.orders.demo.parties import DEMO_SOURCE as DEMO_SOURCE
