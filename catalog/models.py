"""Products, categories, units, prices, assortments and stock (reference data lives in `base`)."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from base.models import Currency, PriceType, Region, Warehouse

MONEY = {"max_digits": 16, "decimal_places": 2}
QUANTITY = {"max_digits": 16, "decimal_places": 3}


class Category(models.Model):
    """A node of the category tree (группа of the ERP classifier).

    `path` is the materialised path of zero-padded ids ("000012.000345."), so a subtree is
    `path__startswith`; `catalog.services.category_rebuild_tree` keeps it and `depth` true.
    """

    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    erp_id = models.CharField(_("ERP id"), max_length=100, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    path = models.CharField(_("path"), max_length=1000, blank=True, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:category", kwargs={"slug": self.slug})


class Unit(models.Model):
    """A unit of measure (ОКЕИ code, e.g. 796 шт, 166 кг)."""

    code = models.CharField(_("OKEI code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=20)
    fractional = models.BooleanField(_("fractional"), default=False, help_text=_("May be ordered in fractions."))

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name


class Property(models.Model):
    """A product property (свойство): brand, material, size; facets are built from them."""

    erp_id = models.CharField(_("ERP id"), max_length=100, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    is_facet = models.BooleanField(_("filter in catalog"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class PropertyValue(models.Model):
    """One value of a property (an entry of its dictionary, справочник)."""

    property = models.ForeignKey(Property, verbose_name=_("property"), on_delete=models.CASCADE, related_name="values")
    erp_id = models.CharField(_("ERP id"), max_length=100, null=True, blank=True)
    value = models.CharField(_("value"), max_length=500)

    class Meta:
        verbose_name = _("property value")
        verbose_name_plural = _("property values")
        ordering = ["property", "value"]
        constraints = [
            models.UniqueConstraint(fields=["property", "value"], name="property_value_unique"),
            models.UniqueConstraint(
                fields=["property", "erp_id"],
                condition=models.Q(erp_id__isnull=False),
                name="property_value_erp_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.property}: {self.value}"


class Product(models.Model):
    """A product (номенклатура): SKU (артикул), name, category, base unit, multiplicity."""

    erp_id = models.CharField(_("ERP id"), max_length=100, unique=True, null=True, blank=True)
    sku = models.CharField(_("SKU"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=500)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="products"
    )
    brand = models.CharField(_("brand"), max_length=200, blank=True, db_index=True)
    description = models.TextField(_("description"), blank=True)
    base_unit = models.ForeignKey(Unit, verbose_name=_("base unit"), on_delete=models.PROTECT, related_name="+")
    multiplicity = models.DecimalField(
        _("order multiplicity"),
        **QUANTITY,
        default=1,
        help_text=_("Order multiplicity (кратность) in base units: quantities are multiples of it."),
    )
    weight = models.DecimalField(_("weight, kg"), max_digits=12, decimal_places=3, null=True, blank=True)
    volume = models.DecimalField(_("volume, m³"), max_digits=12, decimal_places=6, null=True, blank=True)
    vat_rate = models.DecimalField(_("VAT, %"), max_digits=5, decimal_places=2, default=22)
    property_values = models.ManyToManyField(
        PropertyValue, verbose_name=_("properties"), blank=True, related_name="products"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    #: Full-text document (Russian configuration) over name, SKU, brand, property values and
    #: description; kept by `catalog.services.product_search_refresh`, GIN-indexed (migration 0002).
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["category", "is_active"]),
            models.Index(fields=["-created_at"]),
            models.Index(fields=["name", "id"], name="catalog_product_name_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(multiplicity__gt=0), name="product_multiplicity_positive"),
            models.CheckConstraint(condition=~models.Q(sku=""), name="product_sku_not_empty"),
            models.CheckConstraint(
                condition=models.Q(weight__isnull=True) | models.Q(weight__gte=0), name="product_weight_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(volume__isnull=True) | models.Q(volume__gte=0), name="product_volume_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:product", kwargs={"pk": self.pk})


class ProductUnit(models.Model):
    """An alternative unit of a product: `coefficient` base units in one (упаковка = 10 шт)."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    coefficient = models.DecimalField(_("coefficient"), **QUANTITY)
    barcode = models.CharField(_("barcode"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("alternative unit")
        verbose_name_plural = _("alternative units")
        constraints = [
            models.UniqueConstraint(fields=["product", "unit"], name="product_unit_unique"),
            models.CheckConstraint(condition=models.Q(coefficient__gt=0), name="product_unit_coefficient_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} = {self.coefficient.normalize()}"


class ProductMedia(models.Model):
    """An image, a document (spec PDF, certificate) or a video link of a product."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        DOCUMENT = "document", _("Document")
        VIDEO = "video", _("Video link")

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.IMAGE)
    file = models.FileField(_("file"), upload_to="products/%Y/%m/", blank=True)
    url = models.URLField(_("link"), blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("media file")
        verbose_name_plural = _("media files")
        ordering = ["product", "kind", "position"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(file="") | ~models.Q(url=""), name="product_media_file_or_url"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.file.name or self.url


class ProductRelation(models.Model):
    """A related product shown on a product page: analogue, cross-sell or up-sell."""

    class Kind(models.TextChoices):
        RELATED = "related", _("Related")
        CROSS_SELL = "cross_sell", _("Goes well with")
        UP_SELL = "up_sell", _("Better alternative")

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="relations")
    related = models.ForeignKey(
        Product, verbose_name=_("related product"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RELATED)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("related product")
        verbose_name_plural = _("related products")
        ordering = ["product", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["product", "related", "kind"], name="product_relation_unique"),
            models.CheckConstraint(condition=~models.Q(product=models.F("related")), name="product_relation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.product} → {self.related} ({self.get_kind_display()})"


class AssortmentItem(models.Model):
    """A product in a region's assortment (used when the region's assortment is restricted)."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="assortment"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("assortment item")
        verbose_name_plural = _("assortment")
        constraints = [models.UniqueConstraint(fields=["region", "product"], name="assortment_unique")]

    def __str__(self) -> str:
        return f"{self.region}: {self.product}"


class Price(models.Model):
    """The price of a product for a price type, per base unit, in the given currency.

    The keys carry no single-column indexes, each costing the ERP import on every one of a million
    rows: (product, price_type) unique and (price_type, amount) lead with the first two, and prices
    are never looked up by currency (only deleting a currency, which PROTECT refuses, scans them).
    """

    price_type = models.ForeignKey(
        PriceType, verbose_name=_("price type"), on_delete=models.CASCADE, related_name="prices", db_index=False
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="prices", db_index=False
    )
    amount = models.DecimalField(_("price"), **MONEY)
    currency = models.ForeignKey(
        Currency, verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(fields=["product", "price_type"], name="price_product_type_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="price_amount_gte_0"),
        ]
        indexes = [models.Index(fields=["price_type", "amount"])]

    def __str__(self) -> str:
        return f"{self.price_type}: {self.amount} {self.currency_id}"


class ClientPrice(models.Model):
    """An individual price of a product for one client, optionally only under one contract."""

    client = models.ForeignKey(
        "accounts.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="individual_prices"
    )
    contract = models.ForeignKey(
        "accounts.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="individual_prices",
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(_("price"), **MONEY)
    currency = models.ForeignKey(Currency, verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+")
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("individual price")
        verbose_name_plural = _("individual prices")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "product"],
                condition=models.Q(contract__isnull=True),
                name="client_price_unique",
            ),
            models.UniqueConstraint(
                fields=["client", "contract", "product"],
                condition=models.Q(contract__isnull=False),
                name="client_price_contract_unique",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="client_price_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.amount} {self.currency_id}"


class Stock(models.Model):
    """Stock of a product in a warehouse as the ERP last confirmed it.

    `expected_on` is the arrival date the ERP gives for goods not (enough) in stock. No single-column
    indexes on the two keys: (product, warehouse) unique and (warehouse, product) lead with them.
    """

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="stock", db_index=False
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="stock", db_index=False
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY, default=0)
    confirmed_at = models.DateTimeField(_("confirmed by ERP at"))
    expected_on = models.DateField(_("expected arrival"), null=True, blank=True)
    expected_quantity = models.DecimalField(_("expected quantity"), **QUANTITY, null=True, blank=True)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_product_warehouse_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="stock_quantity_gte_0"),
            models.CheckConstraint(
                condition=models.Q(expected_quantity__isnull=True) | models.Q(expected_quantity__gte=0),
                name="stock_expected_quantity_gte_0",
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "product"])]

    def __str__(self) -> str:
        return f"{self.warehouse}: {self.quantity.normalize():f}"


class Review(models.Model):
    """A rating and review of a product by a client's user, published after moderation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("text"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["product", "author"], name="review_one_per_author"),
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_5"),
        ]
        indexes = [models.Index(fields=["product", "status"])]

    def __str__(self) -> str:
        return _("%(product)s: rating %(rating)s of 5") % {"product": self.product, "rating": self.rating}


class SearchMiss(models.Model):
    """Catalog searches that found nothing: one row per normalised query, region and day, with a counter.

    Written by `catalog.search_log.search_miss_record` with one upsert per empty search, so the
    table grows with distinct missed queries, not with searches. The region is the searcher's
    (the client's, or the guest region); empty for searches of supplier staff.
    """

    query = models.CharField(_("query"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("searches"), default=1)
    last_seen_at = models.DateTimeField(_("last searched"), default=timezone.now)

    class Meta:
        verbose_name = _("search without results")
        verbose_name_plural = _("searches without results")
        ordering = ["-day", "-count", "query"]
        constraints = [
            # Two partial keys rather than one: NULL regions are distinct in a unique index, and the
            # upsert names the key it conflicts on.
            models.UniqueConstraint(fields=["query", "region", "day"], condition=models.Q(region__isnull=False),
                                    name="search_miss_query_region_day"),
            models.UniqueConstraint(fields=["query", "day"], condition=models.Q(region__isnull=True),
                                    name="search_miss_query_day_no_region"),
        ]
        indexes = [models.Index(fields=["day", "region"])]

    def __str__(self) -> str:
        return f"{self.query} ({self.day:%d.%m.%Y}: {self.count})"
