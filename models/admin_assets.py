"""What the admin pages change in the asset register (issue 17 item 5): an item added,
edited, or a run of stock added at once — each change one transaction with its audit
record per item (who, what, old → new, channel `web`) and its `AdminEdit` mark (kind
`asset`, key the tag), so that a re-seed leaves it as the admin left it
(models/assets.py `upsert_assets`).

The register's own flows stay theirs: an item reserved by a request (`held_by`), under
transfer or disposed changes only through that request (handlers/asset_request.py), and
the pages set an item only in stock or in use; a disposal is a request with its approval.
Both are refused here (`AdminRefused`) before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError

from models.admin import AdminRefused, _as_userids, _changed, _record, _user_id
from models.assets import Asset, AssetState, numbered_tag
from models.holds import lock_resources
from models.org import Department
from models.sql import transaction, utc

PAGE_SIZE = 100
EDITABLE_STATES = (AssetState.IN_STOCK, AssetState.ISSUED)


@dataclass(frozen=True, slots=True)
class AssetPage:
    items: list[Asset]
    total: int  # matching the filter, every page


async def asset_page(*, category: str = "", state: str = "", department_id: int | None = None,
                     page: int = 1, per_page: int = PAGE_SIZE) -> AssetPage:
    """One page of the register by tag, filtered; keeper and department fetched."""
    query = Asset.all()
    if category:
        query = query.filter(category=category)
    if state:
        query = query.filter(state=state)
    if department_id is not None:
        query = query.filter(department_id=department_id)
    total = await query.count()
    items = await (query.order_by("tag").offset((max(page, 1) - 1) * per_page).limit(per_page)
                   .select_related("keeper", "department"))
    return AssetPage(list(items), total)


async def all_categories() -> list[str]:
    """Every category in the register (disposed items too), by name."""
    cats: list[Any] = await Asset.all().distinct().values_list("category", flat=True)
    return sorted({str(c) for c in cats})


async def all_departments() -> list[tuple[int, str]]:
    return [(int(i), str(n)) for i, n in
            await Department.all().order_by("id").values_list("id", "name")]


async def find_asset(tag: str) -> Asset | None:
    return await Asset.filter(tag=tag).select_related("keeper", "department").first()


async def _department_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if not await Department.filter(id=int(value)).exists():
        raise AdminRefused("department", "gone", value=value)
    return int(value)


async def _columns(values: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values as the table's columns (keeper, department → their row ids)."""
    out = dict(values)
    if "keeper" in out:
        out["keeper_id"] = await _user_id(out.pop("keeper"), "keeper")
    if "department" in out:
        out["department_id"] = await _department_id(out.pop("department"))
    if "state" in out:
        state = AssetState(out["state"])
        if state not in EDITABLE_STATES:
            raise AdminRefused("state", "not_by_hand", state=str(state))
        out["state"] = state
    return out


def _plain_changes(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The audit stores JSON: amounts as text, states as their names."""
    return {k: [str(v) if isinstance(v, Decimal | AssetState) else v for v in pair]
            for k, pair in changes.items()}


async def save_asset(tag: str | None, values: Mapping[str, Any], actor: str,
                     now: datetime) -> dict[str, list[Any]]:
    """Add an item (`tag` None; the tag in `values`) or change one (the tag stays: it is
    on the label and in the requests). `keeper` is a userid or None, `department` a
    department id or None. Refused: a tag taken; an item a request holds, under transfer
    or disposed; a state other than in stock / in use. Returns what changed."""
    async with transaction():
        columns = await _columns(values)
        if tag is None:
            key = str(columns["tag"])
            await lock_resources([f"asset:{columns['category']}"])
            if await Asset.filter(tag=key).exists():
                raise AdminRefused("tag", "taken", value=key)
            try:
                await Asset.create(**columns, updated_at=utc(now))
            except IntegrityError:  # the same tag added at the same moment
                raise AdminRefused("tag", "taken", value=key) from None
            changes = {k: [None, v] for k, v in columns.items()}
            await _as_userids(changes, "keeper_id", "keeper")
            _rename(changes, "department_id", "department")
            await _record("asset", key, True, _plain_changes(changes), actor, now)
            return _plain_changes(changes)
        asset = await Asset.filter(tag=tag).select_for_update().first()
        if asset is None:
            raise AdminRefused("tag", "gone", value=tag)
        await lock_resources([f"asset:{asset.category}"])
        asset = await Asset.get(id=asset.id)  # as committed once the lock is ours
        if asset.held_by_id is not None:
            raise AdminRefused("state", "held", no=asset.held_by_id)
        if asset.state not in EDITABLE_STATES:
            raise AdminRefused("state", f"was_{asset.state}")
        columns.pop("tag", None)
        changes = await _changed(asset, columns)
        if changes:
            await Asset.filter(id=asset.id).update(updated_at=utc(now))
            await _as_userids(changes, "keeper_id", "keeper")
            _rename(changes, "department_id", "department")
            await _record("asset", tag, False, _plain_changes(changes), actor, now)
    return _plain_changes(changes)


def _rename(changes: dict[str, list[Any]], column: str, name: str) -> None:
    if column in changes:
        changes[name] = changes.pop(column)


_NUMBERED = r"-(\d{3,})"


async def add_stock(values: Mapping[str, Any], quantity: int, prefix: str, actor: str,
                    now: datetime) -> list[str]:
    """Add `quantity` items in stock, alike but for their tags: `prefix`-001, -002 … as the
    organisation file's `quantity` numbers them, continuing after the highest number the
    register already has under that prefix (a second delivery of the same batch). One
    transaction: an audit record and an AdminEdit mark per item. Returns the tags."""
    async with transaction():
        columns = await _columns({**values, "state": AssetState.IN_STOCK})
        columns.pop("keeper_id", None)
        await lock_resources([f"asset:{columns['category']}"])
        taken = await Asset.filter(tag__startswith=f"{prefix}-").values_list("tag", flat=True)
        pattern = re.compile(re.escape(prefix) + _NUMBERED + "$")
        numbers = [int(m[1]) for t in taken if (m := pattern.match(str(t)))]
        start = max(numbers, default=0) + 1
        tags = [numbered_tag(prefix, start + i) for i in range(quantity)]
        if len(tags[-1]) > 32:
            raise AdminRefused("prefix", "too_long", value=tags[-1])
        clash = await Asset.filter(tag__in=tags).values_list("tag", flat=True)
        if clash:
            raise AdminRefused("prefix", "taken", value=str(clash[0]))
        try:
            await Asset.bulk_create([Asset(tag=t, **columns, updated_at=utc(now)) for t in tags])
        except IntegrityError:
            raise AdminRefused("prefix", "taken", value=tags[0]) from None
        for t in tags:
            changes = {"tag": [None, t], **{k: [None, v] for k, v in columns.items()}}
            _rename(changes, "department_id", "department")
            await _record("asset", t, True, _plain_changes(changes), actor, now)
    return tags
