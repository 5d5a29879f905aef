from enum import StrEnum


class OrdersErrorCode(StrEnum):
    INVALID_SORT = "invalid_sort"
    INVALID_FILTER = "invalid_filter"
    UNKNOWN_SHIPMENT = "unknown_shipment"
    INVALID_ORDER = "invalid_order"
