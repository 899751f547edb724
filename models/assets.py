"""The asset register (国有资产) and the rules of an asset request: requisition of stock
(领用), transfer between departments (调剂), disposal (处置).

Every item has its tag number (资产编号); the stock of a category is its items in stock
and not reserved ("笔记本电脑" × 12). A request reserves its items **when it is
submitted** (`held_by`), as an asset office keeps its books: what a dept head approves
is there to be handed out, and a second request sees the stock already spoken for.
Rejection and cancel give the items back (models/decisions.py); the asset manager's
hand-over (`complete_asset_request`: 发放 / 办结) moves them for good.

    requisition:  in_stock ─reserve (submit)─► in_stock, held ─发放─► issued (keeper, dept)
    transfer:     issued ─reserve─► transferring, held ─办结─► issued (other dept)
    disposal:     issued | in_stock ─reserve─► held ─办结─► disposed
    reject / cancel: held ─► back as it was

No item goes to two requests, and never more than the stock, on both databases and in
any number of processes: an item is reserved by a compare-and-set UPDATE (`held_by` is
null and the state is the expected one). PostgreSQL's row lock makes a second UPDATE of
the same row wait for the first transaction and then see its result (0 rows: the next
item is tried); on SQLite the write lock is taken first (`lock_resources`), so the
candidates read after it are the committed truth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.audit import audit
from models.errors import InvalidState, NotAllowed, NotFound, RequestError
from models.holds import lock_resources
from models.org import Department, RequestType, Role, User, dept_head_userid
from models.requests import (
    NewRequest,
    Request,
    RequestStatus,
    create_request,
    locked_request,
    set_status,
)
from models.sql import transaction, utc

MAX_QUANTITY = 50  # one requisition; more is a purchase, not a 领用


class AssetState(StrEnum):
    IN_STOCK = "in_stock"
    ISSUED = "issued"
    TRANSFERRING = "transferring"
    DISPOSED = "disposed"


class AssetKind(StrEnum):
    """The kinds of an asset request; a kind may have its own approval rule
    (`approval_rules: asset_request.disposal`)."""

    REQUISITION = "requisition"
    TRANSFER = "transfer"
    DISPOSAL = "disposal"


class Asset(Model):
    """One item of the register, by its tag number (资产编号)."""

    id = fields.IntField(primary_key=True)
    tag = fields.CharField(max_length=32, unique=True)
    category = fields.CharField(max_length=32)  # 笔记本电脑, 办公椅, 投影仪
    name = fields.CharField(max_length=64)  # 联想ThinkPad X13
    location = fields.CharField(max_length=64)
    keeper: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="assets_kept", null=True, on_delete=fields.RESTRICT
    )
    keeper_id: int | None
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="assets", null=True, on_delete=fields.RESTRICT
    )
    department_id: int | None
    value = fields.DecimalField(max_digits=12, decimal_places=2)  # 原值, yuan
    state = fields.CharEnumField(AssetState, max_length=16, default=AssetState.IN_STOCK)
    # the live request that has it reserved (null: free)
    held_by: fields.ForeignKeyNullableRelation[Request] = fields.ForeignKeyField(
        "models.Request", related_name="assets_held", null=True, on_delete=fields.SET_NULL
    )
    held_by_id: int | None
    updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "asset"
        indexes = (("category", "state", "held_by_id"),)


class OutOfStock(RequestError):
    def __init__(self, category: str, available: int) -> None:
        super().__init__(f"only {available} {category} in stock")
        self.category = category
        self.available = available


class AssetUnavailable(RequestError):
    """The named item is reserved by another request, or not in the state needed."""

    def __init__(self, asset: Asset) -> None:
        super().__init__(f"{asset.tag} is {asset.state}, held by {asset.held_by_id}")
        self.asset = asset


# ---------------------------------------------------------------------------------------
# Reading the register


async def categories() -> list[str]:
    """Every category in the register (not disposed), longest first (for matching)."""
    cats: list[str] = await Asset.exclude(state=AssetState.DISPOSED).distinct().values_list(
        "category", flat=True)  # type: ignore[assignment]
    return sorted(set(cats), key=lambda c: (-len(c), c))


async def match_category(said: str) -> str | None:
    """The category the user means by `said` ("笔记本" → 笔记本电脑, "椅子" → 办公椅)."""
    said = said.strip()
    if not said:
        return None
    cats = await categories()
    for c in cats:
        if c == said or c in said:
            return c
    for c in cats:
        if said in c:
            return c
    for c in cats:  # a shared head or tail of two characters ("椅子" ~ 办公椅)
        if len(said) >= 2 and (said[:2] in c or said.rstrip("子")[-2:] in c or
                               (said.rstrip("子")[-1:] and c.endswith(said.rstrip("子")[-1:]))):
            return c
    return None


async def in_stock(category: str) -> int:
    """Items of the category in stock and not reserved."""
    return await Asset.filter(category=category, state=AssetState.IN_STOCK,
                              held_by_id=None).count()


async def get_asset(tag: str) -> Asset | None:
    return await Asset.filter(tag=tag).select_related("keeper", "department").first()


async def find_issued(category: str, location: str | None = None,
                      department_id: int | None = None) -> list[Asset]:
    """Issued items of a category, at a location (its text contains what was said) or in a
    department: what a transfer or a disposal names without a tag."""
    query = Asset.filter(category=category).exclude(state=AssetState.DISPOSED)
    if department_id is not None:
        query = query.filter(department_id=department_id)
    items = await query.order_by("tag").select_related("keeper", "department")
    if location:
        key = location.replace("室", "").replace(" ", "")
        items = [a for a in items if key and key in a.location.replace("室", "").replace(" ", "")]
    return items


async def held_assets(request_id: int) -> list[Asset]:
    return await Asset.filter(held_by_id=request_id).order_by("tag")


async def assets_of(request: Request) -> list[Asset]:
    """The items a request reserved, or moved once done (their tags in its details)."""
    tags = list((request.details or {}).get("tags") or [])
    if not tags:
        return []
    return await Asset.filter(tag__in=tags).order_by("tag").select_related("keeper", "department")


# ---------------------------------------------------------------------------------------
# Reserving (inside the transaction that creates the request)


async def reserve_stock(request: Request, category: str, quantity: int, now: datetime) -> list[str]:
    """Reserve `quantity` in-stock items of `category` for the request (first tags
    first); raises OutOfStock (with how many there are) and reserves none."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise RequestError(f"quantity must be 1-{MAX_QUANTITY}")
    await lock_resources([f"asset:{category}"])
    got: list[int] = []
    tags: list[str] = []
    while len(got) < quantity:
        rows = await (Asset.filter(category=category, state=AssetState.IN_STOCK, held_by_id=None)
                      .exclude(id__in=got or [0]).order_by("tag").limit(quantity - len(got))
                      .values_list("id", "tag"))
        if not rows:
            break
        for asset_id, tag in rows:
            n = await Asset.filter(id=asset_id, state=AssetState.IN_STOCK, held_by_id=None).update(
                held_by_id=request.id, updated_at=utc(now))
            if n:
                got.append(asset_id)
                tags.append(str(tag))
    if len(got) < quantity:
        raise OutOfStock(category, len(got))
    return tags


async def reserve_item(request: Request, asset: Asset, kind: AssetKind, now: datetime) -> None:
    """Reserve one named item for a transfer (issued → transferring) or a disposal;
    raises AssetUnavailable when another request has it or its state does not allow it."""
    await lock_resources([f"asset:{asset.category}"])
    allowed = [AssetState.ISSUED] if kind is AssetKind.TRANSFER else [AssetState.ISSUED,
                                                                       AssetState.IN_STOCK]
    values: dict[str, Any] = {"held_by_id": request.id, "updated_at": utc(now)}
    if kind is AssetKind.TRANSFER:
        values["state"] = AssetState.TRANSFERRING
    n = await Asset.filter(id=asset.id, state__in=allowed, held_by_id=None).update(**values)
    if not n:
        fresh = await Asset.get(id=asset.id)
        raise AssetUnavailable(fresh)


async def release_assets(request: Request) -> int:
    """Give back what the request reserved (its reject or cancel): an item under transfer
    is issued again where it was. Inside the caller's transaction."""
    await Asset.filter(held_by_id=request.id, state=AssetState.TRANSFERRING).update(
        state=AssetState.ISSUED)
    return await Asset.filter(held_by_id=request.id).update(held_by_id=None)


async def create_asset_request(new: NewRequest, kind: AssetKind, now: datetime, channel: str, *,
                               category: str | None = None, quantity: int = 1,
                               asset: Asset | None = None) -> Request:
    """The request, its approval steps (the kind's rule: `asset_request.disposal`) and
    its reservation, all or nothing: a requisition reserves `quantity` items of
    `category` (OutOfStock), a transfer or disposal the named `asset`
    (AssetUnavailable). With no approval step it waits for the hand-over at once
    (approved). The reserved tags are in `details["tags"]`."""
    async with transaction():
        request = await create_request(
            NewRequest(type=RequestType.ASSET_REQUEST, applicant=new.applicant,
                       details={**new.details, "kind": str(kind)}, kind=str(kind),
                       bundle_id=new.bundle_id),
            now, channel)
        if kind is AssetKind.REQUISITION:
            assert category is not None
            tags = await reserve_stock(request, category, quantity, now)
        else:
            assert asset is not None
            await reserve_item(request, asset, kind, now)
            tags = [asset.tag]
        details = {**(request.details or {}), "tags": tags}
        values: dict[str, Any] = {"details": details}
        if not list(request.steps):
            values["status"] = RequestStatus.APPROVED
            request.status = RequestStatus.APPROVED
        await Request.filter(id=request.id).update(**values)
        request.details = details
        await audit(request, new.applicant, "reserve", channel, now, kind=str(kind), tags=tags)
    return request


async def find_department(said: str) -> Department | None:
    """The department a name said means ("财务处"; "办公室"): the exact name, else the
    one whose name contains it or is contained in it (the shortest)."""
    said = said.strip()
    if not said:
        return None
    depts = await Department.all()
    exact = [d for d in depts if d.name == said]
    if exact:
        return exact[0]
    near = [d for d in depts if said in d.name or d.name in said]
    return min(near, key=lambda d: len(d.name)) if near else None


async def department_names() -> list[str]:
    names: list[str] = await Department.all().order_by("id").values_list("name", flat=True)  # type: ignore[assignment]
    return names


async def department_name(department_id: int | None) -> str:
    if department_id is None:
        return ""
    d = await Department.get_or_none(id=department_id)
    return d.name if d else ""


async def department_head_name(department_id: int) -> str:
    """The name of the head who approves for `department_id` (its own, else up the tree)."""
    head = await dept_head_userid(department_id)
    user = await User.get_or_none(userid=head) if head else None
    return user.name if user else ""


@dataclass(frozen=True, slots=True)
class StockLine:
    category: str
    in_stock: int  # free to hand out
    reserved: int  # in stock, reserved by a request waiting
    issued: int
    value_in_stock: Decimal


async def stock(category: str | None = None) -> list[StockLine]:
    """The stock by category (the register's categories, or one)."""
    query = Asset.exclude(state=AssetState.DISPOSED)
    if category:
        query = query.filter(category=category)
    rows = await query.values_list("category", "state", "held_by_id", "value")
    lines: dict[str, list[Any]] = {}
    for cat, state, held, value in rows:
        line = lines.setdefault(str(cat), [0, 0, 0, Decimal(0)])
        if state == AssetState.IN_STOCK:
            if held is None:
                line[0] += 1
                line[3] += Decimal(value)
            else:
                line[1] += 1
        else:
            line[2] += 1
    return [StockLine(c, *v) for c, v in sorted(lines.items())]


# ---------------------------------------------------------------------------------------
# Handing over


@dataclass(frozen=True, slots=True)
class HandedOver:
    request: Request
    assets: list[Asset]
    kind: AssetKind


async def complete_asset_request(no: int, manager: str, now: datetime, channel: str) -> HandedOver:
    """The asset manager hands over an approved request (发放 / 办结): a requisition's
    items are issued to the applicant and their department, at the place asked for; a
    transfer's go to the other department (its head keeps them); a disposal's are
    disposed. One transaction with its audit record."""
    async with transaction():
        request = await locked_request(no, now)
        if request.type is not RequestType.ASSET_REQUEST:
            raise NotFound(no)
        actor = await User.get_or_none(userid=manager, active=True).prefetch_related("role_links")
        if actor is None or not ({Role.ASSET_MANAGER, Role.ADMIN} & actor.roles):
            raise NotAllowed(f"{manager} is not an asset manager")
        details = request.details or {}
        kind = AssetKind(details.get("kind", AssetKind.REQUISITION))
        before = request.status
        if not await set_status(request, RequestStatus.COMPLETED, [RequestStatus.APPROVED], now):
            raise InvalidState(request, "hand over")
        items = await held_assets(request.id)
        values: dict[str, Any] = {"held_by_id": None, "updated_at": utc(now)}
        if kind is AssetKind.REQUISITION:
            values |= {"state": AssetState.ISSUED, "keeper_id": request.applicant.id,
                       "department_id": request.department_id_at}
            if details.get("location"):
                values["location"] = str(details["location"])[:64]
        elif kind is AssetKind.TRANSFER:
            to_dept = int(details["to_department"])
            head = await dept_head_userid(to_dept)
            keeper = await User.get_or_none(userid=head) if head else None
            values |= {"state": AssetState.ISSUED, "department_id": to_dept,
                       "keeper_id": keeper.id if keeper else None}
            if details.get("to_location"):
                values["location"] = str(details["to_location"])[:64]
        else:
            values |= {"state": AssetState.DISPOSED, "keeper_id": None}
        await Asset.filter(id__in=[a.id for a in items] or [0]).update(**values)
        await audit(request, manager, "hand_over", channel, now, from_status=before,
                    to_status=RequestStatus.COMPLETED, kind=str(kind),
                    tags=[a.tag for a in items])
        moved = await Asset.filter(id__in=[a.id for a in items] or [0]).order_by("tag") \
            .select_related("keeper", "department")
    return HandedOver(request, moved, kind)


async def awaiting_hand_over(limit: int = 20) -> list[Request]:
    """Approved asset requests the asset manager has still to hand over, oldest first."""
    return await Request.filter(type=RequestType.ASSET_REQUEST, status=RequestStatus.APPROVED) \
        .order_by("id").limit(limit).select_related("applicant")


# ---------------------------------------------------------------------------------------
# The register from the organisation file (models/seed.py validates the section)


def expand_entries(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The file's entries as items: `quantity: 12` with `tag: A-2024-01` is twelve items
    A-2024-01-001 … A-2024-01-012."""
    out: list[dict[str, Any]] = []
    for row in rows:
        quantity = int(row.get("quantity") or 1)
        base = dict(row)
        base.pop("quantity", None)
        if quantity == 1:
            out.append(base)
            continue
        for i in range(1, quantity + 1):
            out.append({**base, "tag": numbered_tag(row["tag"], i)})
    return out


def numbered_tag(prefix: str, number: int) -> str:
    """The `number`th item of a numbered run of tags: A-2024-01, 7 → A-2024-01-007."""
    return f"{prefix}-{number:03}"


async def upsert_assets(rows: Sequence[Mapping[str, Any]], users: Mapping[str, int],
                        counts: Any, kept: set[str] | frozenset[str] = frozenset()) -> None:
    """Add the file's items the register lacks; of those it has, refresh what the file
    describes (category, name, value). State, keeper, department and location belong to
    the register once an item is in it (requests change them, with their audit records):
    seeding the file again never takes back an item handed out. Items that leave the file
    stay (an item leaves the register only by disposal). An item edited in the admin
    pages (`kept`: AdminEdit kind `asset`) is left as the admin left it."""
    existing = {a.tag: a for a in await Asset.all()}
    for row in expand_entries(rows):
        value = Decimal(str(row.get("value") or 0)).quantize(Decimal("0.01"))
        asset = existing.get(row["tag"])
        if asset is None:
            state = AssetState(row.get("state") or (AssetState.ISSUED if row.get("keeper")
                                                    or row.get("department") else AssetState.IN_STOCK))
            keeper = users.get(row["keeper"]) if row.get("keeper") else None
            await Asset.create(tag=row["tag"], category=row["category"].strip(),
                               name=(row.get("name") or row["category"]).strip(),
                               location=row["location"].strip(), keeper_id=keeper,
                               department_id=row.get("department"), value=value, state=state)
            counts.created += 1
            continue
        if asset.tag in kept:
            counts.kept += 1
            continue
        changed = {k: v for k, v in {"category": row["category"].strip(),
                                     "name": (row.get("name") or row["category"]).strip(),
                                     "value": value}.items() if getattr(asset, k) != v}
        if changed:
            await Asset.filter(id=asset.id).update(**changed)
            counts.updated += 1
        else:
            counts.unchanged += 1
