"""The file names of the Olist e-commerce data set's layout (no Django import: the synthetic
data generator uses it outside a configured project)."""

FILES = {
    "orders": "olist_orders_dataset.csv",
    "items": "olist_order_items_dataset.csv",
    "customers": "olist_customers_dataset.csv",
    "products": "olist_products_dataset.csv",
    "sellers": "olist_sellers_dataset.csv",
}
