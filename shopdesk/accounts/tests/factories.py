import factory
from django.contrib.auth.models import Group

from shopdesk.accounts.models import Customer, Merchant, User
from shopdesk.accounts.services import CustomerContact, customer_contact_columns


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    source = "test"
    external_id = factory.Sequence(lambda n: f"m{n}")
    name = factory.Sequence(lambda n: f"Merchant {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-test-123")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    source = "test"
    external_id = factory.Sequence(lambda n: f"c{n}")
    name = "张三"
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    address = "上海市浦东新区世纪大道100号"

    @classmethod
    def _create(cls, model_class: type[Customer], *args: object, **kwargs: object) -> Customer:
        contact = CustomerContact(
            name=str(kwargs.pop("name", "")),
            phone=str(kwargs.pop("phone", "")),
            email=str(kwargs.pop("email", "")),
            address=str(kwargs.pop("address", "")),
        )
        kwargs.update(customer_contact_columns(contact))
        return super()._create(model_class, *args, **kwargs)
