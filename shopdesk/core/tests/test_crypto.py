import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from shopdesk.core import crypto


def test_encrypt_round_trip_and_ciphertext_hides_value() -> None:
    # given
    phone = "13812341234"
    # when
    token = crypto.encrypt_str(phone)
    # then
    assert phone not in token
    assert crypto.decrypt_str(token) == phone
    assert crypto.encrypt_str("") == ""


def test_old_key_still_decrypts_after_rotation() -> None:
    # given a value written with the old key
    old = "dGVzdC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcyEhISE="
    token = crypto.encrypt_str("张三")
    new = "bmV3LWtleS1mb3Itcm90YXRpb24tMzItYnl0ZXMhISE="
    crypto._fernet.cache_clear()
    try:
        with override_settings(SHOPDESK_FIELD_KEYS=[new, old]):
            crypto._fernet.cache_clear()
            # then
            assert crypto.decrypt_str(token) == "张三"
        with override_settings(SHOPDESK_FIELD_KEYS=[new]):
            crypto._fernet.cache_clear()
            with pytest.raises(ImproperlyConfigured):
                crypto.decrypt_str(token)
    finally:
        crypto._fernet.cache_clear()


@pytest.mark.parametrize(
    ("raw", "masked"),
    [("13812341234", "138****1234"), ("+86 138-1234-1234", "138****1234"), ("12", "**")],
)
def test_mask_phone(raw: str, masked: str) -> None:
    assert crypto.mask_phone(raw) == masked


def test_mask_name_email_address() -> None:
    assert crypto.mask_name("张三") == "张*"
    assert crypto.mask_name("Jennifer") == "J***"
    assert crypto.mask_email("buyer@example.com") == "b***@example.com"
    assert crypto.mask_address("上海市浦东新区世纪大道100号").endswith("****")
    assert "世纪大道" not in crypto.mask_address("上海市浦东新区世纪大道100号")


def test_lookup_hash_matches_normalised_phone_only() -> None:
    a = crypto.lookup_hash(crypto.normalise_phone("+86 138 1234 1234"))
    b = crypto.lookup_hash(crypto.normalise_phone("13812341234"))
    c = crypto.lookup_hash(crypto.normalise_phone("13812341235"))
    assert a == b != c
